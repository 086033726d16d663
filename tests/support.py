"""Helpers shared by the template's tests: run commands, render with Copier.

Everything here drives the real tools (Copier's CLI, uv, ruff, task) in
subprocesses; nothing is mocked.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

import yaml

from extensions.uv_workspace import glob_to_regex
from scripts.tooling import docker_answers, offline_base_images, tool_environment

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

# The ``render`` and ``installed`` fixtures: answer-set name -> project folder.
Render = Callable[[str], Path]
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


def copier_command(*args: str | Path) -> list[str]:
    """Return the command line that runs Copier's CLI from this environment."""
    return [sys.executable, "-m", "copier", *map(str, args)]


def data_args(answers: Mapping[str, object]) -> list[str]:
    """Turn answers into ``--data key=value`` arguments."""
    args: list[str] = []
    for key, value in answers.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        args += ["--data", f"{key}={text}"]
    return args


def copier_copy(
    template: Path,
    destination: Path,
    answers: Mapping[str, object] | None = None,
    *,
    skip_tasks: bool = True,
    vcs_ref: str | None = None,
    quiet: bool = True,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Render ``template`` (at git ref ``vcs_ref``) into ``destination``."""
    flags = ["--trust", "--defaults", *(["--quiet"] if quiet else [])]
    if skip_tasks:
        flags.append("--skip-tasks")
    if vcs_ref:
        flags += ["--vcs-ref", vcs_ref]
    command = copier_command(
        "copy", *flags, *data_args(answers or {}), template, destination
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    return run(command, destination.parent, env=env, check=check)


def copier_update(
    project: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``copier update`` on ``project`` non-interactively."""
    command = copier_command("update", "--trust", "--defaults", *args, project)
    return run(command, project.parent, env=env, check=check)


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


def docker_excludes(dockerignore: Path, path: str) -> bool:
    """Tell whether the build context leaves ``path`` out, as Docker decides.

    The last matching pattern wins; ``!`` re-includes; a pattern that matches
    a folder matches everything below it.
    """
    excluded = False
    prefixes = [path.split("/")[: i + 1] for i in range(path.count("/") + 1)]
    for line in dockerignore.read_text("utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        # Docker's patterns follow the same glob rules as uv's member globs.
        pattern = glob_to_regex(line.removeprefix("!"))
        if any(pattern.match("/".join(prefix)) for prefix in prefixes):
            excluded = not negated
    return excluded


def image_paths(package: str, prefix: str = "") -> tuple[list[str], list[str]]:
    """Paths of an assignment its image must not hold, and paths it needs.

    Out: secrets, the student's plans and tests, tooling and local state.
    """
    kept_out = [
        ".env",
        ".env.local",
        ".env.production",
        ".copier-answers.yml",
        "ai_docs/spec_v1.md",
        "tests/test_api.py",
        "scripts/template_update.py",
        "CLAUDE.md",
        "Taskfile.yml",
        "compose.yaml",
        "Dockerfile",
        "models/model.skops",
        "reports/confusion_matrix.png",
        ".venv/bin/python",
        ".task/checksum/train",
        f"src/{package}/__pycache__/api.cpython-311.pyc",
    ]
    sent = [
        "pyproject.toml",
        "README.md",
        ".python-version",
        ".streamlit/config.toml",
        f"src/{package}/api.py",
    ]
    return [prefix + path for path in kept_out], [prefix + path for path in sent]


def docker_available() -> bool:
    """Tell whether a Docker daemon answers."""
    return docker_answers("info")


NO_DOCKER = (
    "no Docker daemon answers here; `scripts/offline_docker.sh start` (as root) "
    "provides one, as .ci/run does"
)


def wait_for(url: str, body: object = None, timeout: float = 90.0) -> bytes:
    """GET (or POST ``body`` as JSON to) ``url`` until it answers 200."""
    deadline = time.monotonic() + timeout
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    while True:
        try:
            request = urllib.request.Request(url, data=data, headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.read()
        except (urllib.error.URLError, ConnectionError) as error:
            if time.monotonic() > deadline:
                raise AssertionError(f"{url} did not answer in {timeout} s") from error
            time.sleep(0.5)


def wait_for_json(url: str, body: object = None, timeout: float = 90.0) -> object:
    """Like :func:`wait_for`, and return the answer's JSON."""
    return json.loads(wait_for(url, body, timeout))


class Container(NamedTuple):
    """A running container: its id and the URL of its published port."""

    id: str
    url: str


@contextmanager
def running_container(image: str, port: int = 8000) -> Iterator[Container]:
    """Run ``image`` detached, its ``port`` published on loopback."""
    started = run(
        ["docker", "run", "--detach", "--publish", f"127.0.0.1::{port}", image],
        TEMPLATE_ROOT,
    )
    container = started.stdout.strip()
    try:
        address = run(["docker", "port", container, str(port)], TEMPLATE_ROOT)
        yield Container(container, "http://" + address.stdout.splitlines()[0].strip())
    finally:
        run(["docker", "rm", "--force", container], TEMPLATE_ROOT, check=False)


def docker_env() -> dict[str, str]:
    """The tools' environment for docker builds (offline base images if present)."""
    return tool_env(**offline_base_images())


def stored_answers(project: Path) -> dict[str, object]:
    """Read the answers Copier recorded in a rendered project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))


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
        files.add("docs/performance.md")
        files |= {
            f"src/{package}/{module}.py"
            for module in ("api", "monitoring", "prediction_log", "schemas", "traffic")
        }
        files |= {"tests/test_api.py", "tests/test_monitoring.py"}
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


def check_workflows(workflows: Sequence[Path]) -> None:
    """Fail unless GitHub's schema, actionlint and zizmor accept ``workflows``."""
    schema = ["--builtin-schema", "vendor.github-workflows"]
    run([VENV_BIN / "check-jsonschema", *schema, *workflows], TEMPLATE_ROOT)
    run([VENV_BIN / "actionlint", "-no-color", *workflows], TEMPLATE_ROOT)
    result = run([VENV_BIN / "zizmor", "--offline", *workflows], TEMPLATE_ROOT)
    assert "No findings" in result.stdout, result.stdout
