"""Generated assignments pass their own test suites, for each kind of project."""

from __future__ import annotations

import pytest
from conftest import Render
from support import run

pytestmark = pytest.mark.slow

# Everything on (classification and regression), everything off, and each
# component alone. The default set is exercised in test_end_to_end.py.
PROJECTS = [
    "diabetes",
    "components-off-off-off",
    "components-on-off-off",
    "components-off-on-off",
    "components-off-off-on",
]


@pytest.mark.parametrize("name", PROJECTS)
def test_generated_task_test_is_green(installed: Render, name: str) -> None:
    result = run(["task", "test"], installed(name))

    assert " passed" in result.stdout
    assert " failed" not in result.stdout
