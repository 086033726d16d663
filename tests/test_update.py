"""`copier update` keeps every student line, across real tagged releases.

A temporary git repository holds three releases of this template (v1.0.0,
v2.0.0, v3.0.0); assignments are generated at v1.0.0 inside a parent git
repository at ``assignments/<name>/`` (the workspace layout), edited the way a
student works, committed, and then updated for real.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from scripts.tooling import commit_all, commit_and_tag, init_repository
from tests.copier_runs import copier_copy, copier_update, stored_answers
from tests.processes import CONFLICT_MARKER as MARKER
from tests.processes import TEMPLATE_ROOT, run, tool_env
from tests.project_files import folder_contents, git_state, project_files
from tests.releases import (
    BROKEN_RENDER,
    FAILING_MIGRATION,
    FAILING_TASK,
    MIDDLE,
    NEW,
    OLD,
)

pytestmark = pytest.mark.slow


def new_workspace(
    root: Path,
    releases: Path,
    names: list[str],
    tag: str = OLD,
    answers: Mapping[str, object] | None = None,
) -> Path:
    """A git workspace with one committed assignment per name, made at ``tag``."""
    init_repository(root)
    (root / "README.md").write_text("# My MLOps assignments\n")
    for name in names:
        project = root / "assignments" / name
        copier_copy(releases, project, answers, vcs_ref=tag, in_process=True)
    commit_all(root, "Generate the assignments")
    return root


def one_assignment(tmp_path: Path, releases: Path) -> tuple[Path, Path]:
    """A workspace with one assignment made at v1.0.0: (workspace, assignment)."""
    workspace = new_workspace(tmp_path / "ws", releases, ["churn-model"])
    return workspace, workspace / "assignments" / "churn-model"


def rewrite_lint_description(project: Path, description: str) -> Path:
    """Change the line that release v2.0.0 changes too; return the Taskfile."""
    taskfile = project / "Taskfile.yml"
    old = "Check formatting and lint rules without changing files"
    taskfile.write_text(taskfile.read_text().replace(old, description))
    return taskfile


def work_like_a_student(project: Path) -> None:
    """Edit code, README and plan, add a file and a dependency, then commit."""
    inference = project / "src" / "churn_model" / "inference.py"
    inference.write_text(
        inference.read_text()
        + '\n\ndef shout(text: str) -> str:\n    """Return ``text`` in capitals."""\n'
        "    return text.upper()\n"
    )
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## My findings\n\nRidge beats LR.\n")
    spec = project / "ai_docs" / "spec_v1.md"
    spec.write_text(
        spec.read_text().replace("- Goal: describe", "- Goal: predict churn; describe")
    )
    (project / "ai_docs" / "spec_v2.md").write_text("# Spec v2: my next plan\n")
    (project / "notes.md").write_text("Ideas for next week.\n")
    run(["uv", "add", "--quiet", "six"], project)
    commit_all(project, "Student work")


def tracked_contents(project: Path) -> dict[str, bytes]:
    """Every file of the project (caches and venv aside) with its bytes."""
    return {name: (project / name).read_bytes() for name in project_files(project)}


@pytest.fixture(scope="module")
def student_update(
    releases: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """One assignment made at v1.0.0, worked on, then updated to v3.0.0."""
    # Without MLflow and the web app: the update does not depend on them,
    # and the updated project's tests then run in seconds.
    workspace = new_workspace(
        tmp_path_factory.mktemp("student"),
        releases,
        ["churn-model"],
        answers={"tracking": "none", "include_ui": False},
    )
    project = workspace / "assignments" / "churn-model"
    run(["uv", "sync", "--quiet"], project)
    work_like_a_student(project)
    before = tracked_contents(project)
    result = copier_update(project)
    return {"project": project, "before": before, "result": result}


def test_update_keeps_every_student_edit(student_update: dict) -> None:
    project: Path = student_update["project"]

    assert (
        "def shout(text: str) -> str:"
        in (project / "src/churn_model/inference.py").read_text()
    )
    assert "## My findings\n\nRidge beats LR." in (project / "README.md").read_text()
    assert (project / "notes.md").read_text() == "Ideas for next week.\n"
    assert '"six>=' in (project / "pyproject.toml").read_text()


def test_update_brings_the_template_changes(student_update: dict) -> None:
    project: Path = student_update["project"]

    taskfile = (project / "Taskfile.yml").read_text()
    assert "rules (ruff) without changing files" in taskfile
    assert "Format the code with ruff and apply its safe lint fixes" in taskfile
    assert ".ipynb_checkpoints/" in (project / ".gitignore").read_text()
    assert (
        "loaded sklearn model" in (project / "src/churn_model/inference.py").read_text()
    )
    assert '"joblib>=1.3"' in (project / "pyproject.toml").read_text()
    assert stored_answers(project)["_commit"] == NEW


def test_new_question_takes_its_default(student_update: dict) -> None:
    project: Path = student_update["project"]

    assert stored_answers(project)["course_code"] == "MLOPS-101"
    assert "Course: MLOPS-101." in (project / "README.md").read_text()


def test_student_plans_are_byte_identical(student_update: dict) -> None:
    project: Path = student_update["project"]
    before: dict[str, bytes] = student_update["before"]

    plans = {name: data for name, data in before.items() if name.startswith("ai_docs/")}
    assert set(plans) == {"ai_docs/spec_v1.md", "ai_docs/spec_v2.md"}
    for name, data in plans.items():
        assert (project / name).read_bytes() == data


def test_no_rejects_no_conflicts_and_a_consistent_lock(student_update: dict) -> None:
    project: Path = student_update["project"]

    assert not list(project.rglob("*.rej"))
    for name in project_files(project):
        lines = (project / name).read_text(errors="replace").splitlines()
        assert not any(line.startswith(MARKER) for line in lines), name
    run(["uv", "sync", "--locked", "--quiet"], project)
    assert 'name = "joblib"' in (project / "uv.lock").read_text()


def test_updated_assignment_passes_its_tests(student_update: dict) -> None:
    result = run(["task", "test"], student_update["project"])

    assert " passed" in result.stdout


def test_line_changed_on_both_sides_gets_inline_markers(
    releases: Path, tmp_path: Path
) -> None:
    workspace, project = one_assignment(tmp_path, releases)
    taskfile = rewrite_lint_description(project, "Check my code before I push")
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## Kept section\n")
    commit_all(workspace, "Student edits the lint task")

    copier_update(project, "--vcs-ref", MIDDLE)

    merged = taskfile.read_text()
    assert MARKER in merged
    assert ">>>>>>> after updating" in merged
    assert "Check my code before I push" in merged
    assert "rules (ruff) without changing files" in merged
    assert readme.read_text().endswith("\n## Kept section\n")
    assert '"joblib>=1.3"' in (project / "pyproject.toml").read_text()
    assert not list(project.rglob("*.rej"))


def test_two_hops_give_the_same_files_as_one(releases: Path, tmp_path: Path) -> None:
    projects = []
    for hops in ([MIDDLE, NEW], [NEW]):
        workspace = new_workspace(
            tmp_path / f"ws-{len(hops)}", releases, ["churn-model"]
        )
        project = workspace / "assignments" / "churn-model"
        readme = project / "README.md"
        readme.write_text(readme.read_text() + "\n## Student section\n")
        commit_all(workspace, "Student edit")
        for tag in hops:
            copier_update(project, "--vcs-ref", tag)
            commit_all(workspace, f"Update to {tag}")
        projects.append(project)

    two_hops, one_hop = (tracked_contents(project) for project in projects)
    assert two_hops == one_hop


def test_update_without_template_change_is_a_no_op(
    releases: Path, tmp_path: Path
) -> None:
    workspace = new_workspace(tmp_path / "ws", releases, ["churn-model"], tag=NEW)
    project = workspace / "assignments" / "churn-model"
    run(["uv", "sync", "--quiet"], project)
    commit_all(workspace, "Lock file")

    copier_update(project)

    assert run(["git", "status", "--porcelain"], workspace).stdout == ""


@pytest.mark.parametrize(
    "broken_uv",
    [
        pytest.param(
            lambda tmp: {"PATH": os.pathsep.join(["/usr/bin", "/bin"])}, id="uv-missing"
        ),
        pytest.param(
            lambda tmp: {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(tmp / "empty-cache")},
            id="uv-offline",
        ),
    ],
)
def test_update_completes_with_a_warning_when_uv_cannot_sync(
    releases: Path, tmp_path: Path, broken_uv: Callable[[Path], dict[str, str]]
) -> None:
    _, project = one_assignment(tmp_path, releases)

    result = copier_update(project, env=tool_env(**broken_uv(tmp_path)))

    assert result.returncode == 0
    assert "WARNING:" in result.stderr
    assert "uv sync" in result.stderr
    assert '"joblib>=1.3"' in (project / "pyproject.toml").read_text()
    assert stored_answers(project)["_commit"] == NEW


def test_dirty_sibling_neither_blocks_nor_changes(
    releases: Path, tmp_path: Path
) -> None:
    workspace = new_workspace(tmp_path / "ws", releases, ["first", "second"])
    sibling = workspace / "assignments" / "second"
    (sibling / "README.md").write_text("Half-written notes, not committed.\n")
    (sibling / "draft.py").write_text("x = 1\n")
    sibling_before = tracked_contents(sibling)

    copier_update(workspace / "assignments" / "first")

    assert tracked_contents(sibling) == sibling_before
    assert stored_answers(workspace / "assignments" / "first")["_commit"] == NEW
    assert stored_answers(sibling)["_commit"] == OLD


def test_template_check_reports_a_newer_release(releases: Path, tmp_path: Path) -> None:
    _, project = one_assignment(tmp_path, releases)

    result = run(["task", "template:check"], project)

    assert "New template version available" in result.stdout
    assert "latest version is 3.0.0" in result.stdout


def test_template_update_refuses_uncommitted_work(
    releases: Path, tmp_path: Path
) -> None:
    _, project = one_assignment(tmp_path, releases)
    (project / "README.md").write_text("Unsaved thoughts.\n")

    result = run(["task", "template:update"], project, check=False)

    assert result.returncode != 0
    assert "uncommitted changes" in result.stderr
    assert (project / "README.md").read_text() == "Unsaved thoughts.\n"
    assert stored_answers(project)["_commit"] == OLD


def unmerged(repository: Path) -> list[str]:
    """Paths with conflict stages in the repository's index."""
    output = run(["git", "diff", "--name-only", "--diff-filter=U"], repository).stdout
    return output.splitlines()


@pytest.mark.parametrize("tag", [BROKEN_RENDER, FAILING_TASK, FAILING_MIGRATION])
def test_failed_update_leaves_files_index_and_answers_byte_identical(
    releases: Path, tmp_path: Path, tag: str
) -> None:
    workspace, project = one_assignment(tmp_path, releases)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\n## My findings\n\nKept.\n")
    (project / "notes.md").write_text("Ideas for next week.\n")
    # The line each broken release changes too: a conflict, in the index.
    gitignore = project / ".gitignore"
    gitignore.write_text(gitignore.read_text().replace("# Tool caches", "# Caches"))
    commit_all(workspace, "Student work")
    (workspace / "README.md").write_text("Uncommitted workspace notes.\n")
    (workspace / "staged.txt").write_text("Staged, not committed.\n")
    run(["git", "add", "staged.txt"], workspace)
    files_before, git_before = folder_contents(workspace), git_state(workspace)

    result = run(
        ["task", "template:update", "--", "--vcs-ref", tag], project, check=False
    )

    assert result.returncode != 0
    assert "Template update failed: copier exited" in result.stderr
    assert "every file, the git index and the answers are as they were" in (
        result.stderr
    )
    assert folder_contents(workspace) == files_before
    assert git_state(workspace) == git_before
    assert stored_answers(project)["_commit"] == OLD


def test_conflict_left_by_plain_copier_does_not_block_a_sibling(
    releases: Path, tmp_path: Path
) -> None:
    workspace = new_workspace(tmp_path / "ws", releases, ["first", "second"])
    first, second = (workspace / "assignments" / name for name in ("first", "second"))
    rewrite_lint_description(first, "Mine")
    commit_all(workspace, "Student edits the lint task")
    copier_update(first, "--vcs-ref", MIDDLE)
    assert unmerged(workspace) == ["assignments/first/Taskfile.yml"]

    result = run(["task", "template:update"], second)

    assert "Template update finished: updated" in result.stdout
    assert stored_answers(second)["_commit"] == NEW
    assert MARKER in (first / "Taskfile.yml").read_text()
    assert stored_answers(first)["_commit"] == MIDDLE


def test_template_update_summarises_and_keeps_conflicts_out_of_the_index(
    releases: Path, tmp_path: Path
) -> None:
    workspace, project = one_assignment(tmp_path, releases)
    rewrite_lint_description(project, "Lint it all")
    commit_all(workspace, "Student edits the lint task")

    result = run(["task", "template:update", "--", "--vcs-ref", MIDDLE], project)

    assert "Files changed:" in result.stdout
    assert "assignments/churn-model/pyproject.toml" in result.stdout
    assert "Conflicts to resolve: 1" in result.stdout
    assert "  assignments/churn-model/Taskfile.yml" in result.stdout
    assert stored_answers(project)["_commit"] == MIDDLE
    assert MARKER in (project / "Taskfile.yml").read_text()  # kept inline,
    assert unmerged(workspace) == []  # but not in the index,
    run(["git", "write-tree"], workspace)  # so the next update can start


def test_update_of_an_assignment_on_its_own_table_needs_no_original_file(
    releases: Path, tmp_path: Path, public_tables: Mapping[str, Path]
) -> None:
    # By the time of an update the student's original file is gone: the
    # validators do not read it then (`_copier_operation` is "update"), the
    # copy in data/ is neither copied again nor changed, and what was
    # rendered from the file (its ';' separator) stays as it was.
    original = tmp_path / "Downloads" / "modechoice.csv"
    original.parent.mkdir()
    shutil.copyfile(public_tables["modechoice"], original)
    workspace = init_repository(tmp_path / "ws")
    project = workspace / "assignments" / "churn-model"
    answers = {"dataset": "file", "data_file": str(original), "target": "mode"}
    copier_copy(releases, project, answers, vcs_ref=OLD, skip_tasks=False)
    original.unlink()
    commit_all(workspace, "Start an assignment on my own table")
    before = tracked_contents(project)

    result = copier_update(project)

    assert "WARNING: your table" not in result.stderr
    answers_after = stored_answers(project)
    assert answers_after["_commit"] == NEW
    assert (answers_after["data_file"], answers_after["target"]) == (
        str(original),
        "mode",
    )
    copy = project / "data" / "modechoice.csv"
    assert copy.read_bytes() == public_tables["modechoice"].read_bytes()
    after = tracked_contents(project)
    changed = {name for name in before if before[name] != after.get(name)}
    releases_change = {
        ".copier-answers.yml",
        ".env.example",
        ".gitignore",
        "README.md",
        "Taskfile.yml",
        "pyproject.toml",
        "uv.lock",
        "src/churn_model/inference.py",
    }
    assert changed <= releases_change
    assert unmerged(workspace) == []


# The template as it was released before an assignment could learn from a
# table of its own (the last commit before that work): an assignment made
# from it must take the data-driven release without losing a student line.
BEFORE_YOUR_DATA = "0576cbd4591ec356f75eea176fa1e55c08e47927"


def release_pair(template_dir: Path, repository: Path) -> None:
    """A repository of two releases: v1.0.0 before the data issue, v2.0.0 now."""
    init_repository(repository)
    tarball = repository.parent / "v1.tar"
    run(["git", "archive", "-o", tarball, BEFORE_YOUR_DATA], TEMPLATE_ROOT)
    run(["tar", "-xf", tarball], repository)
    tarball.unlink()
    commit_and_tag(repository, "v1.0.0")
    for path in repository.iterdir():
        if path.name != ".git":
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    shutil.copytree(template_dir, repository, dirs_exist_ok=True)
    commit_and_tag(repository, "v2.0.0")


STUDENT_LINES = {
    "src/churn_model/inference.py": "\n\ndef confident(probability: float) -> bool:\n"
    '    """Tell whether a probability is high enough to act on."""\n'
    "    return probability >= 0.9\n",
    "src/churn_model/data.py": "\n\n# My note: the petal features matter most.\n",
    "README.md": "\n## My findings\n\nPetal width alone separates setosa.\n",
    "tests/test_inference.py": "\n\ndef test_my_threshold() -> None:\n"
    "    assert 0.9 <= 1\n",
}


@pytest.mark.skipif(
    run(
        ["git", "cat-file", "-e", BEFORE_YOUR_DATA], TEMPLATE_ROOT, check=False
    ).returncode,
    reason="this checkout has no history (a copy, not a clone)",
)
def test_an_assignment_from_the_release_before_your_data_keeps_every_line(
    template_dir: Path, tmp_path: Path
) -> None:
    releases = tmp_path / "releases"
    release_pair(template_dir, releases)
    workspace = init_repository(tmp_path / "ws")
    project = workspace / "assignments" / "churn-model"
    copier_copy(releases, project, vcs_ref="v1.0.0")
    for name, lines in STUDENT_LINES.items():
        path = project / name
        path.write_text(path.read_text() + lines)
    (project / "notes.md").write_text("Ideas for next week.\n")
    params = project / "params.toml"
    params.write_text(params.read_text().replace("C = 1.0", "C = 0.5"))
    commit_all(workspace, "Student work on the old release")

    copier_update(project, "--vcs-ref", "v2.0.0")

    for name, lines in STUDENT_LINES.items():
        assert lines.strip() in (project / name).read_text(), name
    assert (project / "notes.md").read_text() == "Ideas for next week.\n"
    assert "C = 0.5" in params.read_text()
    assert "[data]" in params.read_text()  # the new release's table arrived
    assert (project / "src/churn_model/features.py").is_file()
    assert stored_answers(project)["_commit"] == "v2.0.0"
    assert not list(project.rglob("*.rej"))
    conflicted = {
        name
        for name in project_files(project)
        if any(
            line.startswith(MARKER)
            for line in (project / name).read_text(errors="replace").splitlines()
        )
    }
    assert conflicted <= CONFLICTS_OF_YOUR_DATA, conflicted


# Files whose template lines this release rewrote where a student may also
# have written: CHANGELOG.md says how to resolve each.
CONFLICTS_OF_YOUR_DATA = {
    "README.md",
    "params.toml",
    "src/churn_model/data.py",
    "tests/test_inference.py",
}
