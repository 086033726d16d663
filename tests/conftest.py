"""Fixtures shared by the template's tests.

Renders are expensive enough to share: each answer set is rendered once per
test session into a folder that every pytest-xdist worker sees, guarded by a
file lock. Tests treat shared renders as read-only and copy them before
changing anything.
"""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from scripts.tooling import snapshot_template
from tests.answer_sets import ANSWER_SETS, PUBLIC_TABLE, Answers
from tests.copier_runs import Render, copier_copy
from tests.processes import exclusive, python_env
from tests.public_tables import installed_tables
from tests.releases import FAILING_MIGRATION, build_releases
from tests.scheduling import Planned, dealt


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """With ``-n auto``, start one worker more than there are CPU cores.

    The tests spend part of their time waiting (for uv to link files, for
    Docker, for a server to answer, for another worker's shared render), so
    one more worker keeps every core busy (with 2 workers on 2 cores, the CPU
    sat about a third idle). ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still decides
    when it is set.
    """
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    if hasattr(os, "sched_getaffinity"):  # the cores this process may use
        return len(os.sched_getaffinity(0)) + 1
    return (os.cpu_count() or 1) + 1


def scheduled(item: pytest.Item) -> Planned:
    """What ``scheduling.py`` needs to know of a collected test."""
    fixtures = getattr(item, "_fixtureinfo", None)  # pytest's own record
    definitions = fixtures.name2fixturedefs.values() if fixtures else []
    return Planned(
        nodeid=item.nodeid,
        slow=item.get_closest_marker("slow") is not None,
        shares_module_fixtures=any(
            chain[-1].scope in ("package", "module", "class") for chain in definitions
        ),
    )


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    """On pytest-xdist's workers, run the tests in the order of ``scheduling.py``.

    The longest start first, each worker gets an equal share of the expected
    time, and the tests that share a module's fixtures run in a row on one
    worker. Without workers, the collection order stands.
    """
    workers = getattr(config, "workerinput", {}).get("workercount")
    if workers:
        order = dealt([scheduled(item) for item in items], workers)
        items[:] = [items[index] for index in order]


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """A folder shared by every xdist worker of this session."""
    base = tmp_path_factory.getbasetemp()
    return base if worker_id == "master" else base.parent


@pytest.fixture(scope="session", autouse=True)
def generated_tests_temproot(shared_dir: Path) -> None:
    """Give the generated projects' own pytest runs a temporary root of theirs.

    pytest removes old numbered folders under its temporary root when a
    session starts: sharing ours, a generated project's ``task test`` would
    spend its time deleting this suite's earlier sessions (installed
    projects, hundreds of thousands of files).
    """
    root = shared_dir / "generated-tests-tmp"
    root.mkdir(exist_ok=True)
    os.environ["PYTEST_DEBUG_TEMPROOT"] = str(root)


@pytest.fixture(scope="session")
def public_tables(shared_dir: Path) -> Mapping[str, Path]:
    """Real public tables from PyPI packages, by name (see public_tables.py)."""
    return installed_tables(shared_dir)


@pytest.fixture(scope="session")
def template_dir(shared_dir: Path) -> Path:
    """A snapshot of the template's working tree, made once per session."""
    target = shared_dir / "template"
    with exclusive(shared_dir / "template.lock"):
        if not (target / "copier.yml").exists():
            snapshot_template(target)
    return target


def with_tables(answers: Answers, tables: Mapping[str, Path]) -> Answers:
    """``answers`` with the path of each public table it names."""
    return {
        key: str(tables[value.removeprefix(PUBLIC_TABLE)])
        if isinstance(value, str) and value.startswith(PUBLIC_TABLE)
        else value
        for key, value in answers.items()
    }


def shared_render(
    shared_dir: Path,
    template: Path,
    tables: Mapping[str, Path],
    kind: str,
    name: str,
) -> Path:
    """Render answer set ``name`` once per session, for every xdist worker.

    ``kind`` is "raw" (``--skip-tasks``: the files exactly as rendered) or
    "installed" (with the tasks: the table copied into data/, ``uv sync``
    and ``ruff format``).
    """
    folder = shared_dir / kind / name
    project = folder / "churn-model"
    with exclusive(shared_dir / kind / f"{name}.lock"):
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            answers = with_tables(ANSWER_SETS[name], tables)
            raw = kind == "raw"  # the files exactly as rendered: no tasks
            copier_copy(
                template,
                project,
                answers,
                skip_tasks=raw,
                in_process=raw,
                env=None if raw else python_env(str(answers.get("python_version", ""))),
            )
            (folder / "done").touch()
    return project


@pytest.fixture(scope="session")
def render(
    shared_dir: Path, template_dir: Path, public_tables: Mapping[str, Path]
) -> Render:
    """Return a function giving the raw render of an answer set (read-only)."""
    return functools.partial(
        shared_render, shared_dir, template_dir, public_tables, "raw"
    )


@pytest.fixture(scope="session")
def installed(
    shared_dir: Path, template_dir: Path, public_tables: Mapping[str, Path]
) -> Render:
    """Return a function giving an answer set copied with its tasks run."""
    return functools.partial(
        shared_render, shared_dir, template_dir, public_tables, "installed"
    )


@pytest.fixture(scope="session")
def releases(shared_dir: Path, template_dir: Path) -> Path:
    """A git repository of the template's releases (see ``releases.py``)."""
    repository = shared_dir / "releases"
    with exclusive(shared_dir / "releases.lock"):
        if not (repository / ".git" / "refs" / "tags" / FAILING_MIGRATION).exists():
            build_releases(template_dir, repository)
    return repository
