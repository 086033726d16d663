"""The default assignment's images, built and run with a real Docker daemon.

One module-wide build of a private copy of the default assignment (its
``task docker:build``: the ``api`` and ``ui`` targets), then: what each image
holds, who runs it, what it answers, its health check, the compose stack,
and the web app in a real browser. Where no registry can be reached, the base
images are the local stand-ins of ``scripts/offline_docker.sh`` and uv gets
the host's CA bundle as a build secret.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from support import (
    NO_DOCKER,
    TEMPLATE_ROOT,
    Render,
    docker_available,
    docker_env,
    exclusive,
    run,
    running_container,
    wait_for,
    wait_for_json,
)
from tooling import build_secrets

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not docker_available(), reason=NO_DOCKER),
]

API_IMAGE, UI_IMAGE = "churn-model-api", "churn-model-ui"
RECORD = {
    "sepal_length_cm": 5.8,
    "sepal_width_cm": 3.0,
    "petal_length_cm": 4.35,
    "petal_width_cm": 1.3,
}
CHROMIUM = Path("/usr/bin/chromium")


def docker(*args: str, project: Path = TEMPLATE_ROOT) -> str:
    """Run a docker command and return its output."""
    return run(["docker", *args], project, env=docker_env(), timeout=1800).stdout


@pytest.fixture(scope="module")
def project(installed: Render, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the default assignment, its images built."""
    copy = shutil.copytree(
        installed("default"),
        tmp_path_factory.mktemp("images") / "churn-model",
        ignore=shutil.ignore_patterns(".venv", ".task", ".*cache"),
    )
    run(
        ["task", "docker:build", "--", *build_secrets()],
        copy,
        env=docker_env(),
        timeout=1800,
    )
    return copy


def image_size_mb(image: str) -> float:
    """The image's size in MB, as ``docker images`` reports it."""
    return int(docker("image", "inspect", "--format", "{{.Size}}", image)) / 1e6


def importable(image: str, module: str) -> bool:
    """Tell whether ``module`` can be imported inside ``image``."""
    probe = f"import importlib.util as u; print(u.find_spec({module!r}) is not None)"
    output = docker("run", "--rm", image, "python", "-c", probe)
    return output.strip() == "True"


@pytest.mark.usefixtures("project")
def test_each_image_holds_only_its_own_dependencies() -> None:
    sizes = {image: image_size_mb(image) for image in (API_IMAGE, UI_IMAGE)}
    print(f"image sizes: {json.dumps(sizes)}")  # also in `task benchmark`

    assert importable(API_IMAGE, "fastapi")
    assert not importable(API_IMAGE, "streamlit")
    assert not importable(API_IMAGE, "matplotlib")  # training's, not serving's
    assert importable(UI_IMAGE, "streamlit")
    assert not importable(UI_IMAGE, "fastapi")


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("image", [API_IMAGE, UI_IMAGE])
def test_runs_as_a_user_that_cannot_change_its_code_or_model(image: str) -> None:
    check = (
        "id -u; for path in /app /app/src /app/src/churn_model/api.py /app/models "
        "/app/models/model.skops /app/.venv/bin; do "
        '[ -w "$path" ] && echo "writable: $path"; done; true'
    )

    output = docker("run", "--rm", image, "sh", "-c", check).split()

    assert output == ["10001"]


@pytest.mark.usefixtures("project")
def test_api_container_answers_and_becomes_healthy() -> None:
    with running_container(API_IMAGE) as container:
        ready = wait_for_json(f"{container.url}/ready")
        health = wait_for_json(f"{container.url}/health")
        prediction = wait_for_json(f"{container.url}/predict", body=RECORD)
        status = wait_for_health(container.id)

    assert ready == {"status": "ready"}
    assert health == {"status": "ok"}
    assert prediction["prediction"] in {"setosa", "versicolor", "virginica"}
    assert status == "healthy"


def wait_for_health(container: str, timeout: float = 90.0) -> str:
    """Poll the container's HEALTHCHECK status until it leaves ``starting``."""
    deadline = time.monotonic() + timeout
    status = "starting"
    while status == "starting" and time.monotonic() < deadline:
        time.sleep(1)
        status = docker(
            "inspect", "--format", "{{.State.Health.Status}}", container
        ).strip()
    return status


@contextmanager
def compose_stack(project: Path, shared_dir: Path) -> Iterator[Path]:
    """The compose stack of the assignment, up and healthy, for one test.

    compose.yaml publishes fixed ports, so the stack is up for one test at a
    time across the xdist workers (a lock in the session's shared folder).
    """
    with exclusive(shared_dir / "compose-stack.lock"):
        docker("compose", "up", "--detach", "--wait", project=project)
        try:
            yield project
        finally:
            docker("compose", "down", "--timeout", "5", project=project)


def test_compose_brings_both_up_healthy_and_the_ui_reaches_the_api(
    project: Path, shared_dir: Path
) -> None:
    probe = (
        "import json, urllib.request; request = urllib.request.Request("
        "'http://api:8000/predict', data=json.dumps("
        f"{RECORD!r}).encode(), headers={{'Content-Type': 'application/json'}}); "
        "print(urllib.request.urlopen(request).read().decode())"
    )

    with compose_stack(project, shared_dir):
        listed = docker("compose", "ps", "--format", "json", project=project)
        answer = docker("compose", "exec", "ui", "python", "-c", probe, project=project)

    services = [json.loads(line) for line in listed.splitlines() if line.strip()]
    assert {service["Service"]: service["Health"] for service in services} == {
        "api": "healthy",
        "ui": "healthy",
    }
    assert json.loads(answer)["prediction"] in {"setosa", "versicolor", "virginica"}


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="no Chromium: `apt-get install chromium`"
)
def test_web_app_in_a_real_browser_shows_the_apis_prediction(
    project: Path, shared_dir: Path, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright  # only this test needs it

    screenshot = tmp_path / "web-app.png"
    with compose_stack(project, shared_dir), sync_playwright() as playwright:
        wait_for("http://127.0.0.1:8501/_stcore/health")  # published on the host
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page()
            page.goto("http://127.0.0.1:8501", timeout=60_000)
            page.get_by_role("spinbutton", name="Petal length (cm)").fill("5.5")
            page.get_by_role("button", name="Predict").click()
            page.get_by_text("Prediction", exact=True).wait_for(timeout=60_000)
            page.screenshot(path=screenshot, full_page=True)
            text = page.inner_text("body")
        finally:
            browser.close()

    assert "the API at http://api:8000" in text
    assert "The served model" in text  # the sidebar: provenance, metrics
    assert "Deploy" not in text  # Streamlit's developer toolbar is hidden
    assert any(name in text for name in ("setosa", "versicolor", "virginica"))
    assert screenshot.stat().st_size > 0
    print(f"screenshot: {screenshot}")
