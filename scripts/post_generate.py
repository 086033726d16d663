"""Post-generation steps of the template, run by Copier with its own Python.

Usage (from ``copier.yml``; the working directory is the rendered project)::

    python post_generate.py copy LAYOUT NAME EMAIL [TABLE]  # uv sync, ruff format
    python post_generate.py update LAYOUT NAME EMAIL        # ruff format only
    python post_generate.py migrate LAYOUT NAME EMAIL       # uv sync, ruff format

``LAYOUT`` is ``standalone`` (an assignment with its own lock), ``member``
(an assignment of a uv workspace) or ``workspace`` (the course workspace
root, followed by its author's name and email). A member and the root sync
the whole workspace (``uv sync --all-packages``), so that no sync removes
the tools of the root or another assignment from the shared ``.venv``. The
root is never formatted (that would format the assignments it holds); on
copy it becomes a git repository with a first commit and the git hooks
installed, unless it already is inside one.

``TABLE`` is the absolute path of the student's own table (``dataset=file``),
or empty. On copy it is copied first, byte for byte, into ``data/<its name>``;
a table over 1 MB (the limit of the git hook that refuses large files) is
listed in ``data/.gitignore``. An update never copies it again: the original
may be gone by then, and the assignment has its copy.

Nothing here may fail a copy or an update: a failing step prints one
``WARNING:`` line that says what failed and what to run later, keeps every
file, and the script still exits 0. It uses the standard library only (and
``tooling.py`` beside it, which does too).
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

if __package__:  # imported as scripts.post_generate, by the tests
    from .tooling import commit_all, init_repository, tool_environment
else:  # run as a file by Copier's Python, which knows only this folder
    from tooling import commit_all, init_repository, tool_environment

SYNC_OPERATIONS = frozenset({"copy", "migrate"})
WORKSPACE_LAYOUTS = frozenset({"member", "workspace"})
FIRST_COMMIT = "Start the course workspace from the template"
# The git hook `check-added-large-files --maxkb=1024` refuses a file whose
# size rounded up to whole KiB is over 1024, that is, over this many bytes.
LARGE_FILE_BYTES = 1024 * 1024

# What made `uv sync` fail, recognised by phrases of uv's error output, most
# specific first (an offline run also says "No solution found").
UV_FAILURES = (
    (
        "no Python interpreter satisfies the project's requires-python",
        (
            "no interpreter found",
            "failed to inspect python interpreter",
            "incompatible with the project's python requirement",
            "no python installation",
        ),
    ),
    (
        "the package index could not be reached; check your network",
        (
            "network was disabled",
            "tcp connect error",
            "dns error",
            "error sending request",
            "failed to fetch",
            "connection refused",
            "timed out",
            "certificate",
        ),
    ),
    ("the project itself failed to build", ("failed to build",)),
    ("the dependencies could not be resolved", ("no solution found",)),
)


def warn(message: str) -> None:
    """Print one warning line to standard error."""
    print(f"WARNING: {message}", file=sys.stderr, flush=True)


def run(command: Sequence[str], project: Path) -> int | None:
    """Run ``command`` in ``project``; return its exit code or ``None`` if absent."""
    try:
        completed = subprocess.run(
            command, cwd=project, env=tool_environment(), check=False
        )
    except OSError:
        return None
    return completed.returncode


def uv_failure_reason(output: str) -> str:
    """Say what made ``uv sync`` fail, from its error output."""
    lowered = output.lower()
    for reason, phrases in UV_FAILURES:
        if any(phrase in lowered for phrase in phrases):
            return reason
    return "see uv's message above"


def sync_summary(output: str, seconds: float) -> str:
    """One line about a successful ``uv sync``, from its output.

    uv prints a ``+ package`` line per package it installs (about 130 for
    an assignment); the summary counts them instead.
    """
    installed = sum(line.startswith(" + ") for line in output.splitlines())
    removed = sum(line.startswith(" - ") for line in output.splitlines())
    changes = f"{installed} package(s) installed" + (
        f", {removed} removed" if removed else ""
    )
    return f"Dependencies ready ({changes}, {seconds:.1f} s)."


def notable_lines(output: str) -> list[str]:
    """Uv's warnings and errors, which are always shown in full."""
    return [
        line
        for line in output.splitlines()
        if line.lower().startswith(("warning", "error", "hint", "  caused by"))
    ]


def sync_dependencies(project: Path, whole_workspace: bool) -> None:
    """Install the project's dependencies with ``uv sync``; warn on failure.

    One line says it started and one line sums it up; uv's warnings, and its
    whole output when it fails, are shown as they are. ``whole_workspace``
    syncs every member of the enclosing uv workspace.
    """
    uv = shutil.which("uv")
    if uv is None:
        warn(
            "uv was not found on PATH, so the dependencies were not installed. "
            f"Install uv, then run `uv sync` in {project}."
        )
        return
    arguments = ["sync", "--all-packages"] if whole_workspace else ["sync"]
    print(f"Installing the dependencies (uv {' '.join(arguments)}) ...", flush=True)
    started = time.monotonic()
    completed = subprocess.run(
        [uv, *arguments],
        cwd=project,
        env=tool_environment(UV_NO_PROGRESS="1"),
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
        check=False,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr)
        warn(
            f"`uv sync` failed (exit code {completed.returncode}): "
            f"{uv_failure_reason(completed.stderr)}. The dependencies are not "
            f"installed; fix that, then run `uv {' '.join(arguments)}` in {project}."
        )
        return
    for line in notable_lines(completed.stderr):
        print(line, file=sys.stderr)
    print(sync_summary(completed.stderr, time.monotonic() - started), flush=True)


def find_ruff(project: Path) -> str | None:
    """Find ruff: in the project's or an enclosing workspace's ``.venv``, or PATH."""
    for folder in (project, *project.parents):
        candidate = folder / ".venv" / "bin" / "ruff"
        if candidate.is_file():
            return str(candidate)
    return shutil.which("ruff")


def format_code(project: Path) -> None:
    """Format the project with ``ruff format``; warn when that is not possible."""
    ruff = find_ruff(project)
    if ruff is None:
        warn(
            "ruff was not found, so the code was not formatted. "
            f"Run `uv sync` and then `uv run ruff format` in {project}."
        )
        return
    code = run([ruff, "format", "--quiet", "--no-cache", "."], project)
    if code != 0:
        warn(
            f"`ruff format` failed (exit code {code}); "
            f"run `uv run ruff format` in {project} to see why."
        )


def gitignore_pattern(name: str) -> str:
    """A ``.gitignore`` line matching exactly the file ``name`` beside it."""
    escaped = "".join("\\" + c if c in "\\*?[" else c for c in name)
    if escaped.endswith(" "):
        escaped = escaped[:-1] + "\\ "
    return "/" + escaped


def ignore_large_file(table: Path) -> None:
    """List ``table`` in the ``.gitignore`` beside it, saying why."""
    ignore_file = table.parent / ".gitignore"
    pattern = gitignore_pattern(table.name)
    existing = ignore_file.read_text("utf-8") if ignore_file.exists() else ""
    if pattern in existing.splitlines():
        return
    entry = (
        f"# {table.name} is over 1 MB, the limit of the git hook that refuses\n"
        "# large files, so git leaves it out: keep your own copy of it.\n"
        "# The model records the data's sha256 fingerprint, so which data it\n"
        "# learned from stays known; the image build still sees the file\n"
        "# (.dockerignore does not exclude data/).\n"
        f"{pattern}\n"
    )
    separator = "\n" if existing and not existing.endswith("\n") else ""
    ignore_file.write_text(existing + separator + entry, "utf-8")


def copy_table(project: Path, source: str) -> None:
    """Copy the student's table into ``data/``; ignore it in git when large."""
    original = Path(source)
    copy = project / "data" / original.name
    try:
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(original, copy)
        if copy.stat().st_size > LARGE_FILE_BYTES:
            ignore_large_file(copy)
    except OSError as error:
        warn(
            f"your table was not copied into data/ ({error.strerror or error}); "
            f"copy it yourself: cp {shlex.quote(str(original))} "
            f"{shlex.quote(str(copy))}"
        )


def inside_repository(project: Path) -> bool:
    """Tell whether ``project`` already is inside a git work tree."""
    completed = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=project,
        capture_output=True,
        check=False,
    )
    return completed.returncode == 0


def start_repository(project: Path, author: dict[str, str]) -> None:
    """Make ``project`` a git repository with a first commit and the hooks.

    ``author`` (``name``, ``email``) signs the commit where git has no
    identity configured. Nothing is done inside an existing repository.
    """
    if inside_repository(project):
        return
    try:
        init_repository(project)
        commit_all(project, FIRST_COMMIT, fallback=author)
    except (OSError, subprocess.CalledProcessError) as error:
        warn(
            f"the first commit failed ({error}); run `git add -A && git commit` "
            f"in {project}."
        )
        return
    pre_commit = project / ".venv" / "bin" / "pre-commit"
    if run([str(pre_commit), "install"], project) != 0:
        warn(f"the git hooks were not installed; run `uv run task setup` in {project}.")


def main(argv: Sequence[str]) -> int:
    """Run the steps for the operation and layout named in ``argv``; return 0."""
    operation = argv[0] if argv else "copy"
    layout = argv[1] if len(argv) > 1 else "standalone"
    table = argv[4] if len(argv) > 4 else ""
    project = Path.cwd()
    if operation == "copy" and table:
        copy_table(project, table)
    if operation in SYNC_OPERATIONS:
        sync_dependencies(project, whole_workspace=layout in WORKSPACE_LAYOUTS)
    if layout != "workspace":
        format_code(project)
    elif operation == "copy":
        start_repository(project, {"name": argv[2], "email": argv[3]})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
