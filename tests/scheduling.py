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
go first, each to the worker with the least expected time, and every run
ends with its shortest units, the ones that are stolen.
"""

from __future__ import annotations

import itertools
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
    return sorted(found.values(), key=lambda unit: -sum(tests[i].seconds for i in unit))


def dealt(tests: Sequence[Planned], workers: int) -> list[int]:
    """The order of ``tests`` (their indices) for ``workers`` workers.

    Each unit goes to the run with the least expected time that still has
    room; a unit longer than the room left is continued in the next run (the
    runs must have the sizes that worksteal sends).
    """
    sizes = run_sizes(len(tests), workers)
    runs: list[list[int]] = [[] for _ in range(workers)]
    load = [0.0] * workers
    for unit in units(tests):
        pending = list(unit)
        while pending:
            open_runs = [r for r in range(workers) if len(runs[r]) < sizes[r]]
            run = min(open_runs, key=lambda r: load[r])
            taken = pending[: sizes[run] - len(runs[run])]
            del pending[: len(taken)]
            runs[run] += taken
            load[run] += sum(tests[i].seconds for i in taken)
    return list(itertools.chain.from_iterable(runs))
