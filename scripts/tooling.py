"""Helpers shared by the template's scripts, benchmark and tests.

The one home of what they all need: the environment in which to run uv,
ruff, task and Copier; a snapshot of this checkout; and tagged releases of
it in a scratch git repository. Standard library only, because Copier's own
Python runs ``post_generate.py``, which imports it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The course workspace's commands (new, check, update-all, changed), which
# this repository's `task update-all` also runs.
COURSE_WORKSPACE_SCRIPT = ROOT / "template" / "workspace" / "scripts" / "workspace.py"


def tool_environment(bin_dir: Path | None = None, **overrides: str) -> dict[str, str]:
    """Return this process's environment for running the tools.

    ``VIRTUAL_ENV`` is dropped: it names the environment Copier (or pytest)
    runs from, and uv would warn that it does not match the project.

    Args:
        bin_dir: A folder to put first on ``PATH`` (a venv's ``bin``).
        **overrides: Variables to set on top.
    """
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    if bin_dir is not None:
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env.update(overrides)
    return env


def data_args(answers: Mapping[str, object]) -> list[str]:
    """Copier's ``--data key=value`` options for ``answers`` (booleans lower case)."""
    args: list[str] = []
    for key, value in answers.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        args += ["--data", f"{key}={text}"]
    return args


def git(*args: str, cwd: Path) -> str:
    """Run git quietly in ``cwd`` and return its output; raise if it fails."""
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout


def snapshot_template(destination: Path, source: Path = ROOT) -> Path:
    """Copy the checkout's tracked and untracked-but-not-ignored files.

    Renders from this plain folder see the working tree as it is (committed
    or not) and never depend on the checkout's git state.
    """
    listed = git(
        "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=source
    )
    for name in filter(None, listed.split("\0")):
        if (source / name).is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target)
    return destination


# Identity of the commits made here when git has none configured (as in CI).
FALLBACK_IDENTITY = {"name": "Template Tooling", "email": "tooling@example.com"}


def init_repository(folder: Path) -> Path:
    """Create an empty git repository (branch ``main``) at ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    git("init", "--quiet", "--initial-branch=main", cwd=folder)
    return folder


def commit_all(
    repository: Path, message: str, fallback: dict[str, str] = FALLBACK_IDENTITY
) -> None:
    """Stage everything in ``repository`` and commit it.

    ``fallback`` (``name`` and ``email``) signs the commit where git has no
    identity configured.
    """
    git("add", "--all", cwd=repository)
    identity = []
    for key, value in fallback.items():
        configured = subprocess.run(
            ["git", "config", f"user.{key}"], cwd=repository, capture_output=True
        )
        if configured.returncode != 0:
            identity += ["-c", f"user.{key}={value}"]
    git(*identity, "commit", "--quiet", "--allow-empty", "-m", message, cwd=repository)


def commit_and_tag(repository: Path, tag: str) -> None:
    """Commit everything in ``repository`` as release ``tag`` and tag it."""
    commit_all(repository, f"Release {tag}")
    git("tag", tag, cwd=repository)


def release_repository(destination: Path, first_tag: str) -> Path:
    """Make ``destination`` a git repository of this checkout, tagged ``first_tag``."""
    init_repository(snapshot_template(destination))
    commit_and_tag(destination, first_tag)
    return destination


# Local stand-ins for the Dockerfile's base images, built by
# scripts/offline_docker.sh where no registry can be reached.
OFFLINE_BASE_IMAGES = {
    "PYTHON_IMAGE": "local/python:3.11-slim-bookworm",
    "UV_IMAGE": "local/uv:offline",
}
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def docker_answers(*args: str) -> bool:
    """Tell whether ``docker <args>`` succeeds (``docker info``: a daemon answers)."""
    try:
        completed = subprocess.run(["docker", *args], capture_output=True, check=False)
    except OSError:
        return False
    return completed.returncode == 0


def offline_base_images() -> dict[str, str]:
    """``PYTHON_IMAGE`` and ``UV_IMAGE`` of the local stand-ins that exist.

    ``task docker:build`` and ``compose.yaml`` pass these variables on to the
    Dockerfile as its base images.
    """
    return {
        name: image
        for name, image in OFFLINE_BASE_IMAGES.items()
        if docker_answers("image", "inspect", image)
    }


def build_secrets() -> list[str]:
    """``docker build`` arguments handing uv the host's CA bundle, if any.

    Networks that intercept TLS (like this CI's) need it to reach the index.
    """
    if not HOST_CA_BUNDLE.is_file():
        return []
    return ["--secret", f"id=ca_bundle,src={HOST_CA_BUNDLE}"]
