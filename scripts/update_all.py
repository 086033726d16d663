"""Update every assignment of a workspace generated from this template.

Usage (from this repository)::

    uv run task update-all -- ~/mlops-workspace

Assignments are found by their ``.copier-answers.yml``, whose header names
this template. Each one is updated in turn with ``copier update``; one with
uncommitted changes is skipped, one that fails does not stop the others. A
summary table ends the run. The exit status is 0 only when every assignment
was updated without conflicts, 1 otherwise.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ANSWERS_FILE = ".copier-answers.yml"
TEMPLATE_MARKER = "mlops-assignment-template"
CONFLICT_MARKER = "<<<<<<< before updating"
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "__pycache__"}


@dataclass(frozen=True)
class Outcome:
    """What happened to one assignment: a status and a one-line detail."""

    assignment: Path
    status: str  # "updated", "conflicts", "skipped" or "failed"
    detail: str


def find_assignments(workspace: Path) -> list[Path]:
    """Return the folders below ``workspace`` generated from this template."""
    found = []
    for answers in sorted(workspace.rglob(ANSWERS_FILE)):
        if SKIPPED_FOLDERS & set(answers.relative_to(workspace).parts):
            continue
        if TEMPLATE_MARKER in answers.read_text(encoding="utf-8", errors="replace"):
            found.append(answers.parent)
    return found


def git_changes(assignment: Path) -> list[str]:
    """Return ``git status`` lines for the assignment's folder only."""
    completed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--", "."],
        cwd=assignment,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.splitlines()


def has_conflict_markers(path: Path) -> bool:
    """Tell whether a file has a line that starts a Copier conflict block."""
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return any(line.startswith(CONFLICT_MARKER) for line in lines)


def update_one(assignment: Path, copier_args: list[str]) -> Outcome:
    """Update one assignment and classify the result."""
    try:
        dirty = git_changes(assignment)
    except (OSError, subprocess.CalledProcessError) as error:
        return Outcome(assignment, "failed", f"git status failed: {error}")
    if dirty:
        return Outcome(
            assignment, "skipped", f"{len(dirty)} uncommitted change(s); commit first"
        )
    command = [
        sys.executable,
        "-m",
        "copier",
        "update",
        "--trust",
        "--defaults",
        "--conflict",
        "inline",
        *copier_args,
        str(assignment),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        last_line = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return Outcome(
            assignment, "failed", f"copier exit {completed.returncode}: {last_line}"
        )
    changed = git_changes(assignment)
    root = Path(
        subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=assignment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    conflicts = [line[3:] for line in changed if has_conflict_markers(root / line[3:])]
    if conflicts:
        return Outcome(
            assignment, "conflicts", f"{len(conflicts)} file(s): {', '.join(conflicts)}"
        )
    return Outcome(assignment, "updated", f"{len(changed)} file(s) changed")


def summary_table(outcomes: list[Outcome], workspace: Path) -> str:
    """Format the outcomes as a plain-text table."""
    rows = [("assignment", "status", "detail")]
    rows += [
        (str(o.assignment.relative_to(workspace)), o.status, o.detail) for o in outcomes
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {s:<{widths[1]}}  {d}" for a, s, d in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    counts = {
        status: sum(o.status == status for o in outcomes)
        for status in ("updated", "conflicts", "skipped", "failed")
    }
    lines.append(", ".join(f"{count} {status}" for status, count in counts.items()))
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
    outcomes = []
    for assignment in assignments:
        print(f"Updating {assignment.relative_to(workspace)} ...", flush=True)
        outcomes.append(update_one(assignment, args.copier_args))
    print()
    print(summary_table(outcomes, workspace))
    return 0 if all(o.status == "updated" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
