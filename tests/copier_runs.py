"""Render with Copier's real CLI, and read what it recorded."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path

import yaml
from copier._cli import CopierApp  # what `copier` on the command line runs

from scripts.tooling import data_args
from tests.processes import run

# The ``render`` and ``installed`` fixtures: answer-set name -> project folder.
Render = Callable[[str], Path]


def copier_command(*args: str | Path) -> list[str]:
    """Return the command line that runs Copier's CLI from this environment."""
    return [sys.executable, "-m", "copier", *map(str, args)]


def copier_copy(
    template: Path,
    destination: Path,
    answers: Mapping[str, object] | None = None,
    *,
    skip_tasks: bool = True,
    vcs_ref: str | None = None,
    quiet: bool = True,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    in_process: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Render ``template`` (at git ref ``vcs_ref``) into ``destination``.

    With ``in_process``, Copier's CLI runs in this process (see
    ``copier_in_process``): for renders without tasks, from a template whose
    extensions are this checkout's.
    """
    flags = ["--trust", "--defaults", *(["--quiet"] if quiet else [])]
    if skip_tasks:
        flags.append("--skip-tasks")
    if vcs_ref:
        flags += ["--vcs-ref", vcs_ref]
    args = ["copy", *flags, *data_args(answers or {}), str(template), str(destination)]
    destination.parent.mkdir(parents=True, exist_ok=True)
    if not in_process:
        return run(copier_command(*args), destination.parent, env=env, check=check)
    if not skip_tasks or env is not None:
        raise ValueError("only a render without tasks runs in this process")
    result = copier_in_process(args)
    if check:
        result.check_returncode()
    return result


def copier_in_process(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run Copier's CLI with ``args`` in this process; return what it printed.

    The same code as the command line (its arguments, the validators, the
    messages and the exit code) without starting an interpreter for each of
    the many renders and refusals. Nothing runs in the tools' environment
    (``--skip-tasks``), and the template's Jinja extensions are imported
    once per process: they must be this checkout's. An exception that the
    CLI lets through ends as it would end the interpreter: its traceback on
    stderr, exit code 1.
    """
    argv = ["copier", *args]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            _, code = CopierApp.run(argv, exit=False)
        except Exception:  # reported as the interpreter would report it
            traceback.print_exc()
            code = 1
    return subprocess.CompletedProcess(argv, code, stdout.getvalue(), stderr.getvalue())


def copier_update(
    project: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``copier update`` on ``project`` non-interactively."""
    command = copier_command("update", "--trust", "--defaults", *args, project)
    return run(command, project.parent, env=env, check=check)


def stored_answers(project: Path) -> dict[str, object]:
    """Read the answers Copier recorded in a rendered project."""
    return yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
