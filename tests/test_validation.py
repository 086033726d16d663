"""Bad answers stop Copier with a message naming the question; nothing is created."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import copier_copy

BAD_ANSWERS = [
    ("project_name", "", "must not be empty"),
    ("project_name", "Two\nLines", "one line"),
    ("project_name", "x" * 81, "at most 80"),
    ("project_slug", "Churn_Model", "lowercase"),
    ("project_slug", "9lives", "starting with a letter"),
    ("project_slug", "double--hyphen", "single hyphens"),
    ("project_slug", "a" * 51, "at most 50"),
    ("package_name", "churn-model", "identifier"),
    ("package_name", "class", "keyword"),
    ("package_name", "json", "standard-library"),
    ("package_name", "test", "standard-library"),
    ("package_name", "random", "standard-library"),
    ("package_name", "sklearn", "dependency"),
    ("package_name", "fastapi", "dependency"),
    ("package_name", "streamlit", "dependency"),
    ("package_name", "pydantic", "dependency"),
    ("description", "first\nsecond", "one line"),
    ("author_name", "   ", "must not be empty"),
    ("author_email", "not-an-email", "email address"),
    ("python_version", "3.10", "Invalid choice"),
]


@pytest.mark.parametrize(
    ("question", "value", "rule"),
    BAD_ANSWERS,
    ids=[f"{q}-{i}" for i, (q, _, _) in enumerate(BAD_ANSWERS)],
)
def test_bad_answer_is_refused_and_nothing_is_created(
    template_dir: Path, tmp_path: Path, question: str, value: str, rule: str
) -> None:
    destination = tmp_path / "churn-model"

    result = copier_copy(template_dir, destination, {question: value}, check=False)

    assert result.returncode != 0
    assert f"'{question}'" in result.stderr.splitlines()[-1]
    assert rule in result.stderr
    assert not destination.exists()
