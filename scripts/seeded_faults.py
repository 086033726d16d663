"""Prove that the test suite catches breaks: seed faults, one at a time.

Usage (``uv run task faults``)::

    python -m scripts.seeded_faults            # every fault
    python -m scripts.seeded_faults 3 7        # faults 3 and 7 only
    python -m scripts.seeded_faults --list     # what each fault breaks

Each fault is one small edit of one line of the template that only some
answers render (a line of the web app used only with the API, the
regression branch of the metrics, a member-only line of the Dockerfile, ...).
For each, a scratch copy of this checkout (template and tests) gets the edit,
and the part of the suite that renders or runs that line is run against it
with ``-x``. One row per fault says whether the suite caught it, and with
which test. The exit status is 1 if any fault went unnoticed.

Not part of the default suite: it runs the suite once per fault.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from scripts.tooling import ROOT, init_repository, snapshot_template, tool_environment

ASSIGNMENT_SOURCE = "template/assignment/src/{{ package_name }}"
GENERATED_CHECKS = [
    "tests/test_render.py",
    "tests/test_components.py",
    "tests/test_generated_projects.py",
    "tests/test_end_to_end.py",  # the default set's whole check
]


@dataclass(frozen=True)
class Fault:
    """One seeded break: replace ``old`` by ``new`` in ``path``.

    Attributes:
        path: The file, relative to the repository root.
        old: Text that must occur exactly once in the file.
        new: What it becomes.
        renders: Which answers render the line.
        tests: The part of the suite that renders or runs it (pytest args).
    """

    path: str
    old: str
    new: str
    renders: str
    tests: tuple[str, ...]

    def apply(self, root: Path) -> None:
        """Edit the file under ``root``; fail loudly if the text moved."""
        file = root / self.path
        text = file.read_text("utf-8")
        if text.count(self.old) != 1:
            raise SystemExit(f"{self.path} no longer holds {self.old!r} exactly once")
        file.write_text(text.replace(self.old, self.new), "utf-8")


FAULTS = [
    Fault(
        f"{ASSIGNMENT_SOURCE}/{{% if include_ui %}}ui.py{{% endif %}}.jinja",
        'report = settings.reports_dir / "monitoring.md"',
        'report = settings.reports_dir / "monitoring.txt"',
        "the web app's monitoring panel: with the API only",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        f"{ASSIGNMENT_SOURCE}/evaluate.py",
        '"r2": float(r2_score(y_true, y_pred)),',
        '"r2": float(r2_score(y_pred, y_true) - 1),',
        "the regression metrics: diabetes (and regression data) only",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        "template/assignment/{% if include_docker %}Dockerfile{% endif %}.jinja",
        "    --mount=type=bind,source={{ here }}pyproject.toml,"
        "target=/app/{{ here }}pyproject.toml \\\n"
        "{%- endif %}\n"
        "    {{ uv_sync }} --no-install-project",
        "    --mount=type=bind,source={{ here }}pyproject.tom,"
        "target=/app/{{ here }}pyproject.toml \\\n"
        "{%- endif %}\n"
        "    {{ uv_sync }} --no-install-project",
        "the Dockerfile's member mount: workspace members only",
        ("tests/test_uv_workspace.py",),
    ),
    Fault(
        "template/assignment/Taskfile.yml.jinja",
        "uv sync{% if workspace_member %} --all-packages{% endif %}",
        "uv sync{% if workspace_member %} --all-package{% endif %}",
        "task setup of a workspace member",
        ("tests/test_uv_workspace.py", "tests/test_course_workspace.py"),
    ),
    Fault(
        f"{ASSIGNMENT_SOURCE}/"
        "{% if include_monitoring %}retrain.py{% endif %}.jinja",
        "    metrics = train(settings, params)\n",
        "    metrics = {}\n",
        "retraining without MLflow: tracking=none with monitoring",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        "template/workspace/scripts/workspace.py",
        '[*copier_command(), "copy", "--trust", template_source(root)]',
        '[*copier_command(), "copy", template_source(root)]',
        "the course workspace's task new",
        ("tests/test_course_workspace.py",),
    ),
    Fault(
        "template/assignment/scripts/template_update.py",
        "    index_path(root).write_bytes(snapshot.index)\n",
        "",
        "the update engine's restore step (every assignment and workspace)",
        ("tests/test_update.py",),
    ),
    Fault(
        "extensions/naming.py",
        'SLUG_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")',
        'SLUG_PATTERN = re.compile(r"[a-z][a-z0-9]*(-*[a-z0-9]+)*")',
        "the project_slug validator",
        ("tests/test_validation.py", "tests/test_extensions.py"),
    ),
    Fault(
        "template/assignment/{% if include_compose %}compose.yaml{% endif %}.jinja",
        "      API_URL: http://api:8000",
        "      API_URL: http://api:8080",
        "compose with both the API and the web app",
        (*GENERATED_CHECKS, "tests/test_containers.py"),
    ),
    Fault(
        "template/assignment/{% if include_docker %}Dockerfile{% endif %}.jinja",
        'CMD ["python", "-m", "{{ package_name }}.evaluate"]',
        'CMD ["python", "-m", "{{ package_name }}.evaluation"]',
        "the evaluate image: Docker without the API and the web app",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        "template/assignment/params.toml.jinja",
        "min_records = 50",
        "min_records = 0",
        "the [monitor] table: with the API only",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        "template/assignment/.env.example.jinja",
        "API_TIMEOUT=5",
        "API_TIMEOUT=-5",
        "the web app's settings in .env.example: with the web app only",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        f"{ASSIGNMENT_SOURCE}/{{% if tracking == 'mlflow' %}}tracking.py{{% endif %}}",
        'serialization_format="skops",',
        'serialization_format="cloudpickle",',
        "the MLflow model's format: tracking=mlflow only",
        tuple(GENERATED_CHECKS),
    ),
    Fault(
        "template/workspace/pyproject.toml.jinja",
        'members = ["assignments/*"]',
        'members = ["assignment/*"]',
        "the course workspace's members",
        ("tests/test_course_workspace.py",),
    ),
]


@dataclass(frozen=True)
class Outcome:
    """What the suite did with one fault."""

    caught: bool
    by: str
    seconds: float


def first_failure(report: Path) -> str:
    """Return the id of the first failed or erroring test in a JUnit report."""
    if not report.exists():
        return ""
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            return f"{case.get('classname', '')}::{case.get('name', '')}"
    return ""


def run_fault(fault: Fault, base: Path, scratch: Path) -> Outcome:
    """Copy ``base`` (a snapshot of the checkout) to ``scratch``, seed, test."""
    shutil.copytree(base, scratch, symlinks=True)
    init_repository(scratch)  # the suite snapshots the template with git
    fault.apply(scratch)
    report = scratch / "report.xml"
    command = [
        "uv",
        "run",
        "--project",
        str(ROOT),
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        *fault.tests,
    ]
    started = time.monotonic()
    completed = subprocess.run(
        command,
        cwd=scratch,
        env=tool_environment(UV_NO_PROGRESS="1"),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.monotonic() - started
    by = first_failure(report)
    if completed.returncode not in (0, 1):
        by = by or f"pytest exited {completed.returncode}"
    return Outcome(caught=completed.returncode != 0, by=by, seconds=seconds)


def main(argv: Sequence[str] | None = None) -> int:
    """Seed the chosen faults one by one and print a table; 1 if one slipped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", type=int, help="faults to seed (1-)")
    parser.add_argument("--list", action="store_true", help="list the faults")
    args = parser.parse_args(argv)
    chosen = args.numbers or range(1, len(FAULTS) + 1)
    if args.list:
        for number in chosen:
            fault = FAULTS[number - 1]
            print(f"{number:2}  {fault.path}: {fault.renders}")
        return 0
    missed = 0
    print("fault  caught  seconds  where it breaks -> first test that failed")
    # One snapshot for every fault: later edits of the checkout do not leak in.
    with tempfile.TemporaryDirectory(prefix="faults-") as folder:
        base = snapshot_template(Path(folder) / "base")
        for number in chosen:
            fault = FAULTS[number - 1]
            outcome = run_fault(fault, base, Path(folder) / f"fault-{number}")
            shutil.rmtree(Path(folder) / f"fault-{number}", ignore_errors=True)
            missed += not outcome.caught
            print(
                f"{number:5}  {'yes' if outcome.caught else 'NO':6}  "
                f"{outcome.seconds:7.0f}  {fault.renders} -> {outcome.by or '-'}",
                flush=True,
            )
    print(f"{len(chosen) - missed} of {len(chosen)} faults caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
