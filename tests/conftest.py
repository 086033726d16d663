"""Fixtures shared by the template's tests.

Renders are expensive enough to share: each answer set is rendered once per
test session into a folder that every pytest-xdist worker sees, guarded by a
file lock. Tests treat shared renders as read-only and copy them before
changing anything.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from support import copier_copy, exclusive, snapshot_template

Render = Callable[[str], Path]

# Answer sets of the render matrix, by name. The destination folder is always
# "churn-model", so the defaults derive "Churn Model" / churn_model from it.
ANSWER_SETS: dict[str, dict[str, object]] = {
    "default": {},
    "quirky": {
        "project_name": 'Ünïcode "Quoted" Model',
        "project_slug": "quirky-model",
        "package_name": "quirky",
        "description": 'Say "hi" \\ path C:\\tmp, $HOME, `cmd`, {{ raw }} {% x %} é ✓',
        "author_name": 'O\'Brien "Bob" \\ Smith',
        "author_email": "bob+mlops@example.org",
        "python_version": "3.13",
    },
    "python312": {"python_version": "3.12", "project_name": "Second Model"},
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


@pytest.fixture(scope="session")
def render(shared_dir: Path, template_dir: Path) -> Render:
    """Return a function that renders an answer set once and gives its folder."""

    def rendered(name: str) -> Path:
        folder = shared_dir / "renders" / name
        project = folder / "churn-model"
        with exclusive(shared_dir / "renders" / f"{name}.lock"):
            if not (folder / "done").exists():
                shutil.rmtree(folder, ignore_errors=True)
                folder.mkdir(parents=True)
                copier_copy(template_dir, project, ANSWER_SETS[name])
                (folder / "done").touch()
        return project

    return rendered


@pytest.fixture
def answers_of() -> Callable[[str], Mapping[str, object]]:
    """Return the answer set of a given name."""
    return ANSWER_SETS.__getitem__
