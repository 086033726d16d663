"""Fixtures shared by the template's tests.

Renders are expensive enough to share: each answer set is rendered once per
test session into a folder that every pytest-xdist worker sees, guarded by a
file lock. Tests treat shared renders as read-only and copy them before
changing anything.
"""

from __future__ import annotations

import functools
import itertools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from releases import FAILING_TASK, build_releases
from support import copier_copy, exclusive, snapshot_template

Render = Callable[[str], Path]

# Answer sets of the render matrix, by name. The destination folder is always
# "churn-model", so the defaults derive "Churn Model" / churn_model from it.
# The matrix: every combination of the three components (with iris), every
# dataset (with the defaults), and answers that stress names and quoting.
COMPONENTS = ("include_api", "include_ui", "include_docker")
ANSWER_SETS: dict[str, dict[str, object]] = {
    "default": {},
    **{
        "components-" + "-".join("on" if flag else "off" for flag in flags): dict(
            zip(COMPONENTS, flags, strict=True)
        )
        for flags in itertools.product((True, False), repeat=3)
        if not all(flags)
    },
    **{f"dataset-{name}": {"dataset": name} for name in ("wine", "breast_cancer")},
    "diabetes": {"dataset": "diabetes"},
    "quirky": {
        "project_name": 'Ünïcode "Quoted" Model',
        "project_slug": "quirky-model",
        "package_name": "quirky",
        "description": 'Say "hi" \\ path C:\\tmp, $HOME, `cmd`, {{ raw }} {% x %} é ✓',
        "author_name": 'O\'Brien "Bob" \\ Smith',
        "author_email": "bob+mlops@example.org",
    },
    "long-names": {
        "project_slug": "a" * 10 + "-b" * 20,
        "package_name": "p" * 50,
    },
    # Only 3.11 is installed here, so these two are rendered, not installed.
    "python-3.12": {"python_version": "3.12"},
    "python-3.13": {"python_version": "3.13"},
}


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder shared by every xdist worker of this session."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session")
def template_dir(shared_dir: Path) -> Path:
    """A snapshot of the template's working tree, made once per session."""
    target = shared_dir / "template"
    with exclusive(shared_dir / "template.lock"):
        if not (target / "copier.yml").exists():
            snapshot_template(target)
    return target


def shared_render(shared_dir: Path, template: Path, kind: str, name: str) -> Path:
    """Render answer set ``name`` once per session, for every xdist worker.

    ``kind`` is "raw" (``--skip-tasks``: the files exactly as rendered) or
    "installed" (with the tasks: ``uv sync`` and ``ruff format``).
    """
    folder = shared_dir / kind / name
    project = folder / "churn-model"
    with exclusive(shared_dir / kind / f"{name}.lock"):
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            copier_copy(template, project, ANSWER_SETS[name], skip_tasks=kind == "raw")
            (folder / "done").touch()
    return project


@pytest.fixture(scope="session")
def render(shared_dir: Path, template_dir: Path) -> Render:
    """Return a function giving the raw render of an answer set (read-only)."""
    return functools.partial(shared_render, shared_dir, template_dir, "raw")


@pytest.fixture(scope="session")
def installed(shared_dir: Path, template_dir: Path) -> Render:
    """Return a function giving an answer set copied with its tasks run."""
    return functools.partial(shared_render, shared_dir, template_dir, "installed")


@pytest.fixture(scope="session")
def releases(shared_dir: Path, template_dir: Path) -> Path:
    """A git repository of the template's releases (see ``releases.py``)."""
    repository = shared_dir / "releases"
    with exclusive(shared_dir / "releases.lock"):
        if not (repository / ".git" / "refs" / "tags" / FAILING_TASK).exists():
            build_releases(template_dir, repository)
    return repository
