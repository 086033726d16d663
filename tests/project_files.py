"""What a rendered project holds: its files, their bytes, its git state."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from tests.processes import run


def project_files(project: Path) -> set[str]:
    """Return the project's files, relative, without tool caches and the venv."""
    skipped = {".venv", ".ruff_cache", ".pytest_cache", "__pycache__", ".task", ".git"}
    return {
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file() and not skipped & set(path.relative_to(project).parts)
    }


def folder_contents(folder: Path) -> dict[str, bytes | None]:
    """Every file (with its bytes) and folder (``None``) below ``folder``.

    The ``.git`` folder is left out (compare :func:`git_state` instead), and
    so is the bytecode Python caches in ``__pycache__`` when it runs a script.
    """
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        if path.is_file()
        else None
        for path in folder.rglob("*")
        if not {".git", "__pycache__"} & set(path.relative_to(folder).parts)
    }


def git_state(repository: Path) -> dict[str, str]:
    """What git records beyond the files: the index (stages too) and HEAD."""
    return {
        "index": run(["git", "ls-files", "--stage", "-z"], repository).stdout,
        "head": run(["git", "rev-parse", "HEAD"], repository).stdout,
    }


def owned_copy(installed_project: Path, destination: Path) -> Path:
    """Copy a shared installed project for a test that changes it, and sync it.

    The copy gets its own ``.venv`` (a copied one would still import the
    shared project's code), installed from the shared uv cache.
    """
    shutil.copytree(
        installed_project,
        destination,
        ignore=shutil.ignore_patterns(".venv", ".task", ".pytest_cache"),
    )
    run(["uv", "sync", "--frozen", "--quiet"], destination)
    return destination


def expected_files(answers: Mapping[str, object]) -> set[str]:
    """The exact file set of an assignment rendered with ``answers``."""
    package = answers["package_name"]
    api, ui, docker = (
        bool(answers[key]) for key in ("include_api", "include_ui", "include_docker")
    )
    files = {
        ".copier-answers.yml",
        ".env.example",
        ".gitignore",
        ".python-version",
        "CLAUDE.md",
        "README.md",
        "Taskfile.yml",
        "ai_docs/spec_v1.md",
        "data/README.md",
        "params.toml",
        "pyproject.toml",
        "scripts/specs.py",
        "scripts/template_update.py",
        f"src/{package}/__init__.py",
        f"src/{package}/config.py",
        f"src/{package}/data.py",
        f"src/{package}/evaluate.py",
        f"src/{package}/features.py",
        f"src/{package}/inference.py",
        f"src/{package}/model_io.py",
        f"src/{package}/params.py",
        f"src/{package}/train.py",
        "tests/conftest.py",
        "tests/test_config.py",
        "tests/test_data.py",
        "tests/test_inference.py",
        "tests/test_model_behaviour.py",
        "tests/test_model_io.py",
        "tests/test_params.py",
        "tests/test_train.py",
    }
    if answers.get("tracking", "mlflow") == "mlflow":
        files |= {f"src/{package}/tracking.py", "tests/test_tracking.py"}
    if api:
        files |= {"docs/performance.md", "tests/test_api.py"}
        files |= {f"src/{package}/{module}.py" for module in ("api", "schemas")}
    if api and answers.get("monitoring", True):
        files.add("tests/test_monitoring.py")
        files |= {
            f"src/{package}/{module}.py"
            for module in ("monitoring", "prediction_log", "retrain", "traffic")
        }
    if ui:
        files |= {f"src/{package}/ui.py", ".streamlit/config.toml", "tests/test_ui.py"}
    if docker:
        member = bool(answers.get("workspace_member"))
        files |= {
            "docs/docker.md",
            "Dockerfile",
            "Dockerfile.dockerignore" if member else ".dockerignore",
        }
    if docker and (api or ui):
        files.add("compose.yaml")
    if not answers.get("workspace_member"):  # the root checks a member
        files |= {
            ".github/workflows/ci.yml",
            ".pre-commit-config.yaml",
            "scripts/check_answers.py",
        }
    return files


# The exact file set of a rendered course workspace (`kind=workspace`).
WORKSPACE_FILES = {
    ".copier-answers.yml",
    ".github/workflows/ci.yml",
    ".github/workflows/template-updates.yml",
    ".gitignore",
    ".pre-commit-config.yaml",
    ".python-version",
    "CLAUDE.md",
    "README.md",
    "Taskfile.yml",
    "pyproject.toml",
    "scripts/check_answers.py",
    "scripts/template_update.py",
    "scripts/workspace.py",
}
