"""The post-generation tasks never fail a copy: they warn and keep every file."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import post_generate
import pytest
from support import (
    VENV_BIN,
    copier_copy,
    expected_files,
    project_files,
    stored_answers,
    tool_env,
)


def test_copy_without_uv_warns_and_keeps_every_file(
    template_dir: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "churn-model"
    bare_path = os.pathsep.join(["/usr/bin", "/bin"])  # git, but no uv and no ruff
    env = tool_env(PATH=bare_path)

    result = copier_copy(template_dir, destination, skip_tasks=False, env=env)

    assert result.returncode == 0
    assert "WARNING: uv was not found on PATH" in result.stderr
    assert "run `uv sync` in" in result.stderr
    assert "WARNING: ruff was not found" in result.stderr
    assert project_files(destination) == expected_files(stored_answers(destination))


def test_copy_offline_with_empty_cache_warns_and_keeps_every_file(
    template_dir: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "churn-model"
    empty_cache = tmp_path / "empty-uv-cache"
    env = tool_env(UV_OFFLINE="1", UV_CACHE_DIR=str(empty_cache))

    result = copier_copy(template_dir, destination, skip_tasks=False, env=env)

    assert result.returncode == 0
    assert "WARNING: `uv sync` failed" in result.stderr
    assert "the package index could not be reached; check your network" in (
        result.stderr
    )
    assert f"then run `uv sync` in {destination}." in result.stderr
    assert not (destination / "uv.lock").exists()
    assert project_files(destination) == expected_files(stored_answers(destination))


def test_copy_for_a_python_that_is_not_installed_names_the_interpreter(
    template_dir: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "churn-model"
    # No 3.13 on purpose, wherever this machine keeps one: a PATH without
    # pyenv's shims and versions, no pyenv selection, no uv-managed Pythons.
    env = tool_env(
        PATH=os.pathsep.join([str(VENV_BIN), "/usr/bin", "/bin"]),
        UV_PYTHON_INSTALL_DIR=str(tmp_path / "no-managed-pythons"),
        UV_PYTHON_PREFERENCE="only-system",
    )
    env.pop("PYENV_VERSION", None)

    result = copier_copy(
        template_dir, destination, {"python_version": "3.13"}, skip_tasks=False, env=env
    )

    assert result.returncode == 0
    assert "WARNING: `uv sync` failed" in result.stderr
    assert "no Python interpreter satisfies the project's requires-python" in (
        result.stderr
    )
    assert "check your network" not in result.stderr
    assert project_files(destination) == expected_files(stored_answers(destination))


@pytest.mark.parametrize(
    ("uv_output", "reason"),
    [
        ("error: No interpreter found for Python >=3.13", "no Python interpreter"),
        (
            "No solution found when resolving dependencies\n"
            "hint: Packages were unavailable because the network was disabled.",
            "could not be reached",
        ),
        ("error: Failed to build `churn-model @ file:///x`", "failed to build"),
        (
            "error: No solution found when resolving dependencies\n"
            "cause: Because only six<=1.17.0 is available",
            "could not be resolved",
        ),
        ("error: something new", "see uv's message above"),
    ],
)
def test_uv_failures_are_named_by_their_cause(uv_output: str, reason: str) -> None:
    assert reason in post_generate.uv_failure_reason(uv_output)


def test_post_generation_scripts_need_only_the_standard_library() -> None:
    # Copier runs scripts/post_generate.py with its own interpreter, which
    # has no uv, ruff or pytest: it and the module it imports use the
    # standard library only.
    scripts = Path(__file__).parents[1] / "scripts"
    allowed = set(sys.stdlib_module_names) | {"__future__", "tooling"}
    for name in ("post_generate.py", "tooling.py"):
        source = (scripts / name).read_text()
        imports = {
            line.split()[1].split(".")[0]
            for line in source.splitlines()
            if line.startswith(("import ", "from "))
        }
        assert imports <= allowed, name
