"""The render matrix: answer sets derived from ``copier.yml``, by readable name.

As cookiecutter-data-science derives its test matrix from its options file:

- the components (yes/no questions with a fixed default) interact (compose,
  the Dockerfile's command, the README), so every combination is rendered;
- the choice questions are independent of them, so each other choice is
  rotated through the combinations, one each (``dataset``), or rendered on
  its own (``tracking``, and ``python_version``, whose choices
  ``extensions/context.py`` keeps and which this machine installs only for
  3.11);
- names and quoting cannot be derived: two hand-written sets stress them.

Every destination folder is ``churn-model``, so the default names derive
``Churn Model`` / ``churn-model`` / ``churn_model`` from it.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import yaml
from context import SUPPORTED_PYTHON_VERSIONS

COPIER_YML = Path(__file__).resolve().parents[1] / "copier.yml"
INSTALLABLE_PYTHON = "3.11"  # the only interpreter here; uv downloads none

Answers = dict[str, object]


def questions() -> dict[str, dict[str, object]]:
    """The questions of ``copier.yml`` (settings left out)."""
    data = yaml.safe_load(COPIER_YML.read_text("utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


def components(asked: dict[str, dict[str, object]]) -> list[str]:
    """Yes/no questions with a literal default: the optional components."""
    return [
        name
        for name, question in asked.items()
        if question.get("type") == "bool" and isinstance(question.get("default"), bool)
    ]


def other_choices(question: dict[str, object]) -> list[str]:
    """The choices of a question other than its default (the first, if templated)."""
    choices = [str(choice) for choice in question["choices"]]
    default = str(question.get("default", choices[0]))
    return [
        choice
        for choice in choices
        if choice != (default if default in choices else choices[0])
    ]


def combination_name(flags: dict[str, bool], dataset: str) -> str:
    """``{"include_api": True, "include_ui": False, ...}, "wine"`` -> ``"api-wine"``."""
    on = [name.removeprefix("include_") for name, value in flags.items() if value]
    return f"{'+'.join(on) or 'no-components'}-{dataset}"


NAME_SETS: dict[str, Answers] = {
    "quirky-names": {
        "project_name": 'Ünïcode "Quoted" Model',
        "project_slug": "quirky-model",
        "package_name": "quirky",
        "description": 'Say "hi" \\ path C:\\tmp, $HOME, `cmd`, {{ raw }} {% x %} é ✓',
        "author_name": 'O\'Brien "Bob" \\ Smith',
        "author_email": "bob+mlops@example.org",
    },
    "long-names": {
        "project_slug": "a" * 10 + "-b" * 20,
        "package_name": "p" * 50,
    },
}


def derive_answer_sets() -> dict[str, Answers]:
    """Every answer set of the matrix, by name (``default`` answers nothing)."""
    asked = questions()
    flags = components(asked)
    datasets = itertools.cycle(other_choices(asked["dataset"]))
    sets: dict[str, Answers] = {"default": {}}
    for values in itertools.product((True, False), repeat=len(flags)):
        if all(values):
            continue  # the default
        combination, dataset = dict(zip(flags, values, strict=True)), next(datasets)
        sets[combination_name(combination, dataset)] = {
            **combination,
            "dataset": dataset,
        }
    # The other tracking choice, with every component (it changes the
    # Taskfile, the tests and the code that serves).
    for tracking in other_choices(asked["tracking"]):
        sets[f"tracking-{tracking}"] = {"tracking": tracking}
    # Its choices are rendered from extensions/context.py's list.
    for version in SUPPORTED_PYTHON_VERSIONS:
        if version == INSTALLABLE_PYTHON:
            continue
        sets[f"python-{version}"] = {"python_version": version}
    return {**sets, **NAME_SETS}


ANSWER_SETS = derive_answer_sets()

# Sets whose project this machine can install (uv cannot fetch other Pythons).
INSTALLABLE = sorted(
    name
    for name, answers in ANSWER_SETS.items()
    if str(answers.get("python_version", INSTALLABLE_PYTHON)) == INSTALLABLE_PYTHON
)
