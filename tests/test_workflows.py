"""The template repository's own GitHub workflows are valid and safe."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import TEMPLATE_ROOT, VENV_BIN, run

WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.yml"))


def test_the_template_has_a_ci_workflow() -> None:
    assert [workflow.name for workflow in WORKFLOWS] == ["ci.yml"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_matches_githubs_schema(workflow: Path) -> None:
    checker = VENV_BIN / "check-jsonschema"

    run(
        [checker, "--builtin-schema", "vendor.github-workflows", workflow],
        TEMPLATE_ROOT,
    )


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_passes_zizmor(workflow: Path) -> None:
    result = run([VENV_BIN / "zizmor", "--offline", workflow], TEMPLATE_ROOT)

    assert "No findings" in result.stdout
