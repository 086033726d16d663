"""Each answer set renders into the exact expected project, correct as rendered."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.answer_sets import ANSWER_SETS, PUBLIC_TABLE
from tests.copier_runs import Render, stored_answers
from tests.processes import VENV_BIN, run
from tests.project_files import expected_files, project_files

ALL_SETS = sorted(ANSWER_SETS)
# Jinja's `{{ x }}`; go-task's own `{{.VAR}}` is meant to stay in Taskfile.yml.
JINJA_EXPRESSION = re.compile(r"\{\{(?!\.)")


@pytest.mark.parametrize("name", ALL_SETS)
def test_file_set_is_exact(render: Render, name: str) -> None:
    project = render(name)

    assert project_files(project) == expected_files(stored_answers(project))


@pytest.mark.parametrize("name", ALL_SETS)
def test_no_jinja_is_left_over(render: Render, name: str) -> None:
    project = render(name)
    answers = ANSWER_SETS[name]
    # Answers may legitimately contain braces, verbatim or TOML/JSON-escaped.
    allowed = {str(value) for value in answers.values()}
    allowed |= {json.dumps(value, ensure_ascii=False)[1:-1] for value in allowed}
    for relative in project_files(project):
        text = (project / relative).read_text(encoding="utf-8")
        for value in allowed:  # answers may legitimately contain braces
            text = text.replace(value, "")
        assert not JINJA_EXPRESSION.search(text), relative
        assert "{%" not in text, relative


@pytest.mark.parametrize("name", ALL_SETS)
def test_pyproject_carries_the_answers_verbatim(render: Render, name: str) -> None:
    project = render(name)
    answers = stored_answers(project)
    given = ANSWER_SETS[name]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))

    meta = pyproject["project"]
    assert meta["name"] == answers["project_slug"]
    assert meta["description"] == answers["description"]
    assert meta["authors"] == [
        {"name": answers["author_name"], "email": answers["author_email"]}
    ]
    assert meta["requires-python"] == f">={answers['python_version']}"
    for key, value in given.items():
        if isinstance(value, str) and value.startswith(PUBLIC_TABLE):
            assert Path(str(answers[key])).is_file(), key  # the table's path
        else:
            assert answers[key] == value, key
    version = str(answers["python_version"])
    assert pyproject["tool"]["ruff"]["target-version"] == "py" + version.replace(
        ".", ""
    )
    assert (project / ".python-version").read_text() == f"{version}\n"


@pytest.mark.parametrize("name", ALL_SETS)
def test_yaml_files_parse(render: Render, name: str) -> None:
    project = render(name)
    for relative in project_files(project):
        if relative.endswith((".yml", ".yaml")):
            assert yaml.safe_load((project / relative).read_text("utf-8")), relative


@pytest.mark.parametrize("name", ALL_SETS)
def test_render_is_ruff_clean_before_any_formatting(render: Render, name: str) -> None:
    project = render(name)
    ruff = VENV_BIN / "ruff"

    run([ruff, "format", "--check", "--no-cache", "."], project)
    run([ruff, "check", "--no-cache", "."], project)


def test_description_appears_verbatim_in_readme_and_spec(render: Render) -> None:
    project = render("names")
    description = str(ANSWER_SETS["names"]["description"])

    assert description in (project / "README.md").read_text("utf-8")
    assert description in (project / "ai_docs/spec_v1.md").read_text("utf-8")


def test_default_names_derive_from_the_destination_folder(render: Render) -> None:
    answers = stored_answers(render("default"))

    assert answers["project_name"] == "Churn Model"
    assert answers["project_slug"] == "churn-model"
    assert answers["package_name"] == "churn_model"
