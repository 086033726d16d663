"""Assignments as members of a uv workspace, and updating many at once."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scripts.tooling import (
    COURSE_WORKSPACE_SCRIPT,
    build_secrets,
    commit_all,
    init_repository,
)
from tests.containers import (
    NO_DOCKER,
    docker_available,
    docker_env,
    docker_excludes,
    image_paths,
    running_container,
    wait_for_json,
)
from tests.copier_runs import copier_copy, copier_update, stored_answers
from tests.processes import CONFLICT_MARKER, VENV_BIN, run, tool_env
from tests.project_files import expected_files, project_files
from tests.releases import MIDDLE, OLD

pytestmark = pytest.mark.slow

WORKSPACE_PYPROJECT = """\
[tool.uv.workspace]
members = ["assignments/*"]
"""


def new_uv_workspace(root: Path, members: str = WORKSPACE_PYPROJECT) -> Path:
    """A git repository whose root pyproject.toml declares a virtual uv workspace."""
    init_repository(root)
    (root / "pyproject.toml").write_text(members)
    (root / ".gitignore").write_text(".venv/\n")
    return root


# Members with the API and Docker, without MLflow and the web app: what the
# workspace changes (the lock, the build context, the image) is all there,
# at a fraction of the install and of the image.
MEMBER = {"tracking": "none", "include_ui": False}


@pytest.fixture(scope="module")
def workspace(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with two assignments copied into assignments/, tasks run."""
    root = new_uv_workspace(tmp_path_factory.mktemp("workspace") / "ws")
    for name in ("first-model", "second-model"):
        copier_copy(template_dir, root / "assignments" / name, MEMBER, skip_tasks=False)
    return root


@pytest.mark.parametrize("name", ["first-model", "second-model"])
def test_assignments_are_members_with_the_root_lock(workspace: Path, name: str) -> None:
    assignment = workspace / "assignments" / name
    answers = stored_answers(assignment)

    assert answers["workspace_member"] is True
    assert answers["workspace_path"] == f"assignments/{name}"
    assert not (assignment / "uv.lock").exists()
    assert not (assignment / ".venv").exists()
    assert project_files(assignment) == expected_files(answers)
    lock = (workspace / "uv.lock").read_text()
    assert f'name = "{name}"' in lock


def test_root_lock_is_consistent(workspace: Path) -> None:
    run(["uv", "sync", "--locked", "--all-packages", "--quiet"], workspace)


def test_task_setup_of_a_member_keeps_every_member_installed(
    workspace: Path,
) -> None:
    # Both copies and now the first member's `task setup` synced the shared
    # .venv: every member must still be installed in it, exactly as locked.
    # (The course workspace's test runs its members' whole checks.)
    first = workspace / "assignments" / "first-model"

    run(["task", "setup"], first)
    run(["uv", "sync", "--locked", "--all-packages", "--check"], first)

    assert not (first / ".venv").exists()


def dockerfile_sources(dockerfile: Path) -> list[str]:
    """Paths the Dockerfile reads from its build context (COPY and bind mounts)."""
    text = dockerfile.read_text().replace("\\\n", " ")
    sources = re.findall(r"type=bind,source=([^,\s]+)", text)
    for line in text.splitlines():
        parts = line.split()
        if (
            parts
            and parts[0] == "COPY"
            and not any(p.startswith("--from") for p in parts)
        ):
            sources += [p for p in parts[1:-1] if not p.startswith("--")]
    return sources


def test_member_docker_files_agree_on_the_build_context(workspace: Path) -> None:
    assignment = workspace / "assignments" / "first-model"
    compose = yaml.safe_load((assignment / "compose.yaml").read_text())
    build = compose["services"]["api"]["build"]
    context = (assignment / build["context"]).resolve()
    taskfile = yaml.safe_load((assignment / "Taskfile.yml").read_text())
    build_command = next(
        cmd
        for cmd in taskfile["tasks"]["docker:build"]["cmds"]
        if "docker build" in cmd
    )

    assert context == workspace.resolve()
    assert (context / build["dockerfile"]).resolve() == (
        assignment / "Dockerfile"
    ).resolve()
    assert (assignment / build_command.split()[-2]).resolve() == context
    dockerignore = assignment / "Dockerfile.dockerignore"
    kept_out, sent = image_paths("first_model", prefix="assignments/first-model/")
    kept_out += ["assignments/second-model/README.md", ".git/HEAD", "README.md"]
    sent += ["pyproject.toml", "uv.lock"]
    assert [path for path in sent if docker_excludes(dockerignore, path)] == []
    assert [path for path in kept_out if not docker_excludes(dockerignore, path)] == []
    sources = dockerfile_sources(assignment / "Dockerfile")
    assert {"uv.lock", "pyproject.toml", "assignments/first-model/src"} <= set(sources)
    for source in sources:
        assert (context / source).exists(), source
    run([VENV_BIN / "hadolint", "Dockerfile"], assignment)
    checker = VENV_BIN / "check-jsonschema"
    run(
        [checker, "--builtin-schema", "vendor.compose-spec", "compose.yaml"], assignment
    )
    run([checker, "--builtin-schema", "vendor.taskfile", "Taskfile.yml"], assignment)


def test_member_image_steps_install_from_the_root_lock(
    workspace: Path, tmp_path: Path
) -> None:
    # The Dockerfile's uv steps, run against a copy of exactly what its build
    # context sends: the root pyproject.toml and uv.lock, and this member.
    context = tmp_path / "context"
    context.mkdir()
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy2(workspace / name, context / name)
    shutil.copytree(
        workspace / "assignments" / "first-model",
        context / "assignments" / "first-model",
        ignore=shutil.ignore_patterns(
            ".venv", "models", "reports", "tests", ".*cache*"
        ),
    )
    member = context / "assignments" / "first-model"
    package = ["--frozen", "--no-dev", "--package", "first-model", "--quiet"]
    site_packages = context / ".venv/lib/python3.11/site-packages"

    run(["uv", "sync", *package, "--no-install-project", "--group", "train"], context)
    run(["uv", "sync", *package, "--group", "train"], context)
    run([context / ".venv/bin/python", "-m", "first_model.train"], member)

    assert (member / "models" / "model.skops").is_file()
    assert (site_packages / "matplotlib").is_dir()
    assert not (site_packages / "fastapi").exists()  # the api group's
    assert not (site_packages / "second_model").exists()


@pytest.mark.skipif(not docker_available(), reason=NO_DOCKER)
def test_member_images_build_from_the_workspace_root_and_serve(
    workspace: Path,
) -> None:
    member = workspace / "assignments" / "first-model"

    run(["task", "docker:build", "--", *build_secrets()], member, env=docker_env())
    with running_container("first-model-api") as container:
        ready = wait_for_json(f"{container.url}/ready")

    assert ready == {"status": "ready"}


def test_uncovered_destination_stays_standalone_and_says_why(
    template_dir: Path, tmp_path: Path
) -> None:
    root = new_uv_workspace(
        tmp_path / "ws", '[tool.uv.workspace]\nmembers = ["projects/*"]\n'
    )
    assignment = root / "assignments" / "lonely-model"

    result = copier_copy(template_dir, assignment, skip_tasks=False, quiet=False)

    assert stored_answers(assignment)["workspace_member"] is False
    assert "members do not include this folder" in result.stderr
    assert f"{root}/pyproject.toml declares a uv workspace" in result.stderr
    assert (assignment / "uv.lock").is_file()
    assert (assignment / ".dockerignore").is_file()
    assert not (root / "uv.lock").exists()


def test_update_of_a_member_keeps_the_root_lock_and_student_edits(
    releases: Path, tmp_path: Path
) -> None:
    root = new_uv_workspace(tmp_path / "ws")
    assignment = root / "assignments" / "churn-model"
    copier_copy(releases, assignment, vcs_ref=OLD, skip_tasks=False)
    readme = assignment / "README.md"
    readme.write_text(readme.read_text() + "\n## My section\n\nKept.\n")
    commit_all(root, "Member and student work")

    copier_update(assignment, "--vcs-ref", MIDDLE)

    assert readme.read_text().endswith("\n## My section\n\nKept.\n")
    assert '"joblib>=1.3"' in (assignment / "pyproject.toml").read_text()
    assert 'name = "joblib"' in (root / "uv.lock").read_text()
    assert not (assignment / "uv.lock").exists()
    run(["uv", "sync", "--locked", "--all-packages", "--quiet"], root)


def test_update_all_reports_each_assignment_and_is_not_blocked_by_conflicts(
    releases: Path, tmp_path: Path
) -> None:
    root = init_repository(tmp_path / "ws")
    names = ("alpha", "beta", "gamma", "mödel 6", "zeta")
    for name in names:
        copier_copy(releases, root / "assignments" / name, vcs_ref=OLD, in_process=True)
    for conflicted in ("beta", "mödel 6"):  # the same line as release v2.0.0
        taskfile = root / "assignments" / conflicted / "Taskfile.yml"
        taskfile.write_text(
            taskfile.read_text().replace(
                "Check formatting and lint rules without changing files",
                "Check my code before I push",
            )
        )
    commit_all(root, "Five assignments")
    (root / "assignments" / "gamma" / "README.md").write_text("Uncommitted work.\n")

    result = subprocess.run(
        [
            sys.executable,
            COURSE_WORKSPACE_SCRIPT,
            "update-all",
            "--workspace",
            root,
            "--vcs-ref",
            MIDDLE,
        ],
        env=tool_env(),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    table = result.stdout[result.stdout.index("assignment  ") :]
    assert re.search(r"assignments/alpha\s+updated", table)
    assert re.search(r"assignments/beta\s+conflicts\s+1 file", table)
    assert re.search(r"assignments/gamma\s+skipped\s+the assignment has", table)
    assert re.search(
        r"assignments/mödel 6\s+conflicts\s+1 file\(s\) to resolve: "
        r"assignments/mödel 6/Taskfile.yml",
        table,
    )
    assert re.search(r"assignments/zeta\s+updated", table)
    assert "2 updated, 2 conflicts, 1 skipped, 0 failed" in table
    for name in ("alpha", "beta", "mödel 6", "zeta"):
        assert stored_answers(root / "assignments" / name)["_commit"] == MIDDLE
    for name in ("beta", "mödel 6"):
        taskfile = (root / "assignments" / name / "Taskfile.yml").read_text()
        assert CONFLICT_MARKER in taskfile
    gamma = root / "assignments" / "gamma"
    assert (gamma / "README.md").read_text() == "Uncommitted work.\n"
    assert stored_answers(gamma)["_commit"] == OLD
    unmerged = run(["git", "diff", "--name-only", "--diff-filter=U"], root).stdout
    assert unmerged == ""
