"""The git hooks keep their promises, whatever else a commit stages.

The workspace and a standalone assignment share one hook configuration and
one ``check_answers.py``. Each test that commits copies its own course
workspace with its tasks (a git repository with the hooks installed and its
tools synced, about 2 s) and commits through the real hooks (pre-commit).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.copier_runs import Render, copier_copy
from tests.processes import run

ANSWERS = ".copier-answers.yml"
MEGABYTE = 1024 * 1024


@pytest.fixture
def course(template_dir: Path, tmp_path: Path) -> Path:
    """A course workspace of its own, with its first commit and its hooks."""
    root = tmp_path / "my-course"
    copier_copy(template_dir, root, {"kind": "workspace"}, skip_tasks=False)
    return root


def commit(root: Path, message: str) -> tuple[int, str]:
    """Stage everything and commit through the hooks; return the code and output."""
    run(["git", "add", "--all"], root)
    result = run(["git", "commit", "-q", "-m", message], root, check=False)
    return result.returncode, result.stdout + result.stderr


def head(root: Path) -> str:
    """Return the commit that HEAD names."""
    return run(["git", "rev-parse", "HEAD"], root).stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in the file at ``path``."""
    text = path.read_text("utf-8")
    assert old in text, path
    path.write_text(text.replace(old, new), "utf-8")


def check_answers(project: Path, answers: Path) -> int:
    """Run the project's answers hook on ``answers``, outside git; return its code."""
    script = project / "scripts" / "check_answers.py"
    return run(["python3", script, answers], answers.parent, check=False).returncode


@pytest.mark.parametrize("name", ["default", "names"])
def test_the_digest_copier_writes_is_the_one_the_hook_computes(
    render: Render, tmp_path: Path, name: str
) -> None:
    project = render(name)
    answers = shutil.copy(project / ANSWERS, tmp_path / ANSWERS)

    assert check_answers(project, answers) == 0
    edited = re.sub(
        r"(?m)^project_name: .*$", "project_name: Edited", answers.read_text()
    )
    answers.write_text(edited)
    assert check_answers(project, answers) == 1


def test_the_root_answers_edited_by_hand_are_refused_with_other_files(
    course: Path,
) -> None:
    committed = head(course)
    edit(course / ANSWERS, "description: The MLOps", "description: My")
    (course / "README.md").write_text("# My course\n")

    code, output = commit(course, "Edit the answers by hand, and the README")

    assert code != 0
    assert f"{ANSWERS}: edited by hand" in output
    assert "git restore --staged --worktree .copier-answers.yml" in output
    assert head(course) == committed


def test_answers_without_a_digest_fall_back_to_the_older_rule(course: Path) -> None:
    # As an answers file written before the digest existed: a hand edit is
    # only recognised when the file is staged without the rest of its project.
    answers = course / ANSWERS
    lines = answers.read_text("utf-8").splitlines(keepends=True)
    assert lines[-1].startswith("# sha256: ")
    answers.write_text("".join(lines[:-1]), "utf-8")
    committed = head(course)

    code, output = commit(course, "Answers alone")
    assert code != 0
    assert f"{ANSWERS}: changed on its own" in output
    assert head(course) == committed

    (course / "README.md").write_text("# My course\n")
    code, output = commit(course, "Answers with the README")
    assert code == 0, output


def test_a_tracked_file_grown_past_one_megabyte_is_refused(course: Path) -> None:
    data = course / "data.csv"
    data.write_text("x\n1\n")
    code, output = commit(course, "Small data")
    assert code == 0, output
    committed = head(course)

    data.write_text("x\n" + "1\n" * MEGABYTE)  # 2 MB
    code, output = commit(course, "The same file, grown")

    assert code != 0
    assert "data.csv (2049 KB) exceeds 1024 KB." in output
    assert head(course) == committed


def test_a_lock_file_past_one_megabyte_is_committed(course: Path) -> None:
    # uv writes the lock and it must be committed; a workspace's lock with the
    # default assignments is already about 0.95 MB.
    lock = course / "uv.lock"
    padding = "".join(f"# padding {i:08d} of a lock past 1 MB\n" for i in range(30_000))
    lock.write_text(lock.read_text() + padding)
    assert lock.stat().st_size > MEGABYTE

    code, output = commit(course, "A big lock")

    assert code == 0, output
