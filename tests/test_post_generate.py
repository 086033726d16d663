"""The post-generation tasks never fail a copy: they warn and keep every file.

On copy they also put a student's own table (``dataset=file``) in ``data/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from scripts import post_generate
from scripts.tooling import init_repository
from tests.containers import docker_excludes
from tests.copier_runs import copier_copy, stored_answers
from tests.processes import VENV_BIN, tool_env
from tests.project_files import expected_files, project_files
from tests.public_tables import repeated_table


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


def test_copy_of_a_file_dataset_puts_the_table_in_data_byte_for_byte(
    template_dir: Path, tmp_path: Path, public_tables: Mapping[str, Path]
) -> None:
    # Answered relative to the folder Copier runs in (the destination's parent).
    source = tmp_path / "penguins.csv"
    shutil.copyfile(public_tables["penguins"], source)
    destination = tmp_path / "churn-model"
    answers = {"dataset": "file", "data_file": "penguins.csv", "target": "species"}

    result = copier_copy(
        template_dir, destination, answers, skip_tasks=False, quiet=False
    )

    assert "WARNING: your table" not in result.stderr
    assert "Installing the dependencies (uv sync) ..." in result.stdout
    assert "Dependencies ready (" in result.stdout
    assert " + " not in result.stdout + result.stderr  # no line per package
    copy = destination / "data" / "penguins.csv"
    assert copy.read_bytes() == public_tables["penguins"].read_bytes()
    ignored = destination / "data" / ".gitignore"
    assert not ignored.exists() or "penguins" not in ignored.read_text()
    assert not docker_excludes(destination / ".dockerignore", "data/penguins.csv")


def git_ignores(repository: Path, path: str) -> bool:
    """Ask git itself whether ``path`` (relative) is ignored in ``repository``."""
    checked = subprocess.run(
        ["git", "check-ignore", "--quiet", "--no-index", path], cwd=repository
    )
    return checked.returncode == 0


def test_a_table_over_1_mb_is_left_out_of_git_saying_why(
    tmp_path: Path, public_tables: Mapping[str, Path]
) -> None:
    big = repeated_table(
        public_tables["penguins"], tmp_path / "penguins-big.csv", 1_200_000
    )
    project = init_repository(tmp_path / "churn-model")
    (project / "data").mkdir()
    (project / "data" / ".gitignore").write_text("# The template's own line\n*.tmp")

    post_generate.copy_table(project, str(big))
    post_generate.copy_table(project, str(big))  # a re-copy lists it once

    copy = project / "data" / "penguins-big.csv"
    assert copy.read_bytes() == big.read_bytes()
    ignore = (project / "data" / ".gitignore").read_text()
    assert ignore.startswith("# The template's own line\n*.tmp\n# penguins-big.csv")
    assert ignore.count("/penguins-big.csv\n") == 1
    assert "is over 1 MB, the limit of the git hook that refuses" in ignore
    assert "The model records the data's sha256 fingerprint" in ignore
    assert "the image build still sees the file" in ignore
    assert git_ignores(project, "data/penguins-big.csv")
    assert not git_ignores(project, "data/penguins-big.csv.bak")


@pytest.mark.parametrize(
    ("size", "ignored"), [(1024 * 1024, False), (1024 * 1024 + 1, True)]
)
def test_the_size_limit_is_the_git_hooks(
    tmp_path: Path, size: int, ignored: bool
) -> None:
    # check-added-large-files --maxkb=1024 refuses ceil(size / 1024) > 1024.
    table = tmp_path / "table.csv"
    table.write_bytes(b"a,b\n" + b"1" * (size - 6) + b",2")
    project = init_repository(tmp_path / "project")

    post_generate.copy_table(project, str(table))

    assert (project / "data" / "table.csv").stat().st_size == size
    assert git_ignores(project, "data/table.csv") is ignored


@pytest.mark.parametrize(
    "name", ["#1 [draft]*.csv", "!important.csv", "trailing .csv ", "back\\slash.csv"]
)
def test_a_large_table_with_a_special_name_is_ignored_exactly(
    tmp_path: Path, name: str
) -> None:
    table = tmp_path / "source" / name
    table.parent.mkdir()
    table.write_bytes(b"x" * (1024 * 1024 + 1))
    project = init_repository(tmp_path / "project")

    post_generate.copy_table(project, str(table))

    assert git_ignores(project, f"data/{name}")
    assert not git_ignores(project, "data/other.csv")
    assert not git_ignores(project, f"data/x{name}")


def test_a_table_that_cannot_be_copied_warns_and_carries_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gone = tmp_path / "gone.csv"

    post_generate.copy_table(tmp_path, str(gone))

    error = capsys.readouterr().err
    assert error.startswith("WARNING: your table was not copied into data/")
    assert f"copy it yourself: cp {gone} {tmp_path}/data/gone.csv" in error
    assert error.count("\n") == 1


def test_a_sync_is_summed_up_in_one_line_with_its_warnings_kept() -> None:
    output = (
        "Resolved 130 packages in 2ms\n"
        "warning: `VIRTUAL_ENV=/x` does not match the project environment\n"
        + "".join(f" + package-{n}==1.0\n" for n in range(130))
        + " - old-package==0.1\n"
    )

    summary = post_generate.sync_summary(output, 4.04)

    assert summary == "Dependencies ready (130 package(s) installed, 1 removed, 4.0 s)."
    assert post_generate.notable_lines(output) == [
        "warning: `VIRTUAL_ENV=/x` does not match the project environment"
    ]
