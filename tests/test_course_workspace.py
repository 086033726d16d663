"""The course workspace (`kind=workspace`): rendered, installed and used.

A shared workspace is copied once per worker with its tasks (``uv sync``,
the first commit, the git hooks) and only read. The lifecycle test owns its
own workspace and walks a student's path through it: two assignments,
``task check``, commits through the hooks, and an update of the root.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from scripts.tooling import COURSE_WORKSPACE_SCRIPT, commit_all, init_repository
from tests.copier_runs import copier_copy, stored_answers
from tests.linters import check_workflows
from tests.processes import CONFLICT_MARKER, run, tool_env
from tests.project_files import WORKSPACE_FILES, folder_contents, project_files
from tests.releases import NEW, OLD

ASSIGNMENT_QUESTIONS = (
    "package_name",
    "dataset",
    "include_api",
    "include_ui",
    "include_docker",
    "workspace_member",
    "workspace_path",
)

# Every section of the course's workflow guide (workspace-workflow.md), and
# the heading of the workspace CLAUDE.md that carries it.
WORKFLOW_SECTIONS = {
    "1. Problem Analysis & Planning": "### 1. Problem analysis and planning",
    "2. Plan Structure": "### 2. Plan structure",
    "3. Plan Verification": "### 3. Plan verification",
    "4. Implementation Execution": "### 4. Implementation execution",
    "5. Progress Communication": "### 5. Progress communication",
    "6. Simplicity Principle": "### 6. Simplicity principle",
    "7. Review & Documentation": "### 7. Review and documentation",
    "Code Organization": "### Code organization",
    "Dependency Management": "### Dependency management",
    "Error Handling": "### Error handling",
    "Performance Considerations": "### Performance considerations",
    "After Implementation": "## After implementation",
    "MLOps Focus": "## MLOps focus",
    "Key Technologies": "### Key technologies",
    "Assignment Structure": "### Assignment structure",
}


@pytest.fixture(scope="module")
def workspace(template_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course workspace copied with its tasks (read-only)."""
    root = tmp_path_factory.mktemp("course") / "my-course"
    copier_copy(template_dir, root, {"kind": "workspace"}, skip_tasks=False)
    return root


def task(root: Path, *args: str, check: bool = True, **env: str) -> str:
    """Run ``uv run task <args>`` in ``root``; return its combined output."""
    result = run(["uv", "run", "task", *args], root, env=tool_env(**env), check=check)
    return result.stdout + result.stderr


def commit(root: Path, message: str) -> tuple[int, str]:
    """``git commit -a`` through the hooks; return the exit code and output."""
    run(["git", "add", "--all"], root)
    result = run(["git", "commit", "-q", "-m", message], root, check=False)
    return result.returncode, result.stdout + result.stderr


def head(root: Path) -> str:
    """Return the commit that HEAD names."""
    return run(["git", "rev-parse", "HEAD"], root).stdout.strip()


def test_workspace_file_set_is_exact(workspace: Path) -> None:
    assert project_files(workspace) == WORKSPACE_FILES | {"uv.lock"}
    for name in WORKSPACE_FILES:
        assert "{%" not in (workspace / name).read_text(), name


def test_workspace_asks_no_assignment_question(workspace: Path) -> None:
    answers = stored_answers(workspace)

    assert answers["kind"] == "workspace"
    assert not set(ASSIGNMENT_QUESTIONS) & set(answers)
    pyproject = (workspace / "pyproject.toml").read_text()
    assert 'members = ["assignments/*"]' in pyproject


def test_workspace_starts_as_a_clean_repository_with_its_hooks(
    workspace: Path,
) -> None:
    log = run(["git", "log", "--format=%s"], workspace).stdout.splitlines()

    assert log == ["Start the course workspace from the template"]
    assert run(["git", "status", "--porcelain"], workspace).stdout == ""
    assert (workspace / ".git" / "hooks" / "pre-commit").is_file()


def test_claude_md_covers_every_section_of_the_workflow_guide(
    workspace: Path,
) -> None:
    guide = (workspace / "CLAUDE.md").read_text()
    headings = set(guide.splitlines())

    missing = [s for s, heading in WORKFLOW_SECTIONS.items() if heading not in headings]
    assert not missing
    for command in ("task new --", "task check", "task spec:new --", "update-all"):
        assert command in guide
    assert "ai_docs/spec_v<N>.md" in guide


def test_workspace_workflows_pass_schema_actionlint_and_zizmor(
    workspace: Path,
) -> None:
    workflows = sorted((workspace / ".github" / "workflows").glob("*.yml"))

    assert [path.name for path in workflows] == ["ci.yml", "template-updates.yml"]
    check_workflows(workflows)


def test_workspace_python_is_formatted_and_lint_clean(workspace: Path) -> None:
    run(["uv", "run", "ruff", "format", "--check", "."], workspace)
    run(["uv", "run", "ruff", "check", "."], workspace)


def test_hooks_pass_on_every_file_offline(workspace: Path) -> None:
    output = task(workspace, "hooks", UV_OFFLINE="1")

    assert "Failed" not in output
    assert run(["git", "status", "--porcelain"], workspace).stdout == ""


def test_new_refuses_bad_names_and_existing_folders(workspace: Path) -> None:
    before = folder_contents(workspace)
    for name in ("../escape", "Bad Name", ".hidden"):
        result = run(
            ["python3", "scripts/workspace.py", "new", name], workspace, check=False
        )
        assert result.returncode == 2
        assert "assignment name" in result.stderr
    assert folder_contents(workspace) == before


def test_check_without_assignments_says_how_to_start_one(workspace: Path) -> None:
    output = task(workspace, "check")

    assert "task new -- <name>" in output


@pytest.fixture(scope="module")
def course_with_member(
    template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """A course workspace with one assignment, ``assignments/x.y`` (read-only).

    The assignment is copied without its tasks, so it is not installed: tests
    run ``task`` through ``uv run --no-sync``, which leaves the lock alone.
    """
    root = tmp_path_factory.mktemp("course-with-member") / "my-course"
    copier_copy(template_dir, root, {"kind": "workspace"}, skip_tasks=False)
    task(root, "new", "--", "x.y", "--defaults", "--skip-tasks")
    return root


def refusal(root: Path, *args: str) -> str:
    """Run ``task <args>``, which must refuse; return its one ``Error:`` line.

    A refusal exits non-zero, prints no traceback and exactly one line that
    starts with ``Error:``, and changes no file of the workspace.
    """
    before = folder_contents(root)
    command = ["uv", "run", "--no-sync", "task", *args]
    result = run(command, root, check=False)
    output = result.stdout + result.stderr

    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    errors = [line for line in output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, output
    assert folder_contents(root) == before
    return errors[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["x-y"],
            "project_slug 'x-y' is already the name of assignments/x.y",
            id="same-slug",
        ),
        pytest.param(
            ["x_y"],
            "project_slug 'x-y' is already the name of assignments/x.y",
            id="same-slug-from-another-folder-name",
        ),
        pytest.param(
            ["other", "--data", "package_name=x_y"],
            "package_name 'x_y' is already the import name of assignments/x.y",
            id="same-package",
        ),
        pytest.param(
            ["my-course"],
            "project_slug 'my-course' is already the name of the workspace root",
            id="name-of-the-root",
        ),
    ],
)
def test_new_refuses_a_name_another_member_has(
    course_with_member: Path, args: list[str], message: str
) -> None:
    line = refusal(course_with_member, "new", "--", *args, "--defaults")

    assert message in line
    assert "choose another, for example: --data " in line
    assert f"nothing was written to assignments/{args[0]}" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["class"], "package_name must not be a Python keyword", id="kw"),
        pytest.param(["json"], "standard-library or pytest module 'json'", id="json"),
        pytest.param(["a" * 90], "project_name must be at most 80", id="long"),
        pytest.param(
            ["st", "--data", "dataset=mnist"],
            "Invalid choice for 'dataset'",
            id="choice",
        ),
    ],
)
def test_new_reports_an_answer_copier_refuses_in_one_error_line(
    course_with_member: Path, args: list[str], message: str
) -> None:
    line = refusal(course_with_member, "new", "--", *args, "--defaults")

    assert message in line
    assert f"nothing was written to assignments/{args[0]}; answer with --data " in line


@pytest.mark.parametrize("name", ["nope", "../..", "/tmp", "assignments/x.y"])
def test_check_refuses_a_name_that_is_not_an_assignment(
    course_with_member: Path, name: str
) -> None:
    line = refusal(course_with_member, "check", "--", name)

    assert line == (
        f"Error: no assignment {name!r} in assignments/; name one of x.y, "
        "for example: task check -- x.y"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["spec:list"], "task spec:list needs the name of an assignment"),
        (["spec:new"], "task spec:new needs the name of an assignment"),
        (["spec:list", "--", "../.."], "no assignment '../..' in assignments/"),
        (["spec:new", "--", "assignments"], "no assignment 'assignments' in"),
    ],
)
def test_spec_commands_need_the_name_of_an_assignment(
    course_with_member: Path, args: list[str], message: str
) -> None:
    line = refusal(course_with_member, *args)

    assert message in line
    assert line.endswith(f"name one of x.y, for example: task {args[0]} -- x.y")


def fake_assignment(root: Path, name: str) -> None:
    """Write the answers file that marks ``assignments/<name>`` as generated."""
    folder = root / "assignments" / name
    folder.mkdir(parents=True)
    (folder / ".copier-answers.yml").write_text(
        "# Answers of the mlops-assignment-template Copier template\nkind: assignment\n"
    )
    (folder / "README.md").write_text(f"# {name}\n")


def test_changed_lists_the_assignments_a_commit_touched(tmp_path: Path) -> None:
    root = init_repository(tmp_path / "course")
    for name in ("alpha", "beta", "gamma"):
        fake_assignment(root, name)
    (root / "uv.lock").write_text("version = 1\n")
    commit_all(root, "three assignments")
    base = head(root)

    def changed(revision: str) -> list[str]:
        result = run(["python3", COURSE_WORKSPACE_SCRIPT, "changed", revision], root)
        return json.loads(result.stdout)

    (root / "assignments" / "beta" / "README.md").write_text("# beta, changed\n")
    commit_all(root, "change beta")
    assert changed(base) == ["beta"]
    assert changed("0" * 40) == ["alpha", "beta", "gamma"]  # a new branch
    (root / "uv.lock").write_text("version = 2\n")
    commit_all(root, "change the shared lock")
    assert changed(base) == ["alpha", "beta", "gamma"]
    assert changed("HEAD") == []


@pytest.mark.slow
def test_a_student_starts_checks_commits_and_updates_a_workspace(
    releases: Path, tmp_path: Path
) -> None:
    root = tmp_path / "my-course"
    copier_copy(releases, root, {"kind": "workspace"}, skip_tasks=False, vcs_ref=OLD)

    # Light members: a member's code and tests are the standalone
    # assignment's (only its Taskfile's setup and its Docker files differ,
    # checked elsewhere), and the default set runs its whole check in
    # test_end_to_end.py. The first is the service shape (the API and its
    # image); the second is the lean shape, for regression.
    light = ["--data", "tracking=none", "--data", "include_ui=false"]
    task(root, "new", "--", "alpha", "--defaults", *light, "--data", "monitoring=false")
    lean = [*light, "--data", "include_api=false", "--data", "include_docker=false"]
    task(root, "new", "--", "beta", "--defaults", *lean, "--data", "dataset=diabetes")

    for name in ("alpha", "beta"):
        member = root / "assignments" / name
        assert stored_answers(member)["workspace_member"] is True
        assert not (member / "uv.lock").exists()
        assert not (member / ".venv").exists()
        assert f'name = "{name}"' in (root / "uv.lock").read_text()
    summary = task(root, "check")
    assert re.search(r"assignments/alpha\s+passed", summary)
    assert re.search(r"assignments/beta\s+passed", summary)
    assert "2 passed, 0 failed" in summary
    assert "spec_v1.md" in task(root, "spec:list", "--", "alpha")

    code, output = commit(root, "Start two assignments")
    assert code == 0, output
    assert run(["git", "status", "--porcelain"], root).stdout == ""

    # A conflict left by an update is refused by the hooks, and kept.
    readme = root / "assignments" / "alpha" / "README.md"
    marked = readme.read_text() + f"{CONFLICT_MARKER}\nmine\n=======\ntheirs\n"
    readme.write_text(marked + ">>>>>>> after updating\n")
    committed = head(root)
    code, output = commit(root, "Commit a conflict by mistake")
    assert code != 0
    assert "Merge conflict string" in output
    assert head(root) == committed
    assert CONFLICT_MARKER in readme.read_text()
    run(["git", "reset", "-q", "--hard"], root)

    # So is an answers file edited by hand, even with other files of its
    # assignment staged with it.
    answers = root / "assignments" / "beta" / ".copier-answers.yml"
    answers.write_text(answers.read_text().replace("diabetes", "wine"))
    (root / "assignments" / "beta" / "README.md").write_text("# Beta\n")
    code, output = commit(root, "Edit the answers by hand")
    assert code != 0
    assert "assignments/beta/.copier-answers.yml: edited by hand" in output
    run(["git", "reset", "-q", "--hard"], root)

    # Updating the root leaves every assignment byte-identical.
    assignments = folder_contents(root / "assignments")
    run(["python3", "scripts/template_update.py", "--vcs-ref", NEW], root)
    assert stored_answers(root)["_commit"] == NEW
    assert "Push before the deadline." in (root / "README.md").read_text()
    assert folder_contents(root / "assignments") == assignments


def test_new_asks_only_the_assignments_own_questions(
    template_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "my-course"
    author = {"author_name": "Ada O'Brien", "author_email": "ada@example.org"}
    copier_copy(template_dir, root, {"kind": "workspace", **author}, in_process=True)
    new = ["python3", "scripts/workspace.py", "new", "gamma", "--defaults"]
    choices = [
        "--skip-tasks",
        "--data",
        "kind=workspace",
        "--data",
        "python_version=3.13",
    ]

    run([*new, *choices], root)

    answers = stored_answers(root / "assignments" / "gamma")
    assert answers["kind"] == "assignment"
    assert answers["workspace_member"] is True
    assert answers["workspace_path"] == "assignments/gamma"
    assert answers["python_version"] == stored_answers(root)["python_version"]
    assert {key: answers[key] for key in author} == author
