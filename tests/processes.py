"""Run the tools in subprocesses: the environment, the interpreters, locks."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from scripts.tooling import tool_environment

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]


def script_module(path: Path) -> ModuleType:
    """Import a script that assignments ship (not a package of this repository)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would; dataclasses need it
    spec.loader.exec_module(module)
    return module


# The marker Copier writes at a conflict, as the update engine knows it.
CONFLICT_MARKER = script_module(
    TEMPLATE_ROOT / "template" / "assignment" / "scripts" / "template_update.py"
).CONFLICT_MARKER

VENV_BIN = Path(sys.executable).parent

DEFAULT_TIMEOUT = 600


def tool_env(**overrides: str) -> dict[str, str]:
    """Return an environment for the tools: this venv's bin first, no VIRTUAL_ENV.

    uv never downloads Python (none is reachable here), and the user's uv cache
    is kept so that the whole suite shares one cache. Python may write
    bytecode, as on most students' machines: a project whose commands run
    Python several times (train, promote, serve, monitor) then compiles its
    imports once, not in every process, even where ``PYTHONDONTWRITEBYTECODE``
    is set for the suite itself.
    """
    identity = {
        f"GIT_{role}_{key}": os.environ.get(f"GIT_{role}_{key}", value)
        for role in ("AUTHOR", "COMMITTER")  # commits work without a git identity
        for key, value in (("NAME", "Template Tests"), ("EMAIL", "tests@example.com"))
    }
    env = tool_environment(
        VENV_BIN,
        UV_PYTHON_DOWNLOADS="never",
        UV_NO_PROGRESS="1",
        NO_COLOR="1",  # plain output from task, even when CI=true
        **identity,
        **overrides,
    )
    if "PYTHONDONTWRITEBYTECODE" not in overrides:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def find_python(version: str) -> str | None:
    """Path of a Python ``version`` interpreter on this machine, if any.

    Looks on ``PATH`` and among pyenv's versions (whose shims answer only
    for the selected version).
    """
    for folder in sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin")):
        candidate = folder / f"python{version}"
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(f"python{version}")
    return found if found and "shims" not in found else None


def python_env(version: str) -> dict[str, str]:
    """The tools' environment, in which uv finds Python ``version`` if it exists.

    pyenv's shims answer only for the selected version, so the folder of
    the interpreter itself goes first on ``PATH``.
    """
    interpreter = find_python(version) if version else None
    if interpreter is None:
        return tool_env()
    folder = str(Path(interpreter).parent)
    return tool_env(PATH=os.pathsep.join([str(VENV_BIN), folder, os.environ["PATH"]]))


def run(
    command: Sequence[str | Path],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> subprocess.CompletedProcess[str]:
    """Run a command, capture its output and fail with that output if asked."""
    completed = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env) if env is not None else tool_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"{' '.join(map(str, command))} exited {completed.returncode} in {cwd}\n"
            f"--- stdout ---\n{completed.stdout}\n--- stderr ---\n{completed.stderr}"
        )
    return completed


@contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_file`` (shared by all xdist workers)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
