"""Generated assignments pass their own checks, for each kind of project.

Every answer set that changes names or files is installed (``uv sync`` as
the copy runs it) and its generated ``task check`` (ruff, then pytest) runs.
"""

from __future__ import annotations

import pytest
from answer_sets import INSTALLABLE
from support import Render, run

pytestmark = pytest.mark.slow

# The default set is exercised in test_end_to_end.py.
PROJECTS = [name for name in INSTALLABLE if name != "default"]


@pytest.mark.parametrize("name", PROJECTS)
def test_generated_task_check_is_green(installed: Render, name: str) -> None:
    result = run(["task", "check"], installed(name))

    assert " passed" in result.stdout
    assert " failed" not in result.stdout
