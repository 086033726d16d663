"""The linters of GitHub workflows: schema, actionlint, zizmor."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tests.processes import TEMPLATE_ROOT, VENV_BIN, run


def check_workflows(workflows: Sequence[Path]) -> None:
    """Fail unless GitHub's schema, actionlint and zizmor accept ``workflows``."""
    schema = ["--builtin-schema", "vendor.github-workflows"]
    run([VENV_BIN / "check-jsonschema", *schema, *workflows], TEMPLATE_ROOT)
    run([VENV_BIN / "actionlint", "-no-color", *workflows], TEMPLATE_ROOT)
    result = run([VENV_BIN / "zizmor", "--offline", *workflows], TEMPLATE_ROOT)
    assert "No findings" in result.stdout, result.stdout
