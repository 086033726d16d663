"""The answer sets are a covering array of the options that interact.

The facts behind them are computed from copier.yml and the template (see
answer_sets.py); these tests pin what the computation must conclude.
"""

from __future__ import annotations

from collections import Counter

import pytest

from tests.answer_sets import (
    ANSWER_SETS,
    ASSIGNMENT,
    INSTALLED,
    combinations_to_cover,
    covers,
    file_combinations,
    interactions,
    matrix,
    matrix_answers,
    options,
)


def full(name: str) -> dict[str, object]:
    """Every option's answer in a set, ``None`` for a question not asked."""
    return matrix_answers(name)


@pytest.mark.parametrize("runnable_only", [True, False], ids=["installed", "all"])
def test_every_combination_a_piece_of_the_template_reads_is_in_a_set(
    runnable_only: bool,
) -> None:
    sets = [full(name) for name in (INSTALLED if runnable_only else ANSWER_SETS)]

    missing = [
        sorted(combination)
        for combination in combinations_to_cover(runnable_only)
        if not any(covers(answers, combination) for answers in sets)
    ]
    assert missing == []


def test_the_installed_sets_are_as_few_as_the_largest_group_of_combinations() -> None:
    # No covering array is smaller: every combination of the options that
    # interact most needs a set of its own.
    groups = Counter(
        frozenset(option for option, _ in combination)
        for combination in combinations_to_cover(runnable_only=True)
    )

    assert len(INSTALLED) == max(groups.values())


def test_the_default_answers_are_an_installed_set() -> None:
    assert ANSWER_SETS["default"] == {}
    assert "default" in INSTALLED


def test_every_answer_of_every_option_is_installed_somewhere() -> None:
    for option, values in options().items():
        installed = {full(name)[option] for name in INSTALLED}
        assert set(values) <= installed, option


def test_options_are_the_questions_with_fixed_answers() -> None:
    assert set(options()) >= {
        "dataset",
        "tracking",
        "include_api",
        "include_ui",
        "include_docker",
        "python_version",
    }
    assert not {"kind", "workspace_member", "project_name"} & set(options())


def test_compose_makes_the_three_components_interact() -> None:
    groups = interactions(runnable_only=True)

    # compose.yaml exists for Docker with the API or the web app
    assert frozenset({"include_api", "include_docker", "include_ui"}) in groups


def test_an_option_in_a_file_name_pairs_only_with_the_values_that_render_it() -> None:
    dockerfile = ASSIGNMENT / "{% if include_docker %}Dockerfile{% endif %}.jinja"

    with_python = [
        dict(combination)
        for combination in file_combinations(dockerfile)
        if "python_version" in dict(combination)
    ]

    assert len(with_python) == len(options()["python_version"])
    assert all(answers["include_docker"] is True for answers in with_python)


def test_a_file_in_a_folder_named_by_an_answer_counts_its_pieces() -> None:
    # src/{{ package_name }}/: the name is free text, never empty. The
    # settings module reads the API, the web app and tracking together.
    config = ASSIGNMENT / "src/{{ package_name }}/config.py.jinja"

    groups = {frozenset(option for option, _ in c) for c in file_combinations(config)}

    assert frozenset({"include_ui", "include_api", "tracking"}) in groups


def test_separate_blocks_of_one_file_do_not_interact() -> None:
    params = file_combinations(ASSIGNMENT / "params.toml.jinja")  # its tables

    groups = {frozenset(option for option, _ in combination) for combination in params}
    assert frozenset({"tracking", "include_api"}) not in groups


def test_the_matrix_is_the_same_every_time() -> None:
    again = matrix.__wrapped__()

    assert again == (ANSWER_SETS, INSTALLED)
