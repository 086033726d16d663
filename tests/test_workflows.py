"""The template repository's own GitHub workflows are valid and safe."""

from __future__ import annotations

from tests.linters import check_workflows
from tests.processes import TEMPLATE_ROOT

WORKFLOWS = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.yml"))


def test_the_template_has_a_ci_workflow() -> None:
    assert [workflow.name for workflow in WORKFLOWS] == ["ci.yml"]


def test_workflows_pass_schema_actionlint_and_zizmor() -> None:
    check_workflows(WORKFLOWS)
