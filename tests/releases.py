"""Three releases of this template, for tests of `copier update`.

``build_releases`` turns a snapshot of the template into a git repository with
tags v1.0.0, v2.0.0 and v3.0.0, each later release editing files the way real
releases do, and two releases that fail (one does not render, one has a task
that fails) on side branches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scripts.tooling import commit_and_tag, git

Edit = tuple[str, str, str]  # (path in the template repository, old text, new text)

# What each release changes: template-managed files (Taskfile, .gitignore,
# source, pyproject dependencies), the student-owned seed plan, a question,
# and the course workspace's README.
RELEASES: dict[str, list[Edit]] = {
    "v2.0.0": [
        (
            "template/assignment/Taskfile.yml.jinja",
            "desc: Check formatting and lint rules without changing files",
            "desc: Check formatting and lint rules (ruff) without changing files",
        ),
        (
            "template/assignment/.gitignore",
            "# Tool caches\n",
            "# Notebook checkpoints\n.ipynb_checkpoints/\n\n# Tool caches\n",
        ),
        (
            "template/assignment/src/{{ package_name }}/inference.py",
            '"""Turn feature records into predictions with a loaded model.',
            '"""Turn feature records into predictions with a loaded sklearn model.',
        ),
        (
            "template/assignment/pyproject.toml.jinja",
            '    "matplotlib>=3.9",\n',
            '    "joblib>=1.3",\n    "matplotlib>=3.9",\n',
        ),
        (
            "template/assignment/ai_docs/spec_v1.md.jinja",
            "## Problem analysis\n",
            "## Problem analysis\n\nThe template's v2 wording of the plan.\n",
        ),
        (
            "copier.yml",
            "\ninclude_docker:\n",
            "\ncourse_code:\n  type: str\n  help: Code of the course\n"
            "  default: MLOPS-101\n\ninclude_docker:\n",
        ),
        (
            "template/assignment/README.md.jinja",
            "\n## Quick start\n",
            "\nCourse: {{ course_code }}.\n\n## Quick start\n",
        ),
    ],
    "v3.0.0": [
        (
            "template/assignment/Taskfile.yml.jinja",
            "desc: Format the code and apply safe lint fixes with ruff",
            "desc: Format the code with ruff and apply its safe lint fixes",
        ),
        (
            "template/assignment/.env.example.jinja",
            "# DEBUG, INFO, WARNING, ERROR or CRITICAL.\n",
            "# One of DEBUG, INFO, WARNING, ERROR or CRITICAL.\n",
        ),
        (
            "template/workspace/README.md.jinja",
            "## Submit\n",
            "## Submit\n\nPush before the deadline.\n",
        ),
    ],
}
OLD, MIDDLE, NEW = "v1.0.0", "v2.0.0", "v3.0.0"

# Releases that fail, tagged on side branches after NEW. Pre-release tags, so
# that `copier update` only takes them when asked with --vcs-ref.
BROKEN_RENDER, FAILING_TASK = "v4.0.0.dev1", "v4.0.0.dev2"
# A migration runs in the real project after the merge, so its failure comes
# after Copier changed files and the git index: everything must come back.
FAILING_MIGRATION = "v4.0.0.dev3"
BROKEN: dict[str, list[Edit]] = {
    # Files render in order; a change to an early one lands before the error.
    BROKEN_RENDER: [
        (
            "template/assignment/.gitignore",
            "# Tool caches\n",
            "# Release that fails to render\n.broken/\n\n# Tool caches\n",
        ),
        (
            "template/assignment/tests/test_train.py.jinja",
            '"""Tests of training',
            '"""{{ answer_that_does_not_exist }} Tests of training',
        ),
    ],
    FAILING_TASK: [
        (
            "template/assignment/.gitignore",
            "# Tool caches\n",
            "# Release whose task fails\n.failing/\n\n# Tool caches\n",
        ),
        ("copier.yml", "\n_tasks:\n", '\n_tasks:\n  - "exit 3"\n'),
    ],
    FAILING_MIGRATION: [
        (
            "template/assignment/.gitignore",
            "# Tool caches\n",
            "# Release whose migration fails\n.migrating/\n\n# Tool caches\n",
        ),
        ("copier.yml", "\n_migrations:\n", '\n_migrations:\n  - "exit 4"\n'),
    ],
}


def apply_edits(repository: Path, edits: list[Edit]) -> None:
    """Apply a release's edits, failing loudly if the template text moved."""
    for relative, old, new in edits:
        path = repository / relative
        text = path.read_text("utf-8")
        assert old in text, f"{relative} no longer contains {old!r}"
        path.write_text(text.replace(old, new, 1), "utf-8")


def build_releases(template_dir: Path, repository: Path) -> Path:
    """Create the tagged release history of the template at ``repository``."""
    shutil.rmtree(repository, ignore_errors=True)
    shutil.copytree(template_dir, repository)
    git("init", "--quiet", "--initial-branch=main", cwd=repository)
    commit_and_tag(repository, OLD)
    for tag, edits in RELEASES.items():
        apply_edits(repository, edits)
        commit_and_tag(repository, tag)
    for tag, edits in BROKEN.items():
        git("checkout", "--quiet", "-b", f"branch-{tag}", NEW, cwd=repository)
        apply_edits(repository, edits)
        commit_and_tag(repository, tag)
    git("checkout", "--quiet", "main", cwd=repository)
    return repository
