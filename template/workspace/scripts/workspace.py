"""Commands of the course workspace, one per task of its Taskfile.

Usage (from the workspace root; ``task`` runs these for you)::

    python scripts/workspace.py new <name> [copier options]  # task new -- <name>
    python scripts/workspace.py check [<name>...]            # task check
    python scripts/workspace.py spec new|list <name>         # task spec:new -- <name>
    python scripts/workspace.py update-all [copier options]  # task update-all
    python scripts/workspace.py changed <git revision>       # used by CI

Every assignment lives in ``assignments/<name>/``. ``new`` copies the
template recorded in this root's ``.copier-answers.yml`` into a new one;
``check`` runs each assignment's own ``task check`` and prints one summary;
``spec`` runs an assignment's own ``task spec:new`` or ``task spec:list``;
``update-all`` updates each assignment with the update engine
(``template_update.py``, beside this file) and prints one summary;
``changed`` prints, as a JSON list, the assignments that changed since a git
revision (all of them when the workspace's shared files changed).

A command that cannot run prints one ``Error:`` line saying why and what to
do, exits with status 2 and changes nothing. Only the standard library is
used, so these commands run before ``uv sync``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import template_update as engine

ANSWERS_FILE = ".copier-answers.yml"
ASSIGNMENTS = "assignments"
TEMPLATE_MARKER = "mlops-assignment-template"
WORKSPACE_ANSWER = re.compile(r"^kind: workspace$", re.MULTILINE)
SOURCE_ANSWER = re.compile(r"^_src_path: (?P<source>.+)$", re.MULTILINE)
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# How Python starts the report of an exception nobody caught, and the last
# line of Copier's report of an answer that a question refuses (its validator
# or its choices): "ValueError: Validation error for question 'x': ...".
TRACEBACK_START = "Traceback (most recent call last):"
REFUSED_ANSWER = re.compile(
    r"ValueError: (?P<message>(?:Validation error for question|Invalid choice for)"
    r" '(?P<question>\w+)'.*)"
)
SKIPPED_FOLDERS = {".git", ".venv", "node_modules", "__pycache__"}
# A change to one of these affects every assignment.
SHARED_FILES = ("pyproject.toml", "uv.lock", ".python-version", ".github/")


class WorkspaceError(RuntimeError):
    """Raised when a command cannot run in this workspace, with what to do."""


def copier_command() -> tuple[str, ...]:
    """Return how to run Copier: from this environment if it has it, else uvx."""
    if importlib.util.find_spec("copier") is not None:
        return (sys.executable, "-m", "copier")
    return engine.COPIER


# The answers of the root that an assignment of this workspace takes as its
# own: facts of the workspace (every assignment is a member, in the root's
# Python, which the shared lock supports), and the author, as a default.
FACTS = ("python_version",)
DEFAULTS = ("author_name", "author_email")


def yaml_scalar(text: str) -> str:
    """Read one scalar of the answers file as PyYAML writes it.

    Plain, single-quoted (``''`` for a quote) or double-quoted (JSON-like
    escapes) text; the answers file holds nothing more complicated.
    """
    text = text.strip()
    if text.startswith("'") and text.endswith("'"):
        return text[1:-1].replace("''", "'")
    if text.startswith('"') and text.endswith('"'):
        return json.loads(text)
    return text


def root_answers(root: Path, names: Sequence[str]) -> dict[str, str]:
    """The answers ``names`` recorded in the root's answers file (those present)."""
    try:
        text = (root / ANSWERS_FILE).read_text(encoding="utf-8")
    except OSError:
        return {}
    found = {}
    for name in names:
        match = re.search(rf"^{name}: (?P<value>.+)$", text, re.MULTILINE)
        if match:
            found[name] = yaml_scalar(match["value"])
    return found


def workspace_answers(root: Path, copier_args: Sequence[str]) -> list[str]:
    """Copier's ``--data`` options for an assignment of this workspace.

    The workspace's facts are passed after the student's options, so they
    win: an assignment is a member, in the root's Python. The author is
    passed before them: a default the student may change.
    """
    defaults = root_answers(root, DEFAULTS)
    data = [f"{name}={value}" for name, value in defaults.items()]
    facts = ["kind=assignment", "workspace_member=true"]
    facts += [f"{name}={value}" for name, value in root_answers(root, FACTS).items()]
    return [
        *(part for item in data for part in ("--data", item)),
        *copier_args,
        *(part for item in facts for part in ("--data", item)),
    ]


def template_source(root: Path) -> str:
    """Return the template source recorded in the root's answers file."""
    answers = root / ANSWERS_FILE
    try:
        match = SOURCE_ANSWER.search(answers.read_text(encoding="utf-8"))
    except OSError as error:
        raise WorkspaceError(
            f"cannot read {answers} ({error.strerror}); run this from the "
            "workspace root that `copier copy` created"
        ) from error
    if match is None:
        raise WorkspaceError(f"{answers} does not record the template's _src_path")
    return match["source"].strip().strip("'\"")


def find_assignments(workspace: Path) -> list[Path]:
    """Return the assignments generated from the template under ``workspace``."""
    found = []
    for answers in sorted(workspace.rglob(ANSWERS_FILE)):
        if SKIPPED_FOLDERS & set(answers.relative_to(workspace).parts):
            continue
        text = answers.read_text(encoding="utf-8", errors="replace")
        if TEMPLATE_MARKER in text and not WORKSPACE_ANSWER.search(text):
            found.append(answers.parent)
    return found


def table(rows: Iterable[tuple[str, str, str]], counts: str) -> str:
    """Format rows of (assignment, status, detail) under a header, then counts."""
    rows = [("assignment", "status", "detail"), *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {s:<{widths[1]}}  {d}" for a, s, d in rows]
    lines.insert(1, "-" * max(len(line) for line in lines))
    return "\n".join([*lines, counts])


def run_copier(command: Sequence[str]) -> tuple[int, re.Match[str] | None]:
    """Run Copier, passing its output through; return its exit code and refusal.

    A traceback is held back until Copier ends. When Copier failed and the
    traceback is its report of a refused answer, the traceback is dropped and
    its last line returned, for the caller to print as one line; any other
    traceback is printed as it came.
    """
    with subprocess.Popen(
        command, stderr=subprocess.PIPE, encoding="utf-8", errors="replace"
    ) as process:
        held: list[str] = []
        for line in process.stderr or ():
            if held or line.rstrip("\n") == TRACEBACK_START:
                held.append(line)
            else:
                sys.stderr.write(line)
                sys.stderr.flush()
    code = process.returncode
    refusal = REFUSED_ANSWER.fullmatch(held[-1].strip()) if held else None
    if code != 0 and refusal is not None:
        return code, refusal
    sys.stderr.writelines(held)
    return code, None


def new(root: Path, name: str, copier_args: Sequence[str]) -> int:
    """Copy the template into ``assignments/<name>``; return Copier's exit code.

    Only the assignment's own questions are asked: what to create, whether
    it joins the uv workspace and its Python version are facts of this
    workspace, and the author defaults to the workspace's. Copier checks
    every answer before it writes anything, including that no other member
    of the workspace has the same name; an answer it refuses becomes one
    ``Error:`` line.
    """
    if not NAME.fullmatch(name):
        raise WorkspaceError(
            f"assignment name {name!r}: use lowercase letters, digits, '.', '_' "
            "and '-', starting with a letter or digit (for example churn-model)"
        )
    destination = root / ASSIGNMENTS / name
    if destination.exists():
        raise WorkspaceError(f"{destination} already exists; choose another name")
    command = [*copier_command(), "copy", "--trust", template_source(root)]
    options = workspace_answers(root, copier_args)
    code, refusal = run_copier([*command, str(destination), *options])
    if refusal is not None:
        raise WorkspaceError(
            f"{refusal['message']} (nothing was written to {ASSIGNMENTS}/{name}; "
            f"answer with --data {refusal['question']}=..., or choose another name)"
        )
    return code


def assignments_by_name(root: Path) -> dict[str, Path]:
    """The assignments under ``assignments/``, by their path below it."""
    folder = root / ASSIGNMENTS
    return {
        path.relative_to(folder).as_posix(): path for path in find_assignments(folder)
    }


def how_to_name(known: Sequence[str], usage: str) -> str:
    """Say which names an assignment command takes; ``usage`` has ``{name}``."""
    if not known:
        return "there is none yet: start one with `task new -- <name>`"
    example = usage.format(name=known[0])
    return f"name one of {', '.join(known)}, for example: {example}"


def select_assignments(root: Path, names: Sequence[str], usage: str) -> list[Path]:
    """Return the assignments ``names`` designate, all of them for no name.

    A name is the path of an assignment below ``assignments/`` (its folder
    name, for one directly there). Any other name, such as ``../..`` or an
    absolute path, is refused, listing the assignments there are.

    Args:
        root: The workspace root.
        names: The names given on the command line.
        usage: How to give a name, with ``{name}`` for one, for the message.
    """
    known = assignments_by_name(root)
    unknown = [name for name in names if name not in known]
    if unknown:
        given = ", ".join(repr(name) for name in unknown)
        hint = how_to_name(list(known), usage)
        raise WorkspaceError(f"no assignment {given} in {ASSIGNMENTS}/; {hint}")
    return [known[name] for name in names] or list(known.values())


def task_program() -> str:
    """Return the path of go-task's ``task``; raise when it is not installed."""
    task = shutil.which("task")
    if task is None:
        raise WorkspaceError("`task` was not found; run `uv sync --all-packages`")
    return task


def check(root: Path, names: Sequence[str]) -> int:
    """Run ``task check`` in each assignment (or the named ones); 1 if any fails."""
    folders = select_assignments(root, names, "task check -- {name}")
    if not folders:
        print("No assignments yet: start one with `task new -- <name>`.")
        return 0
    task = task_program()
    rows = []
    for folder in folders:
        name = folder.relative_to(root).as_posix()
        print(f"\n=== {name}: task check", flush=True)
        started = time.perf_counter()
        code = subprocess.run([task, "check"], cwd=folder, check=False).returncode
        seconds = time.perf_counter() - started
        status = "passed" if code == 0 else "failed"
        rows.append((name, status, f"exit code {code}, {seconds:.1f} s"))
    failed = sum(status == "failed" for _, status, _ in rows)
    print()
    print(table(rows, f"{len(rows) - failed} passed, {failed} failed"))
    return 1 if failed else 0


def spec(root: Path, action: str, name: str) -> int:
    """Run ``task spec:<action>`` in the assignment ``name``; return its exit code."""
    usage = f"task spec:{action} -- {{name}}"
    if not name:
        known = list(assignments_by_name(root))
        raise WorkspaceError(
            f"task spec:{action} needs the name of an assignment; "
            f"{how_to_name(known, usage)}"
        )
    [folder] = select_assignments(root, [name], usage)
    return subprocess.run(
        [task_program(), f"spec:{action}"], cwd=folder, check=False
    ).returncode


def update_all(workspace: Path, copier_args: Sequence[str]) -> int:
    """Update every assignment in turn; 0 only if all were updated cleanly."""
    assignments = find_assignments(workspace)
    if not assignments:
        print(f"No assignment generated from the template under {workspace}.")
        return 1
    results = {}
    for folder in assignments:
        print(f"Updating {folder.relative_to(workspace).as_posix()} ...", flush=True)
        results[folder] = engine.update_assignment(
            folder, copier_command(), copier_args, echo=False
        )
    rows = [
        (folder.relative_to(workspace).as_posix(), result.status, result.detail)
        for folder, result in results.items()
    ]
    counts = ", ".join(
        f"{sum(r.status == status for r in results.values())} {status}"
        for status in engine.Status
    )
    print()
    print(table(rows, counts))
    updated = all(r.status == engine.Status.UPDATED for r in results.values())
    return 0 if updated else 1


def changed(root: Path, revision: str) -> list[str]:
    """Return the names of the assignments changed since ``revision``.

    Every assignment counts as changed when ``revision`` is unknown (a new
    branch, a shallow clone) or when a file they share changed.
    """
    everything = [folder.name for folder in find_assignments(root / ASSIGNMENTS)]
    diff = subprocess.run(
        ["git", "diff", "--name-only", "-z", revision, "HEAD"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if diff.returncode != 0:
        return everything
    paths = [path for path in diff.stdout.decode().split("\0") if path]
    if any(path.startswith(SHARED_FILES) for path in paths):
        return everything
    names = {path.split("/")[1] for path in paths if path.startswith(f"{ASSIGNMENTS}/")}
    return [name for name in everything if name in names]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run one command; return its exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    new_parser = commands.add_parser("new", help="start an assignment")
    new_parser.add_argument("name", help="folder name under assignments/")
    new_parser.add_argument("copier_args", nargs=argparse.REMAINDER)
    check_parser = commands.add_parser("check", help="task check in each assignment")
    check_parser.add_argument("names", nargs="*", help="only these assignments")
    spec_parser = commands.add_parser("spec", help="spec:new or spec:list of one")
    spec_parser.add_argument("action", choices=("new", "list"))
    spec_parser.add_argument("name", nargs="?", default="", help="the assignment")
    update_parser = commands.add_parser("update-all", help="update every assignment")
    update_parser.add_argument(
        "--workspace", type=Path, default=Path.cwd(), help="folder to search"
    )
    changed_parser = commands.add_parser("changed", help="assignments changed")
    changed_parser.add_argument("revision", help="git revision to compare with")
    # Options that update-all does not know go to `copier update` as they are.
    args, copier_args = parser.parse_known_args(argv)
    if copier_args and args.command != "update-all":
        parser.error(f"unrecognized arguments: {' '.join(copier_args)}")
    root = Path.cwd()
    try:
        if args.command == "new":
            return new(root, args.name, args.copier_args)
        if args.command == "check":
            return check(root, args.names)
        if args.command == "spec":
            return spec(root, args.action, args.name)
        if args.command == "update-all":
            return update_all(args.workspace.resolve(), copier_args)
        print(json.dumps(changed(root, args.revision)))
        return 0
    except WorkspaceError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
