"""A default assignment installs, passes its own checks and lives its model's life.

Its ``task check`` (ruff, ty, the tests with coverage) is the first step of
the model's life, in the test's own copy: one install and one set of
compiled imports serve the whole story.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from extensions.naming import DEPENDENCY_NAMES
from scripts.dependency_names import installed_names
from tests.containers import wait_for_json
from tests.copier_runs import Render
from tests.processes import run, tool_env
from tests.project_files import folder_contents, owned_copy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def fresh_assignment(installed: Render) -> Path:
    """The default assignment, copied with its tasks (uv sync, ruff format)."""
    return installed("default")


def test_copy_installs_the_environment(fresh_assignment: Path) -> None:
    assert (fresh_assignment / "uv.lock").is_file()
    assert (fresh_assignment / ".venv" / "bin" / "pytest").is_file()


def test_names_list_holds_every_name_the_environment_installs(
    fresh_assignment: Path,
) -> None:
    [site_packages] = fresh_assignment.glob(".venv/lib/python3.*/site-packages")

    installed = installed_names(site_packages, own=["churn-model"])

    assert {"scikit-learn", "sklearn", "starlette", "pytest"} <= installed
    missing = installed - DEPENDENCY_NAMES
    assert not missing, (
        f"{sorted(missing)} are installed but not refused as names: run "
        "scripts/dependency_names.py to refresh extensions/dependency_names.txt"
    )


def test_task_list_shows_every_task(fresh_assignment: Path) -> None:
    listed = run(["task", "--list"], fresh_assignment).stdout

    for name in ("setup", "lint", "test", "check", "train", "serve", "ui", "up"):
        assert f"* {name}:" in listed


@pytest.fixture
def own_assignment(installed: Render, tmp_path: Path) -> Path:
    """A private copy of the default assignment, for a test that trains in it."""
    return owned_copy(installed("default"), tmp_path / "churn-model")


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# As root, permissions stop nothing; the immutable flag makes a file or a
# folder that really cannot be changed, moved or deleted.
CAN_FREEZE = os.geteuid() == 0 and shutil.which("chattr") is not None


def freeze(path: Path, frozen: bool = True) -> None:
    """Set (or clear) the immutable flag of ``path``."""
    subprocess.run(["chattr", "+i" if frozen else "-i", str(path)], check=True)


def damage(model_file: Path) -> bytes:
    """Append bytes to the served model file, as a bad copy would; return them."""
    model_file.write_bytes(model_file.read_bytes() + b"damaged")
    return model_file.read_bytes()


def test_the_default_assignment_checks_and_lives_its_models_life(
    own_assignment: Path,
) -> None:
    # One copy for the whole story (one install, one set of compiled
    # imports): the whole check, then the model's life with real `task`
    # commands and the network off, then promotion past stuck files.
    port = free_port()
    offline = tool_env(UV_OFFLINE="1", API_PORT=str(port))

    def task(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run(["task", *args], own_assignment, env=offline, check=check)

    # The one set checked with coverage on Python 3.11 (see
    # test_generated_projects.py).
    checked = task("check")
    assert " passed" in checked.stdout
    assert " failed" not in checked.stdout
    assert "Required test coverage" in checked.stdout

    python = own_assignment / ".venv" / "bin" / "python"
    untrained = run([python, "-m", "churn_model.evaluate"], own_assignment, check=False)
    first, unchanged = task("train"), task("train")
    params = own_assignment / "params.toml"
    params.write_text(
        params.read_text().replace("[train.model]", "[train.model]\nC = 0.5")
    )
    second = task("train")
    evaluated = task("evaluate")  # promotes first: `task promote` is its dependency
    server = subprocess.Popen(
        ["task", "serve"],
        cwd=own_assignment,
        env=offline,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # so that uvicorn stops with its task
    )
    try:
        base = f"http://127.0.0.1:{port}"
        served_first = wait_for_json(f"{base}/model")
        task("traffic")
        calm = task("monitor")
        task("traffic", "--", "--drift")
        drifted = task("monitor", check=False)
        retrained = task("retrain")
        served_last = wait_for_json(f"{base}/model")
        # The store is lost: promote trains again and serves the new store's
        # version 1, not the old version 1 still in models/.
        (own_assignment / "mlflow.db").unlink()
        shutil.rmtree(own_assignment / "mlruns")
        reset = task("promote")
        served_reset = wait_for_json(f"{base}/model")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    assert untrained.returncode == 1
    assert untrained.stderr.strip().splitlines() == [
        "Error: No model at models/model.skops: run `task promote` to create it."
    ]
    assert "Registered churn-model version 1" in first.stdout
    assert "is up to date" in unchanged.stderr
    assert "Registered churn-model version 2" in second.stdout
    assert "Version 2 is the new champion" in evaluated.stdout
    assert '"accuracy"' in evaluated.stdout
    assert served_first["metadata"]["model_version"] == "2"
    assert "No drift over the last 200 predictions: 0 of 4 features" in calm.stdout
    assert drifted.returncode == 201  # go-task's code for a failed command
    assert "Drift detected: run `task retrain`." in drifted.stderr
    assert "Retrained as version 3. Version 3 is the new champion." in retrained.stdout
    assert served_last["metadata"]["model_version"] == "3"
    assert "Registered churn-model version 1" in reset.stdout
    assert "Version 1 is the new champion" in reset.stdout
    assert served_reset["metadata"]["model_version"] == "1"
    assert served_reset["metadata"]["run_id"] != served_last["metadata"]["run_id"]
    assert (own_assignment / "reports" / "monitoring.md").is_file()
    log = (own_assignment / "logs" / "predictions.jsonl").read_text().splitlines()
    assert len(log) == 400

    # A damaged models/ makes `task promote` export the champion again: the
    # same swap as for a new version, without training one.
    if not CAN_FREEZE:
        pytest.skip("the model's life passed; stuck files need root (chattr +i)")
    models = own_assignment / "models"
    model_file = models / "model.skops"
    damaged = damage(model_file)
    freeze(model_file)  # the old folder cannot be deleted after the swap
    try:
        past_a_stuck_file = task("promote")
    finally:
        for stuck in own_assignment.glob(".models-*/model.skops"):
            freeze(stuck, frozen=False)
    repaired = model_file.read_bytes()
    damage(model_file)
    before = folder_contents(models)
    freeze(models)  # the folder itself cannot be replaced
    try:
        stuck_folder = task("promote", check=False)
    finally:
        freeze(models, frozen=False)

    assert "could not be deleted" in past_a_stuck_file.stderr
    assert repaired != damaged
    assert stuck_folder.returncode == 201
    [error] = [line for line in stuck_folder.stderr.splitlines() if "Error" in line]
    assert "it still holds the model it held before" in error
    assert folder_contents(models) == before
    assert not list(own_assignment.glob(".models-new-*"))


def test_spec_new_twice_adds_v2_and_v3_and_keeps_v1(
    render: Render, tmp_path: Path
) -> None:
    project = shutil.copytree(render("default"), tmp_path / "project")
    specs = project / "ai_docs"
    original = (specs / "spec_v1.md").read_bytes()

    run(["task", "spec:new"], project)
    run(["task", "spec:new"], project)

    assert (specs / "spec_v1.md").read_bytes() == original
    assert (specs / "spec_v2.md").read_text().startswith("# Spec v2:")
    assert (specs / "spec_v3.md").read_text().startswith("# Spec v3:")
    listed = run(["task", "spec:list"], project).stdout.split()
    assert listed == [f"ai_docs/spec_v{n}.md" for n in (1, 2, 3)]


def test_spec_new_orders_versions_numerically(render: Render, tmp_path: Path) -> None:
    project = shutil.copytree(render("default"), tmp_path / "project")
    specs = project / "ai_docs"
    spec_v1 = (specs / "spec_v1.md").read_text()
    (specs / "spec_v9.md").write_text(spec_v1.replace("# Spec v1", "# Spec v9"))
    ten = spec_v1.replace("# Spec v1", "# Spec v10").replace(
        "### Testing results\n", "### Testing results\n\nAll green.\n"
    )
    (specs / "spec_v10.md").write_text(ten.replace("- [ ] Plan", "- [x] Plan"))

    run(["python3", "scripts/specs.py", "new"], project)

    eleven = (specs / "spec_v11.md").read_text()
    assert eleven.startswith("# Spec v11:")
    assert "All green." not in eleven
    assert "### Testing results" in eleven
    assert "- [ ] Plan approved" in eleven
    assert (specs / "spec_v10.md").read_text() == ten.replace(
        "- [ ] Plan", "- [x] Plan"
    )


def test_spec_new_leaves_every_existing_spec_untouched(
    render: Render, tmp_path: Path
) -> None:
    project = shutil.copytree(render("default"), tmp_path / "project")
    specs = project / "ai_docs"
    (specs / "spec_v2.md").write_text("# Spec v2: mine\n\n## Review\n\nDone.\n")
    before = {path.name: path.read_bytes() for path in specs.iterdir()}

    run(["python3", "scripts/specs.py", "new"], project)

    after = {path.name: path.read_bytes() for path in specs.iterdir()}
    assert after.pop("spec_v3.md") == b"# Spec v3: mine\n\n## Review\n"
    assert after == before
