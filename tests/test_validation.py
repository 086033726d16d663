"""Bad answers stop Copier with a message naming the question and the rule.

Nothing is written to a new destination and nothing changes in an existing
one. Each kind of bad answer is tried both ways: through Copier's CLI into a
new folder (exit code and message), and through Copier's API into a folder
that already holds files. Bad tables (``dataset=file``) are made from real
public tables (``public_tables.py``).
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import copier
import pytest

from tests.copier_runs import copier_copy
from tests.project_files import folder_contents

# (question, bad value, words of the rule the message must contain)
BAD_ANSWERS = [
    ("project_name", "", "must not be empty"),
    ("project_name", "Two\nLines", "one line"),
    ("project_name", "Tab\there", "one line"),
    ("project_name", "Line\u2028separator", "U+2028"),
    ("project_name", "x" * 81, "at most 80"),
    ("project_slug", "Churn_Model", "lowercase"),
    ("project_slug", "9lives", "starting with a letter"),
    ("project_slug", "double--hyphen", "single hyphens"),
    ("project_slug", "a" * 51, "at most 50"),
    ("project_slug", "scikit-learn", "shadow"),
    ("project_slug", "typing-extensions", "shadow"),
    ("package_name", "churn-model", "single underscores"),
    ("package_name", "Churn", "lowercase"),
    ("package_name", "__main__", "starting with a letter"),
    ("package_name", "naïve", "lowercase"),
    ("package_name", "p" * 51, "at most 50"),
    ("package_name", "class", "keyword"),
    ("package_name", "match", "keyword"),
    ("package_name", "json", "standard-library or pytest"),
    ("package_name", "test", "standard-library or pytest"),
    ("package_name", "conftest", "standard-library or pytest"),
    ("package_name", "tests", "standard-library or pytest"),
    ("package_name", "sklearn", "shadow"),
    ("package_name", "fastapi", "shadow"),
    ("package_name", "charset_normalizer", "shadow"),
    ("package_name", "pydantic_core", "shadow"),
    ("description", "first\nsecond", "one line"),
    ("description", "next\x85line", "U+0085"),
    ("description", "vertical\x0btab", "U+000B"),
    ("description", "form\x0cfeed", "U+000C"),
    ("description", "para\u2029graph", "U+2029"),
    ("description", "escape\x1b[31m", "U+001B"),
    ("description", "d" * 201, "at most 200"),
    ("author_name", "   ", "must not be empty"),
    ("author_name", "Ada\rLovelace", "one line"),
    ("author_email", "not-an-email", "email address"),
    ("author_email", "ada@example.com\x85", "U+0085"),
    ("python_version", "3.10", "Invalid choice"),
    ("dataset", "mnist", "Invalid choice"),
    ("include_api", "maybe", "yes/no"),
    ("include_ui", "2", "yes/no"),
    ("include_docker", "yess", "yes/no"),
    ("workspace_member", "perhaps", "yes/no"),
]

# workspace_path is only asked of workspace members.
BAD_WORKSPACE_PATHS = [
    ("../outside", "relative path inside the workspace root"),
    ("/absolute/path", "relative path inside the workspace root"),
    ("assignments/my model", "rename a folder whose name has spaces"),
    ("assignments/a\nRUN rm -rf /", "one line"),
    ("assignments/./x", "relative path inside the workspace root"),
    ("", "relative path inside the workspace root"),
]

CASES = [
    pytest.param({question: value}, rule, id=f"{question}-{index}")
    for index, (question, value, rule) in enumerate(BAD_ANSWERS)
] + [
    pytest.param(
        {"workspace_member": True, "workspace_path": value},
        rule,
        id=f"workspace_path-{index}",
    )
    for index, (value, rule) in enumerate(BAD_WORKSPACE_PATHS)
]


def question_of(answers: dict[str, object]) -> str:
    """The question a case is about: the last one it answers."""
    return list(answers)[-1]


def test_at_least_thirty_kinds_of_bad_answer() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("answers", "rule"), CASES)
def test_bad_answer_exits_nonzero_naming_the_question_and_creates_nothing(
    template_dir: Path, tmp_path: Path, answers: dict[str, object], rule: str
) -> None:
    destination = tmp_path / "churn-model"

    result = copier_copy(
        template_dir, destination, answers, check=False, in_process=True
    )

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"'{question_of(answers)}'" in last_line
    assert rule in result.stderr
    assert not destination.exists()


@pytest.mark.parametrize(("answers", "rule"), CASES)
def test_bad_answer_changes_nothing_in_an_existing_folder(
    template_dir: Path, tmp_path: Path, answers: dict[str, object], rule: str
) -> None:
    destination = tmp_path / "churn-model"
    (destination / "src").mkdir(parents=True)
    (destination / "notes.md").write_text("My notes.\n")
    (destination / "src" / "draft.py").write_text("x = 1\n")
    before = folder_contents(destination)

    with pytest.raises(ValueError, match=question_of(answers)) as refused:
        copier.run_copy(
            str(template_dir),
            destination,
            data={key: str(value) for key, value in answers.items()},
            defaults=True,
            unsafe=True,
            quiet=True,
            skip_tasks=True,
        )

    assert rule in str(refused.value)
    assert folder_contents(destination) == before


@pytest.mark.parametrize(
    ("folder", "answers", "rule"),
    [
        pytest.param(
            "churn-model",
            {"workspace_path": "assignments/other-model"},
            "'assignments/churn-model'",
            id="not-where-it-is",
        ),
        pytest.param(
            "churn model",
            {},
            "rename a folder whose name has spaces",
            id="derived-from-a-folder-with-a-space",
        ),
    ],
)
def test_member_workspace_path_must_be_safe_and_real(
    template_dir: Path,
    tmp_path: Path,
    folder: str,
    answers: dict[str, object],
    rule: str,
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.uv.workspace]\nmembers = ["assignments/*"]\n'
    )
    destination = tmp_path / "assignments" / folder

    result = copier_copy(
        template_dir, destination, answers, check=False, in_process=True
    )

    assert result.returncode != 0
    assert "question 'workspace_path'" in result.stderr.strip().splitlines()[-1]
    assert rule in result.stderr
    assert not destination.exists()


@pytest.mark.parametrize("spelling", ["YES", "no", "True", "0", "1", "False"])
def test_every_spelling_of_a_boolean_is_accepted(
    template_dir: Path, tmp_path: Path, spelling: str
) -> None:
    destination = tmp_path / "churn-model"

    copier_copy(template_dir, destination, {"include_ui": spelling}, in_process=True)

    assert (destination / "pyproject.toml").is_file()


def copy_into_workspace(
    template: Path, root: Path, folder: str, answers: dict[str, object]
) -> subprocess.CompletedProcess[str]:
    """Copy an assignment (no tasks) into ``root/assignments/<folder>``."""
    destination = root / "assignments" / folder
    return copier_copy(template, destination, answers, check=False, in_process=True)


@pytest.mark.parametrize(
    ("existing", "folder", "answers", "message"),
    [
        pytest.param(
            "x.y",
            "x-y",
            {},
            "project_slug 'x-y' is already the name of assignments/x.y",
            id="same-slug",
        ),
        pytest.param(
            "1st",
            "st",
            {},
            "project_slug 'st' is already the name of assignments/1st",
            id="same-slug-after-digits",
        ),
        pytest.param(
            "x.y",
            "other",
            {"package_name": "x_y"},
            "package_name 'x_y' is already the import name of assignments/x.y",
            id="same-package",
        ),
        pytest.param(
            None,
            "course",
            {},
            "project_slug 'course' is already the name of the workspace root",
            id="name-of-the-root",
        ),
    ],
)
def test_a_name_another_member_has_is_refused_before_anything_is_written(
    template_dir: Path,
    tmp_path: Path,
    existing: str | None,
    folder: str,
    answers: dict[str, object],
    message: str,
) -> None:
    # Two members of one name make every later `uv` command of the workspace fail.
    root = tmp_path / "course"
    (root / "assignments").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "course"\nversion = "0.1.0"\n\n'
        '[tool.uv.workspace]\nmembers = ["assignments/*"]\n'
    )
    if existing:
        copy_into_workspace(template_dir, root, existing, {}).check_returncode()
    before = folder_contents(root)

    result = copy_into_workspace(template_dir, root, folder, answers)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert message in last_line
    assert "choose another, for example: --data " in last_line
    assert folder_contents(root) == before


# dataset=file: a bad table or target, made from a real public table.
# (case id, what to answer: data_file and target, question, words of the rule)
Tables = Mapping[str, Path]
TableAnswers = Callable[[Path, Tables], tuple[str, str]]


def derived(folder: Path, name: str, data: bytes) -> str:
    """Write ``data`` to ``folder/name``; return the path as an answer."""
    (folder / name).write_bytes(data)
    return str(folder / name)


def penguins_lines(tables: Tables) -> list[bytes]:
    return tables["penguins"].read_bytes().splitlines(keepends=True)


BAD_TABLES: list[tuple[str, TableAnswers, str, str]] = [
    (
        "missing",
        lambda tmp, tables: (str(tmp / "missing.csv"), "species"),
        "data_file",
        "does not exist",
    ),
    ("folder", lambda tmp, tables: (str(tmp), "species"), "data_file", "is a folder"),
    (
        "unknown-suffix",
        lambda tmp, tables: (
            derived(tmp, "penguins.txt", tables["penguins"].read_bytes()),
            "species",
        ),
        "data_file",
        "must be a .csv or .parquet file (it ends in '.txt')",
    ),
    (
        "empty",
        lambda tmp, tables: (derived(tmp, "empty.csv", b""), "species"),
        "data_file",
        "is empty",
    ),
    (
        "header-only",
        lambda tmp, tables: (
            derived(tmp, "header.csv", penguins_lines(tables)[0]),
            "species",
        ),
        "data_file",
        "has 0 data rows below its header",
    ),
    (
        "duplicate-names",
        lambda tmp, tables: (
            derived(
                tmp,
                "twice.csv",
                tables["penguins"].read_bytes().replace(b"island", b"species", 1),
            ),
            "species",
        ),
        "data_file",
        "names 'species' more than once",
    ),
    (
        "one-column",
        lambda tmp, tables: (
            derived(
                tmp,
                "one.csv",
                b"".join(
                    line.split(b",")[0] + b"\n" for line in penguins_lines(tables)
                ),
            ),
            "species",
        ),
        "data_file",
        "has 1 column in its header",
    ),
    (
        "not-utf8",
        lambda tmp, tables: (
            derived(
                tmp,
                "senators.csv",
                tables["canadian_senators"].read_text("utf-8").encode("latin-1"),
            ),
            "diff_days",
        ),
        "data_file",
        "is not UTF-8 text (byte 0xE9 on line 11",
    ),
    (
        "not-parquet",
        lambda tmp, tables: (
            derived(tmp, "penguins.parquet", tables["penguins"].read_bytes()),
            "species",
        ),
        "data_file",
        "is not a readable Parquet file",
    ),
    (
        "target-not-a-column",
        lambda tmp, tables: (str(tables["penguins"]), "Churn"),
        "target",
        "target 'Churn' is not a column of penguins.csv; its columns are 'species'",
    ),
    (
        "target-with-one-value",
        lambda tmp, tables: (str(tables["penguins_adelie_parquet"]), "species"),
        "target",
        "has a single value ('Adelie') in every row",
    ),
    (
        "empty-target",
        lambda tmp, tables: (str(tables["penguins"]), ""),
        "target",
        "target must name the column of penguins.csv to predict",
    ),
]
TABLE_CASES = [
    pytest.param(make, question, rule, id=case)
    for case, make, question, rule in BAD_TABLES
]


@pytest.mark.parametrize(("make", "question", "rule"), TABLE_CASES)
def test_bad_table_exits_nonzero_naming_the_question_and_creates_nothing(
    template_dir: Path,
    tmp_path: Path,
    public_tables: Tables,
    make: TableAnswers,
    question: str,
    rule: str,
) -> None:
    table, target = make(tmp_path, public_tables)
    destination = tmp_path / "churn-model"
    answers = {"dataset": "file", "data_file": table, "target": target}

    result = copier_copy(
        template_dir, destination, answers, check=False, in_process=True
    )

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"Validation error for question '{question}': {question}" in last_line
    assert rule in last_line
    assert not destination.exists()


@pytest.mark.parametrize(("make", "question", "rule"), TABLE_CASES)
def test_bad_table_changes_nothing_in_an_existing_folder(
    template_dir: Path,
    tmp_path: Path,
    public_tables: Tables,
    make: TableAnswers,
    question: str,
    rule: str,
) -> None:
    table, target = make(tmp_path, public_tables)
    destination = tmp_path / "churn-model"
    destination.mkdir()
    (destination / "notes.md").write_text("My notes.\n")
    before = folder_contents(destination)

    with pytest.raises(ValueError, match=f"question '{question}'") as refused:
        copier.run_copy(
            str(template_dir),
            destination,
            data={"dataset": "file", "data_file": table, "target": target},
            defaults=True,
            unsafe=True,
            quiet=True,
            skip_tasks=True,
        )

    assert rule in str(refused.value)
    assert folder_contents(destination) == before


def test_a_file_dataset_without_a_table_is_refused(
    template_dir: Path, tmp_path: Path
) -> None:
    destination = tmp_path / "churn-model"

    result = copier_copy(
        template_dir, destination, {"dataset": "file"}, check=False, in_process=True
    )

    assert result.returncode != 0
    assert 'Question "data_file" is required' in result.stderr.strip().splitlines()[-1]
    assert not destination.exists()
