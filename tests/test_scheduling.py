"""The order in which the workers start the tests (``scheduling.py``)."""

from __future__ import annotations

import pytest

from tests.scheduling import LONGEST, Planned, dealt, run_sizes, units

STORY = LONGEST[0][0] + "s_and_lives"


def entry(nodeid: str, slow: bool = False, shared: bool = False) -> Planned:
    return Planned(nodeid=nodeid, slow=slow, shares_module_fixtures=shared)


def runs_of(tests: list[Planned], workers: int) -> list[list[Planned]]:
    order = dealt(tests, workers)
    runs, start = [], 0
    for size in run_sizes(len(tests), workers):
        runs.append([tests[index] for index in order[start : start + size]])
        start += size
    return runs


@pytest.mark.parametrize(
    ("count", "workers", "sizes"),
    [(549, 3, [183, 183, 183]), (10, 3, [3, 3, 4]), (2, 3, [0, 1, 1])],
)
def test_runs_have_the_sizes_worksteal_sends(
    count: int, workers: int, sizes: list[int]
) -> None:
    # pytest-xdist's worksteal sends len(pending) // nodes_remaining to each.
    assert run_sizes(count, workers) == sizes


def test_every_test_is_run_once() -> None:
    tests = [entry(f"tests/test_{i % 4}.py::t{i}", slow=i % 3 == 0) for i in range(50)]

    assert sorted(dealt(tests, 3)) == list(range(50))


def test_tests_sharing_a_modules_fixtures_run_in_a_row_on_one_worker() -> None:
    tests = [
        *(entry(f"tests/test_a.py::fast{i}") for i in range(30)),
        *(entry(f"tests/test_u.py::t{i}", slow=True, shared=True) for i in range(6)),
        *(entry(f"tests/test_b.py::slow{i}", slow=True) for i in range(6)),
    ]

    [holding] = [run for run in runs_of(tests, 3) if "test_u.py" in run[0].nodeid]

    shared = [t for t in holding if t.module == "tests/test_u.py"]
    assert len(shared) == 6
    assert holding[: len(shared)] == shared


def test_the_longest_tests_start_first_on_different_workers() -> None:
    tests = [
        *(entry(f"tests/test_a.py::fast{i}") for i in range(20)),
        entry(STORY, slow=True),
        entry("tests/test_generated_projects.py::x[one]", slow=True),
        entry("tests/test_generated_projects.py::x[two]", slow=True),
    ]

    firsts = [run[0].nodeid for run in runs_of(tests, 3)]

    assert sorted(firsts) == sorted([STORY, *(t.nodeid for t in tests[-2:])])


def test_each_run_ends_with_its_shortest_tests() -> None:
    tests = [
        *(entry(f"tests/test_a.py::fast{i}") for i in range(20)),
        *(entry(f"tests/test_b.py::slow{i}", slow=True) for i in range(10)),
    ]

    for run in runs_of(tests, 3):
        seconds = [t.seconds for t in run]
        assert seconds == sorted(seconds, reverse=True)


def test_a_unit_is_one_module_or_one_test() -> None:
    tests = [
        entry("tests/test_u.py::a", shared=True),
        entry("tests/test_v.py::b"),
        entry("tests/test_u.py::c", shared=True),
        entry("tests/test_u.py::d"),
    ]

    assert sorted(units(tests)) == [[0, 2], [1], [3]]


def test_a_run_ends_with_tests_that_share_no_fixtures_the_ones_stolen() -> None:
    tests = [
        *(entry(f"tests/test_b.py::slow{i}", slow=True) for i in range(2)),
        *(entry(f"tests/test_u.py::fast{i}", shared=True) for i in range(3)),
        *(entry(f"tests/test_c.py::fast{i}") for i in range(3)),
    ]

    [holding] = [run for run in runs_of(tests, 2) if run[0].module == "tests/test_u.py"]

    # The slow test takes longer, but it shares no fixture: it goes last.
    assert [t.module for t in holding] == ["tests/test_u.py"] * 3 + ["tests/test_b.py"]
