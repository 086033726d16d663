"""The order in which pytest-xdist's workers start the tests.

Only how long the suite takes depends on it, never a result.

``--dist worksteal`` sends each worker one contiguous run of the collected
items (as many items each as it can), then lets an idle worker steal the
second half of the longest queue left. Two things make the suite slow, and
this order avoids both: a long test started last (one worker busy, the
others idle), and a module split across workers, which makes every one of
them build that module's fixtures again (a workspace, an update, a Docker
build: seconds to a minute each).

So the tests are dealt in units: a test that uses no fixture narrower than
the session but wider than itself (module or class) is a unit of its own;
the other tests of its module are one unit, run in a row. The longest units
are handed out first, each to the worker with the least expected time. Each
run starts with its longest tests, then its units that share fixtures, and
ends with the short tests that share none: the ones a steal takes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Seconds the longest tests take on 2 cores (measured with `--durations`).
LONGEST = (
    ("tests/test_end_to_end.py::test_the_default_assignment_checks", 130.0),
    ("tests/test_course_workspace.py::test_a_student_starts", 40.0),
    ("tests/test_generated_projects.py::", 35.0),
    ("tests/test_containers.py::test_web_app", 30.0),
)
# Any other test, by its mark.
SLOW_SECONDS, FAST_SECONDS = 5.0, 0.1


@dataclass(frozen=True)
class Planned:
    """What the order needs to know of a collected test."""

    nodeid: str
    slow: bool
    shares_module_fixtures: bool

    @property
    def module(self) -> str:
        """The test's file, as pytest names it."""
        return self.nodeid.split("::", 1)[0]

    @property
    def long(self) -> bool:
        """Tell whether the test is one of the ``LONGEST``."""
        return any(self.nodeid.startswith(prefix) for prefix, _ in LONGEST)

    @property
    def seconds(self) -> float:
        """How long the test is expected to take."""
        for prefix, seconds in LONGEST:
            if self.nodeid.startswith(prefix):
                return seconds
        return SLOW_SECONDS if self.slow else FAST_SECONDS


def run_sizes(count: int, workers: int) -> list[int]:
    """How many items worksteal first sends to each worker, in order."""
    sizes = []
    for index in range(workers):
        sizes.append((count - sum(sizes)) // (workers - index))
    return sizes


def units(tests: Sequence[Planned]) -> list[list[int]]:
    """The tests' indices in units that one worker runs in a row.

    Longest first; a tie keeps the collection order.
    """
    found: dict[str, list[int]] = {}
    for index, test in enumerate(tests):
        key = test.module if test.shares_module_fixtures else test.nodeid
        found.setdefault(key, []).append(index)
    return sorted(found.values(), key=lambda unit: -seconds(tests, unit))


def seconds(tests: Sequence[Planned], unit: Sequence[int]) -> float:
    """How long the tests of ``unit`` are expected to take together."""
    return sum(tests[index].seconds for index in unit)


def place(tests: Sequence[Planned], unit: Sequence[int]) -> tuple[int, float]:
    """Sort key of a unit in its run: the longest tests, shared fixtures, others.

    Stealing takes the end of a run: the units that share a module's
    fixtures come before the tests that share none, so a steal never splits
    them while there is something else to take.
    """
    first = tests[unit[0]]
    rank = 0 if first.long else 1 if first.shares_module_fixtures else 2
    return rank, -seconds(tests, unit)


def dealt(tests: Sequence[Planned], workers: int) -> list[int]:
    """The order of ``tests`` (their indices) for ``workers`` workers.

    Each unit goes to the run with the least expected time that still has
    room; a unit longer than the room left is continued in the next run (the
    runs must have the sizes that worksteal sends).
    """
    sizes = run_sizes(len(tests), workers)
    runs: list[list[list[int]]] = [[] for _ in range(workers)]
    count, load = [0] * workers, [0.0] * workers
    for unit in units(tests):
        pending = list(unit)
        while pending:
            run = min(
                (r for r in range(workers) if count[r] < sizes[r]), key=load.__getitem__
            )
            taken = pending[: sizes[run] - count[run]]
            del pending[: len(taken)]
            runs[run].append(taken)
            count[run] += len(taken)
            load[run] += seconds(tests, taken)
    return [
        index
        for run in runs
        for unit in sorted(run, key=lambda unit: place(tests, unit))
        for index in unit
    ]
