"""Print the template's speed figures (run with ``uv run task benchmark``).

Measured on a default assignment rendered from this checkout into a
temporary folder:

- copy: ``copier copy`` with its tasks (``uv sync``, ``ruff format``);
- test: the generated ``task test``;
- copy to green: the same again with Python allowed to write bytecode, as on
  most students' machines (``PYTHONDONTWRITEBYTECODE`` unset);
- serving: the in-process ``predict_records`` time, then the API under wrk
  (one and 50 connections), ``POST /predict`` next to ``GET /health`` of the
  same server, whose ratio cancels the machine's speed out;
- update: one ``copier update`` of an assignment to a new release, and
  ``update-all`` over 30 assignments of a course workspace;
- workspace: a new student's commands, in the order the workspace README
  gives them: ``copier copy --data kind=workspace``, ``task new`` twice,
  ``task check``, ``git commit`` (through the hooks);
- images (with a Docker daemon): cold, warm and one-line-change build times of
  the api and ui targets, their sizes, and ``docker run`` to ``/ready``. The
  cold build empties Docker's build cache first;
- imports: what a test session's imports cost, by library, with and without
  bytecode (the profile that bounds copy to green);
- suite (``--suite``): README's test command on a clean clone of HEAD.

Figures are printed, never asserted: a benchmark informs, tests decide.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
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
    git,
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
    predict_records(model, [record])
    timings.append(time.perf_counter() - start)
print(json.dumps({{"timings": timings}}))
"""


def env() -> dict[str, str]:
    """The environment for the tools: this venv first, no VIRTUAL_ENV."""
    return tool_environment(VENV_BIN)


def timed(
    command: list[str], cwd: Path, environment: dict[str, str] | None = None
) -> tuple[float, str]:
    """Run ``command``; return its wall time in seconds and its stdout."""
    start = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=environment or env(),
        capture_output=True,
        text=True,
        check=True,
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


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url: str, connections: int, seconds: int, script: Path | None) -> dict:
    """Load ``url`` with wrk; return requests/s and p50/p99 latency in ms."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(script)] if script else []
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])}
    for name in ("50", "99"):
        value, unit = re.search(rf"\s{name}%\s+([\d.]+)(us|ms|s)", output).groups()
        figures[f"p{name}"] = float(value) * UNITS[unit]
    return figures


def import_profile(stderr: str) -> dict[str, float]:
    """Seconds of ``-X importtime`` output by top-level package (self times).

    Self times add up without counting a nested import twice, so the shares
    sum to the whole import time.
    """
    seconds: dict[str, float] = {}
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            root = match[2].split(".")[0]
            seconds[root] = seconds.get(root, 0.0) + int(match[1]) / 1e6
    return seconds


def measure_imports(project: Path, environment: dict[str, str], how: str) -> None:
    """Print what a test session's imports cost, by library (the profile)."""
    command = [".venv/bin/python", "-X", "importtime", "-m", "pytest"]
    completed = subprocess.run(
        [*command, "--collect-only", "-q", "-s", "-p", "no:cacheprovider"],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = import_profile(completed.stderr)
    top = sorted(seconds.items(), key=lambda item: item[1], reverse=True)[:8]
    shares = ", ".join(f"{name} {value:.1f}" for name, value in top)
    print(
        f"imports of a test session ({how}): {sum(seconds.values()):.1f} s; "
        f"largest, in s: {shares}"
    )


def measure_serving(project: Path, package: str) -> None:
    """Serve the model with uvicorn and load it with wrk: health versus predict.

    Ratios to ``GET /health`` on the same server are what to compare across
    machines: they cancel out the machine's speed.
    """
    if shutil.which("wrk") is None:
        print("serving: skipped, no wrk (apt-get install wrk / brew install wrk)")
        return
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
        # The assignment's own load-test script: a typical record (README,
        # "Performance").
        script = project / "predict.lua"
        python = str(project / ".venv/bin/python")
        timed(
            [python, "-m", f"{package}.traffic", "--wrk-script", str(script)], project
        )
        for connections in (1, 50):
            health = wrk(f"{base}/health", connections, 10, None)
            predict = wrk(f"{base}/predict", connections, 10, script)
            print(
                f"{connections} connection(s): GET /health {health['rps']:.0f}/s "
                f"p50 {health['p50']:.2f} ms p99 {health['p99']:.2f} ms; "
                f"POST /predict {predict['rps']:.0f}/s p50 {predict['p50']:.2f} ms "
                f"p99 {predict['p99']:.2f} ms"
            )
            if connections == 1:
                extra = predict["p50"] - health["p50"]
                print(f"  /predict p50 - /health p50: {extra:.2f} ms (goal: <= 1.5)")
            else:
                ratio = predict["rps"] / health["rps"]
                print(
                    f"  /predict throughput / /health: {ratio:.2f} (goal: >= 0.5); "
                    f"/predict p99 {predict['p99']:.0f} ms (goal: < 100)"
                )
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


def measure_updates(scratch: Path, count: int) -> None:
    """Time one ``copier update``, then ``update-all`` over ``count`` assignments.

    The assignments are members of one course workspace (one ``.venv``), as
    a student keeps them; they are copied without their tasks, and the first
    update's migration installs the shared environment.
    """
    repository = release_repository(scratch / "template", "v0.0.1")
    copy = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "-q"]
    workspace = scratch / "semester"
    timed([*copy, "--data", "kind=workspace", str(repository), str(workspace)], scratch)
    # The setup's commits are not what is measured: no git hooks for them.
    git("config", "core.hooksPath", "/dev/null", cwd=workspace)
    for index in range(count):
        destination = workspace / "assignments" / f"assignment-{index:02d}"
        timed([*copy, "--skip-tasks", str(repository), str(destination)], workspace)
    commit_all(workspace, "assignments")
    release(repository, "v0.0.2")
    update = [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "-q"]
    update_time, _ = timed([*update, "assignments/assignment-00"], workspace)
    print(f"copier update of one assignment:  {update_time:.1f} s")
    commit_all(workspace, "updated one")
    release(repository, "v0.0.3")
    command = [sys.executable, str(WORKSPACE_SCRIPT), "update-all"]
    all_time, _ = timed([*command, "--workspace", str(workspace)], workspace)
    print(
        f"update-all over {count} assignments: {all_time:.1f} s "
        f"({all_time / count:.1f} s each; goal for 30: under 120 s)"
    )


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


def measure_suite(scratch: Path) -> None:
    """Time README's test command (``uv run pytest``) on a clean clone of HEAD."""
    clone = scratch / "clone"
    git("clone", "--quiet", str(ROOT), str(clone), cwd=scratch)
    start = time.perf_counter()
    completed = subprocess.run(
        ["uv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=clone,
        env={**env(), "CI": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    summary = completed.stdout.strip().splitlines()[-1] if completed.stdout else ""
    print(f"template suite, clean clone: {seconds:.0f} s (goal: < 180 s); {summary}")


def main() -> None:
    """Render, install, test and serve a default assignment; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--assignments", type=int, default=30, help="how many update-all updates"
    )
    parser.add_argument(
        "--suite",
        action="store_true",
        help="also time the template's own test suite on a clean clone (minutes)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "churn-model"
        copier = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults"]
        for bytecode in (False, True):
            environment = env()
            if bytecode:
                environment.pop("PYTHONDONTWRITEBYTECODE", None)
            folder = project if not bytecode else Path(scratch) / "with-bytecode"
            copy_time, _ = timed(
                [*copier, "--quiet", str(ROOT), str(folder)], Path(scratch), environment
            )
            test_time, _ = timed(["task", "test"], folder, environment)
            again, _ = timed(["task", "test"], folder, environment)
            how = "bytecode allowed" if bytecode else "as this machine runs"
            print(
                f"copy to green ({how}): copy {copy_time:.1f} s + first task test "
                f"{test_time:.1f} s = {copy_time + test_time:.1f} s "
                f"(goal with bytecode: < 12 s); second task test {again:.1f} s"
            )
            measure_imports(folder, environment, how)
        timed(["task", "promote"], project)  # train, register, serve the champion
        script = IN_PROCESS.format(package="churn_model", count=args.requests)
        _, out = timed([str(project / ".venv/bin/python"), "-c", script], project)
        result = json.loads(out)
        in_process = milliseconds(result["timings"])
        print(
            f"in-process predict_records, {args.requests} calls: {in_process} "
            "(goal: p50 < 0.3 ms)"
        )
        measure_serving(project, "churn_model")
        measure_updates(Path(scratch), args.assignments)
        measure_workspace(Path(scratch))
        measure_images(project)
        if args.suite:
            measure_suite(Path(scratch))


if __name__ == "__main__":
    main()
