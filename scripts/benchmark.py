"""Print the template's speed figures (run with ``uv run task benchmark``).

Measured on a default assignment rendered from this checkout into a
temporary folder:

- copy: ``copier copy`` with its tasks (``uv sync``, ``ruff format``);
- test: the generated ``task test``;
- /predict latency over loopback with uvicorn (sequential requests), next to
  the in-process ``predict_records`` time of the same model;
- update: one ``copier update`` of the default assignment to a new release,
  and ``update-all`` over three assignments;
- workspace: a new student's commands, in the order the workspace README
  gives them: ``copier copy --data kind=workspace``, ``task new`` twice,
  ``task check``, ``git commit`` (through the hooks);
- images (with a Docker daemon): cold, warm and one-line-change build times of
  the api and ui targets, their sizes, and ``docker run`` to ``/ready``. The
  cold build empties Docker's build cache first.

Figures are printed, never asserted: a benchmark informs, tests decide.
"""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from tooling import (
    ROOT,
    WORKSPACE_SCRIPT,
    build_secrets,
    commit_all,
    commit_and_tag,
    docker_answers,
    init_repository,
    offline_base_images,
    release_repository,
    tool_environment,
)

VENV_BIN = Path(sys.executable).parent
PORT = 8765

IN_PROCESS = """
import json, sys, time
from pathlib import Path
from {package}.data import load_dataset
from {package}.inference import predict_records
from {package}.model_io import load_model
model = load_model(Path("models"))
record = load_dataset().features.median().to_dict()
timings = []
for _ in range({count}):
    start = time.perf_counter()
    predict_records(model.pipeline, [record])
    timings.append(time.perf_counter() - start)
print(json.dumps({{"timings": timings, "record": record}}))
"""


def env() -> dict[str, str]:
    """The environment for the tools: this venv first, no VIRTUAL_ENV."""
    return tool_environment(VENV_BIN)


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run ``command``; return its wall time in seconds and its stdout."""
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=env(), capture_output=True, text=True, check=True
    )
    return time.perf_counter() - start, completed.stdout


def percentile(values: list[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of ``values`` lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def wait_until_ready(url: str, timeout: float = 30.0) -> None:
    """Poll ``url`` until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not become ready within {timeout} s")


def http_latencies(
    project: Path, package: str, record: dict, count: int
) -> list[float]:
    """Serve the model with uvicorn and time ``count`` sequential /predict calls."""
    server_env = {**env(), "API_PORT": str(PORT), "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [str(project / ".venv/bin/python"), "-m", f"{package}.api"],
        cwd=project,
        env=server_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_until_ready(f"{base}/ready")
        body = json.dumps(record).encode()
        timings = []
        for _ in range(count):
            request = urllib.request.Request(
                f"{base}/predict",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            timings.append(time.perf_counter() - start)
        return timings
    finally:
        server.terminate()
        server.wait(timeout=10)


def milliseconds(values: list[float]) -> str:
    """Format p50 and p95 of ``values`` in milliseconds."""
    p50, p95 = (percentile(values, q) * 1000 for q in (0.5, 0.95))
    return f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"


def release(repository: Path, tag: str) -> None:
    """Tag a release that changes a template-managed file."""
    gitignore = repository / "template" / "assignment" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + f"\n# Added in {tag}\n.{tag}/\n")
    commit_and_tag(repository, tag)


def measure_updates(scratch: Path) -> None:
    """Time one update of the default assignment, and update-all over three."""
    repository = release_repository(scratch / "template", "v0.0.1")
    workspace = scratch / "workspace"
    init_repository(workspace)
    copier = [sys.executable, "-m", "copier"]
    names = ("churn-model", "house-prices", "spam-filter")
    for name in names:
        destination = str(workspace / "assignments" / name)
        timed(
            [
                *copier,
                "copy",
                "--trust",
                "--defaults",
                "-q",
                str(repository),
                destination,
            ],
            workspace,
        )
    commit_all(workspace, "assignments")
    release(repository, "v0.0.2")
    update_time, _ = timed(
        [*copier, "update", "--trust", "--defaults", "-q", "assignments/churn-model"],
        workspace,
    )
    print(f"copier update of the default assignment: {update_time:.1f} s")
    commit_all(workspace, "updated one")
    release(repository, "v0.0.3")
    all_time, _ = timed(
        [
            sys.executable,
            str(WORKSPACE_SCRIPT),
            "update-all",
            "--workspace",
            str(workspace),
        ],
        workspace,
    )
    print(f"update-all over {len(names)} assignments:    {all_time:.1f} s")


def measure_workspace(scratch: Path) -> None:
    """Time a new student's commands, from nothing to a committed workspace."""
    root = scratch / "my-course"
    copy = f"{sys.executable} -m copier copy --trust --defaults --quiet"
    steps = [
        (f"{copy} --data kind=workspace {ROOT} {root}", scratch),
        ("uv run task new -- churn-model --defaults", root),
        ("uv run task new -- house-price --defaults --data dataset=diabetes", root),
        ("uv run task check", root),
        ("git add -A", root),
        ("git commit -q -m Start", root),
    ]
    total = 0.0
    for command, cwd in steps:
        seconds, _ = timed(shlex.split(command), cwd)
        total += seconds
        label = command.replace(copy, "copier copy").replace(str(scratch), "<tmp>")
        print(f"workspace: {label}: {seconds:.1f} s")
    print(f"workspace: nothing to a committed workspace, two green: {total:.1f} s")


def measure_images(project: Path) -> None:
    """Time cold, warm and one-line-change builds; print sizes and start-up."""
    if not docker_answers("info"):
        print("images: skipped, no Docker daemon (scripts/offline_docker.sh start)")
        return
    env = tool_environment(VENV_BIN, **offline_base_images())
    build = ["task", "docker:build", "--", *build_secrets()]

    def build_time() -> float:
        start = time.perf_counter()
        subprocess.run(build, cwd=project, env=env, capture_output=True, check=True)
        return time.perf_counter() - start

    # Cold: this project's images and the whole build cache removed first.
    images = ["churn-model-api", "churn-model-ui"]
    subprocess.run(["docker", "image", "rm", "--force", *images], capture_output=True)
    subprocess.run(
        ["docker", "builder", "prune", "--all", "--force"], capture_output=True
    )
    cold = build_time()
    warm = build_time()
    api_module = project / "src" / "churn_model" / "api.py"
    api_module.write_text(api_module.read_text() + "\n# a one-line change\n")
    changed = build_time()
    print(
        f"image build (api + ui targets): cold {cold:.1f} s, warm {warm:.1f} s, "
        f"after a one-line code change {changed:.1f} s"
    )
    for image in images:
        size = subprocess.run(
            ["docker", "image", "inspect", "--format", "{{.Size}}", image],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        print(f"image {image}: {int(size) / 1e6:.0f} MB")
    started = time.perf_counter()
    container = subprocess.run(
        ["docker", "run", "--detach", "--publish", f"127.0.0.1:{PORT}:8000", images[0]],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    try:
        wait_until_ready(f"http://127.0.0.1:{PORT}/ready", timeout=120)
        elapsed = time.perf_counter() - started
        print(f"api container, docker run to /ready: {elapsed:.1f} s")
    finally:
        subprocess.run(["docker", "rm", "--force", container], capture_output=True)


def main() -> None:
    """Render, install, test and serve a default assignment; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "churn-model"
        copier = [
            sys.executable,
            "-m",
            "copier",
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
        ]
        copy_time, _ = timed([*copier, str(ROOT), str(project)], Path(scratch))
        test_time, _ = timed(["task", "test"], project)
        print(f"copy with uv sync + ruff format: {copy_time:.1f} s")
        print(f"task test in the new assignment: {test_time:.1f} s")
        print(f"copy to green tests:             {copy_time + test_time:.1f} s")
        timed(["task", "promote"], project)  # train, register, serve the champion
        script = IN_PROCESS.format(package="churn_model", count=args.requests)
        _, out = timed([str(project / ".venv/bin/python"), "-c", script], project)
        result = json.loads(out)
        in_process = milliseconds(result["timings"])
        print(f"in-process predict_records, {args.requests} calls: {in_process}")
        record = result["record"]
        latencies = http_latencies(project, "churn_model", record, args.requests)
        print(f"POST /predict, {args.requests} sequential: {milliseconds(latencies)}")
        measure_updates(Path(scratch))
        measure_workspace(Path(scratch))
        measure_images(project)


if __name__ == "__main__":
    main()
