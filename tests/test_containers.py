"""An assignment's images, built and run with a real Docker daemon.

The assignment has every component and learns from a real table of its own
(``dataset=file``: penguins.csv, with categories and gaps), so the image's
training stage reads ``data/`` and the web app has choices to make. One
module-wide build (its ``task docker:build``: the ``api`` and ``ui``
targets), then: what each image holds, who runs it, what it answers (a gap
and an unseen category included), its health check, the compose stack, and
the web app in a real browser, choosing from a select box. Where no registry
can be reached, the base images are the local stand-ins of
``scripts/offline_docker.sh`` and uv gets the host's CA bundle as a build
secret.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from scripts.tooling import build_secrets
from tests.containers import (
    NO_DOCKER,
    docker_available,
    docker_env,
    running_container,
    wait_for,
    wait_for_json,
)
from tests.copier_runs import copier_copy
from tests.processes import TEMPLATE_ROOT, exclusive, run

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not docker_available(), reason=NO_DOCKER),
]

API_IMAGE, UI_IMAGE = "churn-model-api", "churn-model-ui"
RECORD = {
    "island": "Biscoe",
    "bill_length_mm": 44.5,
    "bill_depth_mm": 17.3,
    "flipper_length_mm": 197.0,
    "body_mass_g": 4050.0,
    "sex": "male",
    "year": 2008,
}
SPECIES = {"Adelie", "Chinstrap", "Gentoo"}
CHROMIUM = Path("/usr/bin/chromium")


def docker(*args: str, project: Path = TEMPLATE_ROOT) -> str:
    """Run a docker command and return its output."""
    return run(["docker", *args], project, env=docker_env(), timeout=1800).stdout


@pytest.fixture(scope="module")
def project(
    template_dir: Path,
    public_tables: Mapping[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """An assignment on penguins.csv, copied with its tasks, its images built."""
    copy = tmp_path_factory.mktemp("images") / "churn-model"
    penguins = {"data_file": str(public_tables["penguins"]), "target": "species"}
    copier_copy(template_dir, copy, {"dataset": "file", **penguins}, skip_tasks=False)
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
    assert health["status"] == "ok"
    assert health["predictions_not_logged"] == 0
    assert prediction["prediction"] in SPECIES
    assert status == "healthy"


@pytest.mark.usefixtures("project")
def test_api_container_answers_a_gap_and_an_unseen_category() -> None:
    with running_container(API_IMAGE) as container:
        gap = wait_for_json(f"{container.url}/predict", body={**RECORD, "sex": None})
        unseen = wait_for_json(
            f"{container.url}/predict", body={**RECORD, "island": "Atlantis"}
        )
        docs = wait_for_json(f"{container.url}/openapi.json")

    assert gap["prediction"] in SPECIES
    assert unseen["prediction"] in SPECIES
    assert "'Atlantis' was not seen in training" in unseen["notes"][0]
    fields = docs["components"]["schemas"]["Features"]["properties"]
    assert set(fields) == set(RECORD)


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
    assert json.loads(answer)["prediction"] in SPECIES


def choose(page: Page, label: str, option: str, attempts: int = 3) -> None:
    """Pick ``option`` in the Streamlit select box labelled ``label``.

    A rerun of the app (started by the field edited before) can close the
    list under the click, as it would for a person, so the choice is retried.
    The choice shows as the box's text or as its combobox's value, depending
    on Streamlit's version: the accessibility tree holds it either way.
    """
    box = page.get_by_test_id("stSelectbox").filter(has_text=label)
    for _ in range(attempts):
        page.get_by_label(label).click()
        page.get_by_role("option", name=option, exact=True).click()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if option in box.aria_snapshot():
                return
            page.wait_for_timeout(200)
    raise AssertionError(f"{option!r} not chosen in {label!r}: {box.aria_snapshot()}")


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
            page.get_by_role("spinbutton", name="bill_length_mm").fill("49.5")
            choose(page, "island", "Dream")
            page.get_by_role("button", name="Predict").click()
            page.get_by_text("Prediction", exact=True).wait_for(timeout=60_000)
            page.screenshot(path=screenshot, full_page=True)
            text = page.inner_text("body")
        finally:
            browser.close()

    assert "the API at http://api:8000" in text
    assert "The served model" in text  # the sidebar: provenance, metrics
    assert "Deploy" not in text  # Streamlit's developer toolbar is hidden
    assert any(name in text for name in SPECIES)
    assert screenshot.stat().st_size > 0
    print(f"screenshot: {screenshot}")
