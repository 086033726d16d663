"""Docker: the build context, the daemon, containers and what they answer."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from extensions.uv_workspace import glob_to_regex
from scripts.tooling import docker_answers, offline_base_images
from tests.processes import TEMPLATE_ROOT, run, tool_env


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
