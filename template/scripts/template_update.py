"""Check for, and take, the newest release of the template.

``task template:check`` runs ``python3 scripts/template_update.py check``,
which asks Copier whether a newer release exists. ``task template:update``
runs it without ``check`` (extra arguments go to Copier, for example
``task template:update -- --vcs-ref v1.2.0``), which:

1. refuses to start while this folder has uncommitted changes, because an
   update must be easy to review and to undo (``git diff``, ``git restore``);
2. runs ``copier update`` with the flags this template needs;
3. prints a summary: the files the update changed, and the files with
   conflicts to resolve.

Only the standard library is used, so it runs before ``uv sync`` too.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

COPIER = [
    "uvx",
    "--from",
    "copier>=9.5,<10",
    "--with",
    "copier-template-extensions>=0.3.4",
    "copier",
]
UPDATE_FLAGS = ["update", "--trust", "--defaults", "--conflict", "inline"]
CONFLICT_MARKER = "<<<<<<< before updating"


class UpdateRefusedError(RuntimeError):
    """Raised when the assignment is not in a state that can be updated."""


def git(*args: str) -> str:
    """Run git in the current folder and return its output."""
    completed = subprocess.run(
        ["git", *args], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise UpdateRefusedError(
            f"`git {' '.join(args)}` failed: {completed.stderr.strip()} "
            "(the assignment must be inside a git repository)"
        )
    return completed.stdout


def changed_paths() -> list[str]:
    """Return the paths under this folder that differ from the last commit."""
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".")
    return [line[3:] for line in status.splitlines() if line]


def conflicted(paths: list[str], root: Path) -> list[str]:
    """Return the paths (relative to the repository root) with conflict markers."""
    found = []
    for path in paths:
        file = root / path
        if not file.is_file():
            continue
        lines = file.read_text(errors="replace").splitlines()
        if any(line.startswith(CONFLICT_MARKER) for line in lines):
            found.append(path)
    return found


def update(extra_args: list[str]) -> int:
    """Run the update and print its summary; return the exit code."""
    if changed_paths():
        raise UpdateRefusedError(
            "This assignment has uncommitted changes. Commit or stash them "
            "first, so that the update can be reviewed and undone:\n"
            "  git add . && git commit -m 'Work before template update'"
        )
    completed = subprocess.run([*COPIER, *UPDATE_FLAGS, *extra_args, "."], check=False)
    root = Path(git("rev-parse", "--show-toplevel").strip())
    paths = changed_paths()
    conflicts = conflicted(paths, root)
    print(f"\nTemplate update finished (copier exit code {completed.returncode}).")
    print(f"Files changed: {len(paths)}")
    for path in paths:
        print(f"  {path}")
    if conflicts:
        print(f"Conflicts to resolve: {len(conflicts)}")
        for path in conflicts:
            print(f"  {path}")
        print(
            "Find them with `git diff` or by searching for "
            f"'{CONFLICT_MARKER}'; keep the right lines, delete the markers, "
            "then run `task check` and commit."
        )
    else:
        print("Conflicts to resolve: 0. Review with `git diff`, then commit.")
    return completed.returncode


def check() -> int:
    """Ask Copier whether a newer template release exists; return its exit code."""
    return subprocess.run([*COPIER, "check-update", "."], check=False).returncode


def main(argv: list[str]) -> int:
    """Entry point: ``template_update.py check`` or ``[copier arguments...]``."""
    if argv[:1] == ["check"]:
        return check()
    try:
        return update(argv)
    except UpdateRefusedError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
