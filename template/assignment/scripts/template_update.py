"""Check for, and take, the newest release of the template.

``task template:check`` runs ``python3 scripts/template_update.py check``,
which asks Copier whether a newer release exists (more arguments go to
``copier check-update``). ``task template:update``
runs it without ``check`` (extra arguments go to Copier, for example
``task template:update -- --vcs-ref v1.2.0``), which:

1. refuses to start while this folder has uncommitted changes, because an
   update must be easy to review and to undo (``git diff``, ``git restore``);
2. runs ``copier update`` with the flags this template needs;
3. if Copier fails, for any reason, puts every file, the git index and the
   answers back exactly as they were, and says so in one line;
4. otherwise prints the files the update changed and those with conflicts to
   resolve. Conflicts stay marked inline in the files, but not in the git
   index, so that they never block the update of another assignment in the
   same repository.

This module is also the update engine of the workspace's ``update-all``
command (``scripts/workspace.py``): :func:`update_assignment` takes the
Copier command as a parameter and returns an :class:`UpdateResult`. Only
the standard library is used, so it runs before ``uv sync`` too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

COPIER = (
    "uvx",
    "--from",
    "copier>=9.5,<10",
    "--with",
    "copier-template-extensions>=0.3.4",
    "copier",
)
UPDATE_FLAGS = ("update", "--trust", "--defaults", "--conflict", "inline")
CONFLICT_MARKER = "<<<<<<< before updating"


class UpdateRefusedError(RuntimeError):
    """Raised when the assignment is not in a state that can be updated."""


class Status(StrEnum):
    """How an update ended."""

    UPDATED = "updated"
    CONFLICTS = "conflicts"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class UpdateResult:
    """What an update did: its status, one-line detail, and the files touched.

    Paths are relative to the git repository's root, as git prints them.
    """

    status: Status
    detail: str
    changed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """The repository state an update may change: the index and changed files.

    Attributes:
        index: The bytes of the git index file.
        files: Every path that differed from HEAD (or was untracked) before
            the update, with its bytes, or ``None`` if it was deleted.
    """

    index: bytes
    files: dict[str, bytes | None] = field(default_factory=dict)


def git(folder: Path, *args: str) -> str:
    """Run git in ``folder`` and return its output.

    Raises:
        UpdateRefusedError: If git fails, for example outside a repository.
    """
    try:
        completed = subprocess.run(
            ["git", *args],
            cwd=folder,
            env={**os.environ, "GIT_LITERAL_PATHSPECS": "1"},  # names, not globs
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as error:
        raise UpdateRefusedError(f"git could not be run: {error}") from error
    if completed.returncode != 0:
        raise UpdateRefusedError(
            f"`git {' '.join(args)}` failed: {completed.stderr.strip()} "
            "(the assignment must be inside a git repository)"
        )
    return completed.stdout


def repository_root(folder: Path) -> Path:
    """Return the top folder of the git repository holding ``folder``."""
    return Path(git(folder, "rev-parse", "--show-toplevel").strip())


def changed_paths(folder: Path, *scope: str) -> list[str]:
    """Return the changed or untracked paths under ``scope`` (default: ``folder``).

    Paths are relative to the repository root. The output is read
    NUL-separated, so names with spaces or non-ASCII letters come back
    exactly as they are on disk.
    """
    output = git(
        folder,
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--",
        *(scope or (".",)),
    )
    entries = output.split("\0")
    paths = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if not entry:
            continue
        paths.append(entry[3:])
        if entry[0] in "RC":  # a rename or copy is followed by its source path
            index += 1
    return paths


def unmerged_paths(folder: Path, *scope: str) -> list[str]:
    """Paths with conflict stages in the git index, relative to the repository root."""
    output = git(folder, "diff", "--name-only", "--diff-filter=U", "-z", "--", *scope)
    return [path for path in output.split("\0") if path]


def has_conflict_marker(path: Path) -> bool:
    """Tell whether a file has a line that starts a Copier conflict block."""
    if not path.is_file():
        return False
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return any(line.startswith(CONFLICT_MARKER) for line in lines)


def index_path(root: Path) -> Path:
    """Return the path of the repository's git index file."""
    return root / git(root, "rev-parse", "--git-path", "index").strip()


def take_snapshot(root: Path) -> Snapshot:
    """Record the index and every path of the repository that differs from HEAD."""
    files = {}
    for path in changed_paths(root):
        file = root / path
        files[path] = file.read_bytes() if file.is_file() else None
    index = index_path(root)
    return Snapshot(index=index.read_bytes() if index.exists() else b"", files=files)


def restore(root: Path, snapshot: Snapshot) -> None:
    """Put the repository back as it was when ``snapshot`` was taken."""
    for path in changed_paths(root):
        file = root / path
        if path in snapshot.files:
            continue
        tracked = git(root, "ls-tree", "-z", "--name-only", "HEAD", "--", path)
        if tracked:
            git(root, "restore", "--source=HEAD", "--worktree", "--", path)
        elif file.is_file() or file.is_symlink():
            file.unlink()
    for path, content in snapshot.files.items():
        file = root / path
        if content is None:
            file.unlink(missing_ok=True)
        else:
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(content)
    index_path(root).write_bytes(snapshot.index)


def clear_unmerged(root: Path, paths: Sequence[str]) -> None:
    """Drop conflict stages from the index; the files keep their inline markers.

    Copier records conflicts as unmerged index entries, and git refuses to
    write a tree while any exist, which would stop every later update in the
    repository.
    """
    if paths:
        git(root, "reset", "--quiet", "--", *paths)


def run_copier(command: Sequence[str], echo: bool) -> tuple[int, str]:
    """Run Copier; return its exit code and the last line it wrote to stderr."""
    process = subprocess.Popen(
        command,
        stdout=None if echo else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    last_line = ""
    assert process.stderr is not None
    for line in process.stderr:
        if echo:
            sys.stderr.write(line)
        if line.strip():
            last_line = line.strip()
    return process.wait(), last_line


def update_assignment(
    folder: Path,
    copier: Sequence[str] = COPIER,
    extra_args: Sequence[str] = (),
    echo: bool = True,
) -> UpdateResult:
    """Update the assignment in ``folder``, or leave everything as it was.

    Args:
        folder: The assignment (the folder holding ``.copier-answers.yml``).
        copier: The command that runs Copier.
        extra_args: More arguments for ``copier update``.
        echo: Show Copier's output while it runs.

    Returns:
        ``skipped`` when the folder has uncommitted changes, ``failed`` when
        Copier failed (nothing changed), else ``updated`` or ``conflicts``.
    """
    folder = folder.resolve()
    try:
        root = repository_root(folder)
        dirty = changed_paths(folder)
        if dirty:
            return UpdateResult(
                Status.SKIPPED,
                f"the assignment has uncommitted changes ({len(dirty)} file(s)); "
                "commit or stash them first, so that the update can be reviewed "
                "and undone",
            )
        clear_unmerged(root, unmerged_paths(root, "."))
        snapshot = take_snapshot(root)
    except UpdateRefusedError as error:
        return UpdateResult(Status.FAILED, str(error))
    command = [*copier, *UPDATE_FLAGS, *extra_args, str(folder)]
    try:
        code, last_line = run_copier(command, echo)
    except BaseException:
        restore(root, snapshot)
        raise
    if code != 0:
        restore(root, snapshot)
        return UpdateResult(
            Status.FAILED,
            f"copier exited {code} ({last_line or 'no message'}); every file, "
            "the git index and the answers are as they were",
        )
    relative = folder.relative_to(root).as_posix()
    unmerged = unmerged_paths(root, relative)
    clear_unmerged(root, unmerged)
    changed = changed_paths(folder)
    conflicts = sorted(
        set(unmerged) | {p for p in changed if has_conflict_marker(root / p)}
    )
    if conflicts:
        return UpdateResult(
            Status.CONFLICTS,
            f"{len(conflicts)} file(s) to resolve: {', '.join(conflicts)}",
            tuple(changed),
            tuple(conflicts),
        )
    return UpdateResult(
        Status.UPDATED, f"{len(changed)} file(s) changed", tuple(changed)
    )


def print_summary(result: UpdateResult) -> None:
    """Print what the update of this assignment did and what to do next."""
    if result.status in (Status.SKIPPED, Status.FAILED):
        print(f"Template update {result.status}: {result.detail}.", file=sys.stderr)
        return
    print(f"\nTemplate update finished: {result.status}.")
    print(f"Files changed: {len(result.changed)}")
    for path in result.changed:
        print(f"  {path}")
    if result.conflicts:
        print(f"Conflicts to resolve: {len(result.conflicts)}")
        for path in result.conflicts:
            print(f"  {path}")
        print(
            "Find them with `git diff` or by searching for "
            f"'{CONFLICT_MARKER}'; keep the right lines, delete the markers, "
            "then run `task check` and commit."
        )
    else:
        print("Conflicts to resolve: 0. Review with `git diff`, then commit.")


def check(extra_args: Sequence[str] = ()) -> int:
    """Ask Copier whether a newer template release exists; return its exit code.

    With ``--quiet`` among ``extra_args``, Copier prints nothing and exits 2
    when a newer release exists (as the workspace's scheduled check uses it).
    """
    command = [*COPIER, "check-update", *extra_args, "."]
    return subprocess.run(command, check=False).returncode


def main(argv: list[str]) -> int:
    """Entry point: ``template_update.py check`` or ``[copier arguments...]``."""
    if argv[:1] == ["check"]:
        return check(argv[1:])
    result = update_assignment(Path.cwd(), extra_args=argv)
    print_summary(result)
    return 0 if result.status in (Status.UPDATED, Status.CONFLICTS) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
