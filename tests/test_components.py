"""The optional components render consistent, valid files for every combination."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.answer_sets import ANSWER_SETS, set_with
from tests.containers import docker_excludes, image_paths
from tests.copier_runs import Render, stored_answers
from tests.linters import check_workflows
from tests.processes import VENV_BIN, run

ALL_SETS = sorted(ANSWER_SETS)


def test_taskfiles_and_compose_files_match_their_published_schemas(
    render: Render,
) -> None:
    projects = [render(name) for name in ALL_SETS]
    taskfiles = [project / "Taskfile.yml" for project in projects]
    compose_files = [
        project / "compose.yaml"
        for project in projects
        if (project / "compose.yaml").exists()
    ]
    checker = VENV_BIN / "check-jsonschema"

    run([checker, "--builtin-schema", "vendor.taskfile", *taskfiles], projects[0])
    run(
        [checker, "--builtin-schema", "vendor.compose-spec", *compose_files],
        projects[0],
    )
    assert len(compose_files) == sum(
        1
        for project in projects
        if stored_answers(project)["include_docker"]
        and (
            stored_answers(project)["include_api"]
            or stored_answers(project)["include_ui"]
        )
    )


def test_assignment_workflows_pass_schema_actionlint_and_zizmor(
    render: Render,
) -> None:
    check_workflows(
        [render(name) / ".github" / "workflows" / "ci.yml" for name in ALL_SETS]
    )


@pytest.mark.parametrize("name", ALL_SETS)
def test_dockerfile_passes_hadolint(render: Render, name: str) -> None:
    project = render(name)
    if not stored_answers(project)["include_docker"]:
        assert not (project / "Dockerfile").exists()
        return

    run([VENV_BIN / "hadolint", "Dockerfile"], project)


def test_build_context_sends_only_what_the_image_runs(render: Render) -> None:
    dockerignore = render("default") / ".dockerignore"
    kept_out, sent = image_paths("churn_model")

    assert [path for path in kept_out if not docker_excludes(dockerignore, path)] == []
    assert [path for path in sent if docker_excludes(dockerignore, path)] == []


@pytest.mark.parametrize("name", ALL_SETS)
def test_image_user_cannot_change_its_code_or_model(render: Render, name: str) -> None:
    project = render(name)
    if not stored_answers(project)["include_docker"]:
        return
    runtime = (project / "Dockerfile").read_text().split("AS runtime", 1)[1]

    assert "--chown" not in runtime  # root owns /app: code, venv and model
    assert "USER 10001:10001" in runtime


def commands_of_images(dockerfile: Path) -> list[list[str]]:
    """The ``CMD`` of every stage of a Dockerfile, as argument lists."""
    return [
        json.loads(line.removeprefix("CMD "))
        for line in dockerfile.read_text().splitlines()
        if line.startswith("CMD [")
    ]


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_image_runs_code_the_project_has(render: Render, name: str) -> None:
    project = render(name)
    if not stored_answers(project)["include_docker"]:
        return
    package = project / "src" / str(stored_answers(project)["package_name"])

    commands = commands_of_images(project / "Dockerfile")

    assert commands
    for command in commands:
        if "-m" in command:
            module = command[command.index("-m") + 1]
            assert (project / "src" / f"{module.replace('.', '/')}.py").is_file()
        else:
            assert command[:2] == ["streamlit", "run"]
            assert (project / command[2]).is_file()
            assert (package / "ui.py").samefile(project / command[2])


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_task_has_a_description(render: Render, name: str) -> None:
    tasks = yaml.safe_load((render(name) / "Taskfile.yml").read_text())["tasks"]

    assert all(task.get("desc") for task in tasks.values())
    answers = stored_answers(render(name))
    expected = {"setup", "format", "lint", "typecheck", "test", "check", "train"}
    expected |= {"evaluate"}
    expected |= {"spec:new", "spec:list", "template:check", "template:update"}
    if answers.get("tracking", "mlflow") == "mlflow":
        expected |= {"promote", "mlflow"}
    if answers["include_api"]:
        expected |= {"serve"}
    if answers["include_api"] and answers.get("monitoring", True):
        expected |= {"traffic", "monitor", "retrain"}
    expected |= {"ui"} if answers["include_ui"] else set()
    expected |= {"docker:build", "docker:run"} if answers["include_docker"] else set()
    if answers["include_docker"] and (answers["include_api"] or answers["include_ui"]):
        expected |= {"up", "down"}
    assert set(tasks) == expected


def test_compose_wires_the_ui_to_a_healthy_api(render: Render) -> None:
    compose = yaml.safe_load((render("default") / "compose.yaml").read_text())
    api, ui = compose["services"]["api"], compose["services"]["ui"]

    assert ui["environment"]["API_URL"] == "http://api:8000"
    assert ui["depends_on"] == {"api": {"condition": "service_healthy"}}
    assert api["healthcheck"]["test"][0] == "CMD"
    assert "/_stcore/health" in " ".join(ui["healthcheck"]["test"])


def test_ui_alone_loads_the_model_itself(render: Render) -> None:
    ui_alone = set_with(include_api=False, include_ui=True, include_docker=True)
    compose = yaml.safe_load((render(ui_alone) / "compose.yaml").read_text())

    assert set(compose["services"]) == {"ui"}
    assert "environment" not in compose["services"]["ui"]


@pytest.mark.parametrize("name", ALL_SETS)
def test_readme_explains_each_included_component(render: Render, name: str) -> None:
    project = render(name)
    answers = stored_answers(project)
    readme = (project / "README.md").read_text("utf-8")
    sections = {
        "include_api": "## The API",
        "include_ui": "## The web app",
        "include_docker": "## Docker",
    }

    assert "## Your data and your model" in readme
    assert "## The model's life" in readme
    for question, heading in sections.items():
        assert (heading in readme) == bool(answers[question]), heading


# `task <name>` as the docs write it; go-task's own flags are not tasks.
TASK_MENTION = re.compile(r"\btask ([a-z][\w:-]*)")


@pytest.mark.parametrize("name", ALL_SETS)
def test_every_task_the_docs_mention_exists(render: Render, name: str) -> None:
    project = render(name)
    tasks = set(yaml.safe_load((project / "Taskfile.yml").read_text())["tasks"])
    docs = [project / "README.md", project / "CLAUDE.md", *project.glob("docs/*.md")]

    mentioned = {
        (doc.name, task)
        for doc in docs
        for task in TASK_MENTION.findall(doc.read_text("utf-8"))
    }

    assert {(doc, task) for doc, task in mentioned if task not in tasks} == set()


@pytest.mark.parametrize("name", ALL_SETS)
def test_claude_md_lists_every_module(render: Render, name: str) -> None:
    project = render(name)
    package = project / "src" / str(stored_answers(project)["package_name"])
    guide = (project / "CLAUDE.md").read_text("utf-8")

    modules = {path.name for path in package.glob("*.py")}

    assert {module for module in modules if f"`{module}`" not in guide} == set()


@pytest.mark.parametrize("name", ALL_SETS)
def test_readme_is_short(render: Render, name: str) -> None:
    lines = (render(name) / "README.md").read_text("utf-8").splitlines()

    assert len(lines) <= 160


def test_the_data_of_params_toml_follows_the_dataset_answer(render: Render) -> None:
    bundled = tomllib.loads(
        (render(set_with(dataset="diabetes")) / "params.toml").read_text()
    )
    mine = render(set_with(dataset="file", data_file="penguins_raw"))
    table = tomllib.loads((mine / "params.toml").read_text())

    assert bundled["data"] == {
        "source": "sklearn:diabetes",
        "target": "target",
        "task": "auto",
        "ignore": [],
        "titles": {},
        "units": {},
        "kinds": {},
    }
    assert table["data"]["source"] == "data/penguins-raw.csv"
    assert table["data"]["target"] == "Body Mass (g)"
