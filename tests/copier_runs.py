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
) -> subprocess.CompletedProcess[str]:
    """Render ``template`` (at git ref ``vcs_ref``) into ``destination``."""
    flags = ["--trust", "--defaults", *(["--quiet"] if quiet else [])]
    if skip_tasks:
        flags.append("--skip-tasks")
    if vcs_ref:
        flags += ["--vcs-ref", vcs_ref]
    command = copier_command(
        "copy", *flags, *data_args(answers or {}), template, destination
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    return run(command, destination.parent, env=env, check=check)


def refused_copy(
    template: Path, destination: Path, answers: Mapping[str, object]
) -> subprocess.CompletedProcess[str]:
    """Run ``copier copy`` with answers it must refuse, in this process.

    The same code as the command line (its arguments, the validators, the
    message and the exit code) without starting an interpreter for each of
    the many bad answers. Copier refuses before it runs a task, so the
    tools' environment (``copier_copy``) makes no difference here. An
    exception that Copier's CLI lets through ends as it would end the
    interpreter: its traceback on stderr, exit code 1.
    """
    argv = ["copier", "copy", "--trust", "--defaults", "--quiet", "--skip-tasks"]
    argv += [*data_args(answers), str(template), str(destination)]
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
