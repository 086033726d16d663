"""Every installed answer set passes its own generated checks.

The default set runs the whole ``task check`` (ruff, ty, the tests with
coverage) in ``test_end_to_end.py``, as the first step of the model's life. A set
for another Python (3.12, 3.13) runs the whole ``task check`` too, on that
interpreter, to prove the chain a student on that Python runs (coverage
traces with its C tracer there as on 3.11: ``sys.monitoring`` is its default
only from 3.14). Every other installed set (see ``answer_sets.py``) runs
what its answers change: its rendered files were checked with ruff before
formatting (``test_render.py``); here ty checks its ``src/`` and its own
tests run, without coverage tracing.
"""

from __future__ import annotations

import pytest

from extensions.context import python_minor_version
from tests.answer_sets import ANSWER_SETS, INSTALLED
from tests.copier_runs import Render
from tests.processes import find_python, python_env, run

pytestmark = pytest.mark.slow

PROJECTS = sorted(INSTALLED - {"default"})


@pytest.mark.parametrize("name", PROJECTS)
def test_generated_checks_pass(installed: Render, name: str) -> None:
    version = str(ANSWER_SETS[name].get("python_version", python_minor_version()))
    another_python = version != python_minor_version()
    if another_python and find_python(version) is None:
        pytest.skip(f"no Python {version} on this machine to install the set with")
    project = installed(name)
    env = python_env(version)
    venv = project / ".venv" / "bin"

    if another_python:
        result = run(["task", "check"], project, env=env)
        assert "Required test coverage" in result.stdout
        python = run([venv / "python", "--version"], project, env=env).stdout
        assert python.startswith(f"Python {version}.")
    else:
        run([venv / "ty", "check", "src"], project, env=env)
        result = run(
            [venv / "pytest", "-q", "-p", "no:cacheprovider"], project, env=env
        )

    assert " passed" in result.stdout
    assert " failed" not in result.stdout
