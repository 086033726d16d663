"""Print the template's speed and size figures (``uv run task benchmark``).

Each measurement is one function, run on assignments rendered from this
checkout into a temporary folder; ``--only`` picks some of them:

- ``shapes``: the lean, service and full shapes of an assignment (README's
  table): modules, tasks, installed size and copy to green;
- ``green``: copy to green of the default assignment and of one learning
  from a real table of its own, with and without bytecode (the machine's
  ``PYTHONDONTWRITEBYTECODE`` as it is, then unset as on most students'
  machines), and the import profile of a test session;
- ``serving``: in-process ``predict_records``, then the API under wrk (one
  and 50 connections): ``POST /predict`` next to ``GET /health`` of the same
  server, whose ratio cancels the machine's speed out; for the default data
  (numbers only) and for penguins (categories and gaps);
- ``updates``: one ``copier update`` of an assignment to a new release, and
  ``update-all`` over many assignments of a course workspace;
- ``workspace``: a new student's commands, in the order the workspace README
  gives them, from nothing to a committed workspace with two assignments;
- ``images`` (with a Docker daemon): cold, warm and one-line-change builds,
  sizes, and ``docker run`` to ``/ready``;
- ``suite`` (only when asked): README's test command on a clean clone of HEAD.

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
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml

from scripts.tooling import (
    COURSE_WORKSPACE_SCRIPT,
    ROOT,
    build_secrets,
    commit_all,
    commit_and_tag,
    data_args,
    docker_answers,
    git,
    offline_base_images,
    release_repository,
    tool_environment,
)

VENV_BIN = Path(sys.executable).parent
PORT = 8765
COPY = [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--quiet"]
PENGUINS = "palmerpenguins==0.1.6"

# The common shapes of an assignment, smallest first (README, "Shapes").
SHAPES: dict[str, dict[str, object]] = {
    "lean": {
        "tracking": "none",
        "include_api": False,
        "include_ui": False,
        "include_docker": False,
    },
    "service": {"tracking": "none", "include_ui": False, "monitoring": False},
    "full": {},
}

IN_PROCESS = """
import json, time
from pathlib import Path
from {package}.features import example_record
from {package}.inference import predict_records
from {package}.model_io import load_model
model = load_model(Path("models"))
record = example_record(model.features)
timings = []
for _ in range({count}):
    start = time.perf_counter()
    predict_records(model, [record])
    timings.append(time.perf_counter() - start)
print(json.dumps(timings))
"""


def env(bytecode: bool = False) -> dict[str, str]:
    """The tools' environment; ``bytecode`` lets Python write its caches."""
    environment = tool_environment(VENV_BIN)
    if bytecode:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def timed(
    command: list[str], cwd: Path, environment: Mapping[str, str] | None = None
) -> tuple[float, str]:
    """Run ``command``; return its wall time in seconds and its stdout."""
    start = time.perf_counter()
    completed = subprocess.run(
        command,
        cwd=cwd,
        env=dict(environment or env()),
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start, completed.stdout


def copy(
    destination: Path, answers: Mapping[str, object], environment: Mapping[str, str]
) -> float:
    """Render an assignment with its tasks; return the seconds it took."""
    seconds, _ = timed(
        [*COPY, *data_args(answers), str(ROOT), str(destination)],
        destination.parent,
        environment,
    )
    return seconds


def package_of(project: Path) -> str:
    """The import name of a rendered assignment's package."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    return str(answers["package_name"])


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


def folder_megabytes(folder: Path) -> float:
    """The size of the files below ``folder``, in MB."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def penguins_table(scratch: Path) -> Path:
    """penguins.csv from the palmerpenguins package (a real public table)."""
    target = scratch / "tables"
    if not target.exists():
        timed(
            [
                "uv",
                "pip",
                "install",
                "-q",
                "--target",
                str(target),
                "--no-deps",
                PENGUINS,
            ],
            scratch,
        )
    return target / "palmerpenguins" / "data" / "penguins.csv"


def penguins_answers(scratch: Path) -> dict[str, object]:
    """Answers of an assignment that learns from penguins.csv."""
    table = penguins_table(scratch)
    return {"dataset": "file", "data_file": str(table), "target": "species"}


def measure_shapes(scratch: Path) -> None:
    """Print the lean, service and full shapes: what each brings, and its cost."""
    for name, answers in SHAPES.items():
        project = scratch / f"shape-{name}"
        copy_seconds = copy(project, answers, env(bytecode=True))
        test_seconds, _ = timed(["task", "test"], project, env(bytecode=True))
        package = project / "src" / package_of(project)
        modules = len(list(package.glob("*.py")))
        taskfile = yaml.safe_load((project / "Taskfile.yml").read_text())
        venv = folder_megabytes(project / ".venv")
        lock = tomllib.loads((project / "uv.lock").read_text())
        print(
            f"shape {name}: {modules} modules, {len(taskfile['tasks'])} tasks, "
            f"{len(lock['package'])} packages, .venv {venv:.0f} MB, copy to green "
            f"{copy_seconds + test_seconds:.0f} s (copy {copy_seconds:.0f} s + "
            f"first task test {test_seconds:.0f} s, bytecode allowed)"
        )


def measure_imports(project: Path, environment: Mapping[str, str], how: str) -> None:
    """Print what a test session's imports cost, by library (the profile)."""
    command = [".venv/bin/python", "-X", "importtime", "-m", "pytest"]
    completed = subprocess.run(
        [*command, "--collect-only", "-q", "-s", "-p", "no:cacheprovider"],
        cwd=project,
        env=dict(environment),
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = import_profile(completed.stderr)
    top = sorted(seconds.items(), key=lambda item: item[1], reverse=True)[:8]
    shares = ", ".join(f"{name} {value:.1f}" for name, value in top)
    print(
        f"  imports of a test session ({how}): {sum(seconds.values()):.1f} s; "
        f"largest, in s: {shares}"
    )


def measure_green(scratch: Path) -> None:
    """Copy to green of two assignments, with and without bytecode."""
    for label, answers in (
        ("default", {}),
        ("penguins.csv", penguins_answers(scratch)),
    ):
        for bytecode in (False, True):
            how = "bytecode allowed" if bytecode else "as this machine runs"
            project = scratch / f"green-{label}-{bytecode}" / "churn-model"
            project.parent.mkdir()
            environment = env(bytecode)
            copy_seconds = copy(project, answers, environment)
            first, _ = timed(["task", "test"], project, environment)
            again, _ = timed(["task", "test"], project, environment)
            print(
                f"copy to green, {label} ({how}): copy {copy_seconds:.1f} s + "
                f"first task test {first:.1f} s = {copy_seconds + first:.1f} s; "
                f"second task test {again:.1f} s"
            )
            measure_imports(project, environment, how)


def milliseconds(values: list[float]) -> str:
    """Format p50 and p95 of ``values`` in milliseconds."""
    p50, p95 = (percentile(values, q) * 1000 for q in (0.5, 0.95))
    return f"p50 {p50:.2f} ms, p95 {p95:.2f} ms"


def served_project(scratch: Path, label: str, answers: Mapping[str, object]) -> Path:
    """An assignment with a served model (``task train``, no MLflow)."""
    project = scratch / f"serve-{label}" / "churn-model"
    project.parent.mkdir()
    copy(project, {**answers, "tracking": "none"}, env(bytecode=True))
    timed(["task", "train"], project, env(bytecode=True))
    return project


def measure_in_process(project: Path, label: str, count: int) -> None:
    """Time ``predict_records`` in one process: the model path alone."""
    script = IN_PROCESS.format(package=package_of(project), count=count)
    _, out = timed([str(project / ".venv/bin/python"), "-c", script], project)
    figures = milliseconds(json.loads(out))
    print(f"{label}: in-process predict_records, {count} calls: {figures}")


def measure_api(project: Path, label: str) -> None:
    """Serve the model with uvicorn and load it with wrk: health versus predict.

    Ratios to ``GET /health`` on the same server are what to compare across
    machines: they cancel out the machine's speed.
    """
    package = package_of(project)
    server = subprocess.Popen(
        [str(project / ".venv/bin/python"), "-m", f"{package}.api"],
        cwd=project,
        env={**env(bytecode=True), "API_PORT": str(PORT), "LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_until_ready(f"{base}/ready")
        script = project / "predict.lua"  # the assignment's own load-test script
        python = str(project / ".venv/bin/python")
        timed(
            [python, "-m", f"{package}.traffic", "--wrk-script", str(script)], project
        )
        for connections in (1, 50):
            health = wrk(f"{base}/health", connections, 10, None)
            predict = wrk(f"{base}/predict", connections, 10, script)
            print(
                f"{label}, {connections} connection(s): GET /health "
                f"{health['rps']:.0f}/s p50 {health['p50']:.2f} ms; POST /predict "
                f"{predict['rps']:.0f}/s p50 {predict['p50']:.2f} ms p99 "
                f"{predict['p99']:.2f} ms; /predict / /health throughput "
                f"{predict['rps'] / health['rps']:.2f}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


def measure_serving(scratch: Path, count: int = 200) -> None:
    """The model path in process and under load, on two kinds of data."""
    for label, answers in (
        ("default (numbers)", {}),
        ("penguins.csv (categories, gaps)", penguins_answers(scratch)),
    ):
        project = served_project(scratch, label.split()[0].strip("(."), answers)
        measure_in_process(project, label, count)
        if shutil.which("wrk") is None:
            print("serving: wrk skipped (apt-get install wrk / brew install wrk)")
            continue
        measure_api(project, label)


def release(repository: Path, tag: str) -> None:
    """Tag a release that changes a template-managed file."""
    gitignore = repository / "template" / "assignment" / ".gitignore"
    gitignore.write_text(gitignore.read_text() + f"\n# Added in {tag}\n.{tag}/\n")
    commit_and_tag(repository, tag)


def measure_updates(scratch: Path, count: int = 30) -> None:
    """Time one ``copier update``, then ``update-all`` over ``count`` assignments.

    The assignments are members of one course workspace (one ``.venv``), as
    a student keeps them; they are copied without their tasks, and the first
    update's migration installs the shared environment.
    """
    repository = release_repository(scratch / "template", "v0.0.1")
    workspace = scratch / "semester"
    timed([*COPY, "--data", "kind=workspace", str(repository), str(workspace)], scratch)
    # The setup's commits are not what is measured: no git hooks for them.
    git("config", "core.hooksPath", "/dev/null", cwd=workspace)
    for index in range(count):
        destination = workspace / "assignments" / f"assignment-{index:02d}"
        timed([*COPY, "--skip-tasks", str(repository), str(destination)], workspace)
    commit_all(workspace, "assignments")
    release(repository, "v0.0.2")
    update = [sys.executable, "-m", "copier", "update", "--trust", "--defaults", "-q"]
    update_time, _ = timed([*update, "assignments/assignment-00"], workspace)
    print(f"copier update of one assignment:  {update_time:.1f} s")
    commit_all(workspace, "updated one")
    release(repository, "v0.0.3")
    command = [sys.executable, str(COURSE_WORKSPACE_SCRIPT), "update-all"]
    all_time, _ = timed([*command, "--workspace", str(workspace)], workspace)
    print(
        f"update-all over {count} assignments: {all_time:.1f} s "
        f"({all_time / count:.1f} s each)"
    )


def measure_workspace(scratch: Path) -> None:
    """Time a new student's commands, from nothing to a committed workspace."""
    root = scratch / "my-course"
    copy_command = shlex.join(COPY)
    steps = [
        (f"{copy_command} --data kind=workspace {ROOT} {root}", scratch),
        ("uv run task new -- first-model --defaults", root),
        ("uv run task new -- second-model --defaults --data dataset=diabetes", root),
        ("uv run task check", root),
        ("git add -A", root),
        ("git commit -q -m Start", root),
    ]
    total = 0.0
    for command, cwd in steps:
        seconds, _ = timed(shlex.split(command), cwd)
        total += seconds
        label = command.replace(copy_command, "copier copy").replace(
            str(scratch), "<tmp>"
        )
        print(f"workspace: {label}: {seconds:.1f} s")
    print(f"workspace: nothing to a committed workspace, two green: {total:.1f} s")


def measure_images(scratch: Path) -> None:
    """Time cold, warm and one-line-change builds; print sizes and start-up."""
    if not docker_answers("info"):
        print("images: skipped, no Docker daemon (scripts/offline_docker.sh start)")
        return
    project = scratch / "images" / "churn-model"
    project.parent.mkdir()
    copy(project, {}, env())
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    images = [f"{answers['project_slug']}-{target}" for target in ("api", "ui")]
    environment = tool_environment(VENV_BIN, **offline_base_images())
    build = ["task", "docker:build", "--", *build_secrets()]

    def build_time() -> float:
        seconds, _ = timed(build, project, environment)
        return seconds

    # Cold: these images and the whole build cache removed first.
    subprocess.run(["docker", "image", "rm", "--force", *images], capture_output=True)
    subprocess.run(
        ["docker", "builder", "prune", "--all", "--force"], capture_output=True
    )
    cold, warm = build_time(), build_time()
    api_module = project / "src" / package_of(project) / "api.py"
    api_module.write_text(api_module.read_text() + "\n# a one-line change\n")
    changed = build_time()
    print(
        f"image build (api + ui targets): cold {cold:.1f} s, warm {warm:.1f} s, "
        f"after a one-line code change {changed:.1f} s"
    )
    for image in images:
        _, size = timed(
            ["docker", "image", "inspect", "--format", "{{.Size}}", image], project
        )
        print(f"image {image}: {int(size) / 1e6:.0f} MB")
    started = time.perf_counter()
    _, container = timed(
        ["docker", "run", "--detach", "--publish", f"127.0.0.1:{PORT}:8000", images[0]],
        project,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{PORT}/ready", timeout=120)
        elapsed = time.perf_counter() - started
        print(f"api container, docker run to /ready: {elapsed:.1f} s")
    finally:
        subprocess.run(
            ["docker", "rm", "--force", container.strip()], capture_output=True
        )


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
    print(f"template suite, clean clone: {seconds:.0f} s (goal: < 300 s); {summary}")


MEASUREMENTS: dict[str, Callable[[Path], None]] = {
    "shapes": measure_shapes,
    "green": measure_green,
    "serving": measure_serving,
    "updates": measure_updates,
    "workspace": measure_workspace,
    "images": measure_images,
    "suite": measure_suite,
}


def main(argv: list[str] | None = None) -> None:
    """Run the chosen measurements (all but the suite by default)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted(MEASUREMENTS),
        help="run these measurements only",
    )
    parser.add_argument(
        "--suite", action="store_true", help="also time the template's own suite"
    )
    args = parser.parse_args(argv)
    chosen = args.only or [name for name in MEASUREMENTS if name != "suite"]
    if args.suite and "suite" not in chosen:
        chosen.append("suite")
    for name in chosen:
        with tempfile.TemporaryDirectory() as scratch:
            MEASUREMENTS[name](Path(scratch))


if __name__ == "__main__":
    main()
