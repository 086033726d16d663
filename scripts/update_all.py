"""Update every assignment of a workspace generated from this template.

Usage (from this repository)::

    uv run task update-all -- ~/mlops-workspace

Assignments are found by their ``.copier-answers.yml``, whose header names
this template. Each one is updated in turn by the assignments' own update
engine (``template/scripts/template_update.py``): one with uncommitted
changes is skipped, one that fails is left exactly as it was, and one with
conflicts keeps them marked inline without blocking the next. A summary
table ends the run. The exit status is 0 only when every assignment was
updated without conflicts, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
ANSWERS_FILE = ".copier-answers.yml"
TEMPLATE_MARKER = "mlops-assignment-template"
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "__pycache__"}
COPIER = (sys.executable, "-m", "copier")


def load_engine() -> ModuleType:
    """Import the update engine that the template ships to every assignment."""
    path = ROOT / "template" / "scripts" / "template_update.py"
    spec = importlib.util.spec_from_file_location("template_update", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the update engine from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


engine = load_engine()


def find_assignments(workspace: Path) -> list[Path]:
    """Return the folders below ``workspace`` generated from this template."""
    found = []
    for answers in sorted(workspace.rglob(ANSWERS_FILE)):
        if SKIPPED_FOLDERS & set(answers.relative_to(workspace).parts):
            continue
        if TEMPLATE_MARKER in answers.read_text(encoding="utf-8", errors="replace"):
            found.append(answers.parent)
    return found


def summary_table(results: dict[Path, engine.UpdateResult], workspace: Path) -> str:
    """Format the results as a plain-text table with a count per status."""
    rows = [("assignment", "status", "detail")]
    rows += [
        (folder.relative_to(workspace).as_posix(), result.status, result.detail)
        for folder, result in results.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {s:<{widths[1]}}  {d}" for a, s, d in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    counts = [
        f"{sum(r.status == status for r in results.values())} {status}"
        for status in engine.Status
    ]
    lines.append(", ".join(counts))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Update all assignments under the given workspace; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path, help="folder holding the assignments")
    parser.add_argument(
        "copier_args",
        nargs=argparse.REMAINDER,
        help="extra arguments for copier update",
    )
    args = parser.parse_args(argv)
    workspace = args.workspace.resolve()
    assignments = find_assignments(workspace)
    if not assignments:
        print(f"No assignment generated from this template under {workspace}.")
        return 1
    results = {}
    for folder in assignments:
        print(f"Updating {folder.relative_to(workspace).as_posix()} ...", flush=True)
        results[folder] = engine.update_assignment(
            folder, COPIER, args.copier_args, echo=False
        )
    print()
    print(summary_table(results, workspace))
    updated = all(r.status == engine.Status.UPDATED for r in results.values())
    return 0 if updated else 1


if __name__ == "__main__":
    sys.exit(main())
