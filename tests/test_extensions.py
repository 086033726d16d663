"""Unit tests of the template's Jinja extensions (``extensions/``)."""

from __future__ import annotations

import datetime
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from jinja2 import Environment

from extensions import context, naming, uv_workspace


@pytest.fixture(autouse=True)
def fresh_git_lookups() -> Iterator[None]:
    """Forget cached ``git config`` answers around each test."""
    context.git_config_value.cache_clear()
    yield
    context.git_config_value.cache_clear()


@pytest.mark.parametrize(
    ("folder", "title"),
    [
        ("churn-model", "Churn Model"),
        ("/work/assignments/house_prices", "House Prices"),
        ("week3.mlops", "Week3 Mlops"),
    ],
)
def test_humanize_titles_a_folder_name(folder: str, title: str) -> None:
    assert naming.humanize(folder) == title


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Churn Model", "churn-model"),
        ("Über  Model -- 2", "uber-model-2"),
        ("42 Answers", "answers"),
        ('Ünïcode "Quoted" Model', "unicode-quoted-model"),
    ],
)
def test_slugify_gives_a_valid_slug(text: str, slug: str) -> None:
    assert naming.slugify(text) == slug
    assert naming.project_slug_problem(slug) == ""


def test_slugify_respects_the_length_limit() -> None:
    slug = naming.slugify("word " * 30)

    assert len(slug) <= naming.MAX_SLUG_LENGTH
    assert naming.project_slug_problem(slug) == ""


def test_package_name_is_the_slug_with_underscores() -> None:
    assert naming.package_name("churn-model-2") == "churn_model_2"


def test_toml_string_escapes_quotes_and_backslashes() -> None:
    assert naming.toml_string('a "b" \\ c') == '"a \\"b\\" \\\\ c"'


@pytest.mark.parametrize("value", ["churn_model", "mlops_week3", "my_package"])
def test_package_name_problem_accepts_good_names(value: str) -> None:
    assert naming.package_name_problem(value) == ""


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("3d", "starting with a letter"),
        ("naïve", "lowercase"),
        ("__init__", "starting with a letter"),
        ("import", "keyword"),
        ("match", "keyword"),
        ("json", "standard-library"),
        ("test", "standard-library"),
        ("conftest", "pytest"),
        ("sklearn", "shadow"),
        ("typing_extensions", "shadow"),
        ("p" * 51, "at most 50"),
    ],
)
def test_package_name_problem_names_the_rule(value: str, rule: str) -> None:
    message = naming.package_name_problem(value)

    assert message.startswith("package_name")
    assert rule in message
    assert "for example: churn_model" in message


def test_project_name_is_one_non_empty_line_of_at_most_80() -> None:
    assert naming.project_name_problem("Churn Model") == ""
    assert "empty" in naming.project_name_problem(" ")
    assert "one line" in naming.project_name_problem("a\nb")
    assert "at most 80" in naming.project_name_problem("x" * 81)


def test_every_line_break_and_control_character_is_refused() -> None:
    breaking = [
        chr(code)
        for code in range(0x10000)
        if len(f"a{chr(code)}b".splitlines()) > 1
        or unicodedata.category(chr(code)) == "Cc"
    ]

    assert "\u2028" in breaking
    assert "\x85" in breaking
    for character in breaking:
        message = naming.description_problem(f"a{character}b")
        assert message.startswith("description must be one line"), repr(character)


@pytest.mark.parametrize("value", ["Churn Model", 'Ünïcode ✓ "quoted"', "a" * 80])
def test_printable_one_line_text_is_accepted(value: str) -> None:
    assert naming.project_name_problem(value) == ""
    assert naming.description_problem(value) == ""


@pytest.mark.parametrize(
    "raw", [None, True, False, "true", "FALSE", "Yes", "no", "1", "0", 1, 0]
)
def test_real_booleans_pass(raw: object) -> None:
    assert naming.boolean_problem(raw, "include_api") == ""


@pytest.mark.parametrize("raw", ["maybe", "2", 2, "", "on", "y", "tru"])
def test_anything_else_is_not_a_boolean(raw: object) -> None:
    message = naming.boolean_problem(raw, "include_api")

    assert message.startswith("include_api must be a yes/no answer")


@pytest.mark.parametrize(
    ("value", "expected", "rule"),
    [
        ("assignments/churn-model", "assignments/churn-model", ""),
        ("assignments/churn-model", "", ""),
        ("assignments/other", "assignments/churn-model", "really is"),
        ("../churn-model", "", "relative path"),
        ("/work/churn-model", "", "relative path"),
        ("assignments/my model", "", "spaces"),
        ("assignments//x", "", "relative path"),
        ("assignments/x\nRUN id", "", "one line"),
        ("", "", "relative path"),
    ],
)
def test_workspace_path_rules(value: str, expected: str, rule: str) -> None:
    message = naming.workspace_path_problem(value, expected, member=True)

    assert (message == "") if not rule else (rule in message)
    assert naming.workspace_path_problem(value, expected, member=False) == ""


def test_author_needs_a_name_and_an_email_address() -> None:
    assert naming.author_name_problem("Ada") == ""
    assert "empty" in naming.author_name_problem("")
    assert naming.author_email_problem("ada@example.com") == ""
    assert "email" in naming.author_email_problem("ada@localhost")


def test_from_import_is_one_line_unless_ruff_would_wrap_it() -> None:
    short = naming.from_import("churn_model", "config", "Settings", "configure_logging")
    long_package = "p" * 50
    wrapped = naming.from_import(long_package, "model_io", "MODEL_FILE", "load_model")

    assert short == "from churn_model.config import Settings, configure_logging"
    assert wrapped == (
        f"from {long_package}.model_io import (\n    MODEL_FILE,\n    load_model,\n)"
    )
    assert naming.from_import("churn_model", "", "ui") == "from churn_model import ui"


def test_naming_extension_registers_filters() -> None:
    env = Environment(extensions=[naming.NamingExtension])

    rendered = env.from_string("{{ 'Churn Model' | slugify | package_name }}")

    assert rendered.render() == "churn_model"


@pytest.mark.parametrize(
    ("running", "default"), [("3.12", "3.12"), ("3.14", "3.11"), ("3.10", "3.11")]
)
def test_default_python_is_the_running_one_when_supported(
    running: str, default: str
) -> None:
    assert context.default_python_version(running) == default


def test_python_minor_version_drops_the_patch_level() -> None:
    assert context.python_minor_version((3, 12, 1)) == "3.12"
    assert (
        context.python_minor_version() == f"{sys.version_info[0]}.{sys.version_info[1]}"
    )


def test_defaults_come_from_git_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Ada Lovelace\n\temail = ada@example.com\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)

    defaults = context.assignment_defaults()

    assert defaults["git_user_name"] == "Ada Lovelace"
    assert defaults["git_user_email"] == "ada@example.com"
    assert defaults["current_year"] == datetime.date.today().year


def test_defaults_fall_back_when_git_has_no_identity(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "missing"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.chdir(tmp_path)

    defaults = context.assignment_defaults()

    assert defaults["git_user_name"] == context.FALLBACK_AUTHOR_NAME
    assert defaults["git_user_email"] == context.FALLBACK_AUTHOR_EMAIL
    assert naming.author_email_problem(context.FALLBACK_AUTHOR_EMAIL) == ""


def test_defaults_fall_back_when_git_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert context.git_config_value("user.name") is None


def test_context_hook_keeps_values_already_present() -> None:
    env = Environment(extensions=[context.AssignmentDefaults])
    values = {"_copier_conf": {}, "git_user_name": "Given"}

    rendered = env.from_string("{{ git_user_name }} {{ current_year }}").render(values)

    assert rendered == f"Given {datetime.date.today().year}"


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("assignments/*", "assignments/churn-model", True),
        ("assignments/*", "assignments/week1/churn-model", False),
        ("./assignments/*/", "assignments/churn-model", True),
        ("assignments/**", "assignments/week1/churn-model", True),
        ("**/models", "assignments/a/models", True),
        ("assignments/churn-?odel", "assignments/churn-model", True),
        ("projects/*", "assignments/churn-model", False),
    ],
)
def test_workspace_globs_follow_uv(pattern: str, path: str, matches: bool) -> None:
    assert uv_workspace.glob_matches(pattern, path) is matches


def write_uv_workspace_root(root: Path, members: str, exclude: str = "[]") -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(
        f"[tool.uv.workspace]\nmembers = {members}\nexclude = {exclude}\n"
    )


def test_destination_covered_by_an_enclosing_workspace(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    destination = tmp_path / "assignments" / "churn-model"

    assert uv_workspace.uv_workspace_root(destination) == str(tmp_path)
    assert uv_workspace.uv_workspace_covers(destination) is True
    assert uv_workspace.uv_workspace_path(destination) == "assignments/churn-model"


def test_excluded_destination_is_not_covered(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]', '["assignments/draft"]')

    assert uv_workspace.uv_workspace_covers(tmp_path / "assignments" / "draft") is False
    assert uv_workspace.uv_workspace_covers(tmp_path / "assignments" / "final") is True


def test_nearest_workspace_root_wins_and_plain_projects_are_ignored(
    tmp_path: Path,
) -> None:
    write_uv_workspace_root(tmp_path, '["*"]')
    inner = tmp_path / "inner"
    write_uv_workspace_root(inner, '["projects/*"]')
    (inner / "projects").mkdir()
    (inner / "projects" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    destination = inner / "projects" / "x" / "assignment"

    assert uv_workspace.uv_workspace_root(destination) == str(inner)
    assert uv_workspace.uv_workspace_covers(destination) is False


def test_no_workspace_means_standalone(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("this is [not valid toml")

    assert uv_workspace.uv_workspace_root(tmp_path / "a") == ""
    assert uv_workspace.uv_workspace_covers(tmp_path / "a") is False
    assert uv_workspace.uv_workspace_path(tmp_path / "a") == ""


@pytest.mark.parametrize(
    ("member", "back"), [("assignments/a", "../.."), ("a", ".."), ("", ".")]
)
def test_path_to_root_climbs_one_level_per_folder(member: str, back: str) -> None:
    assert uv_workspace.path_to_root(member) == back


def write_member(folder: Path, name: str, extra: str = "") -> Path:
    """Write a member's pyproject.toml: ``[project] name`` and ``extra``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(f'[project]\nname = "{name}"\n{extra}')
    return folder


# How the assignments declare their package (uv_build, an explicit module).
PACKAGED = """
[build-system]
requires = ["uv_build"]
build-backend = "uv_build"

[tool.uv.build-backend]
module-name = "{module}"
"""


@pytest.mark.parametrize(
    ("existing", "slug"),
    [("x.y", "x-y"), ("X_Y", "x-y"), ("st", "st"), ("churn--model", "churn-model")],
)
def test_slug_of_another_member_is_refused_in_its_pep503_form(
    tmp_path: Path, existing: str, slug: str
) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    write_member(tmp_path / "assignments" / "older", existing)
    destination = tmp_path / "assignments" / "newer"

    problem = uv_workspace.project_slug_clash(slug, destination)

    assert problem == (
        f"project_slug {slug!r} is already the name of assignments/older (uv would "
        "see two packages of one name); choose another, for example: "
        f"--data project_slug={slug}-2"
    )


def test_slug_of_the_workspace_root_is_refused(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    root = (tmp_path / "pyproject.toml").read_text()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "course"\n' + root)

    problem = uv_workspace.project_slug_clash("course", tmp_path / "assignments" / "c")

    assert "is already the name of the workspace root" in problem


def test_suggested_slug_is_free_and_within_the_length_limit(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    long_slug = "a" * 50
    for name in ("x-y", "x-y-2", long_slug):
        write_member(tmp_path / "assignments" / name, name)
    destination = tmp_path / "assignments" / "new"

    assert uv_workspace.project_slug_clash("x-y", destination).endswith("=x-y-3")
    suggested = uv_workspace.project_slug_clash(long_slug, destination).split("=")[-1]
    assert suggested == "a" * 48 + "-2"


def test_a_member_never_clashes_with_itself(tmp_path: Path) -> None:
    # copier update validates the answers of a member that already exists.
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    member = write_member(
        tmp_path / "assignments" / "x-y", "x-y", PACKAGED.format(module="x_y")
    )

    assert uv_workspace.project_slug_clash("x-y", member) == ""
    assert uv_workspace.package_name_clash("x_y", member) == ""


def test_no_clash_where_the_destination_would_not_be_a_member(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]', '["assignments/draft"]')
    write_member(tmp_path / "assignments" / "x-y", "x-y")

    clash = uv_workspace.project_slug_clash
    assert clash("x-y", tmp_path / "assignments" / "draft") == ""
    assert clash("x-y", tmp_path / "elsewhere" / "x") == ""
    assert clash("x-y", tmp_path.parent / "outside") == ""


def test_excluded_folders_are_not_members(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]', '["assignments/draft"]')
    write_member(tmp_path / "assignments" / "draft", "x-y")

    assert uv_workspace.project_slug_clash("x-y", tmp_path / "assignments" / "b") == ""


def test_package_name_of_another_member_is_refused(tmp_path: Path) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    write_member(
        tmp_path / "assignments" / "alpha", "alpha", PACKAGED.format(module="shared")
    )
    destination = tmp_path / "assignments" / "beta"

    problem = uv_workspace.package_name_clash("shared", destination)

    assert problem == (
        "package_name 'shared' is already the import name of assignments/alpha (the "
        "two would overwrite each other in the one `.venv`); choose another, for "
        "example: --data package_name=shared_2"
    )
    assert uv_workspace.package_name_clash("alpha", destination) == ""


@pytest.mark.parametrize(
    ("extra", "module"),
    [
        (PACKAGED.format(module="shared.sub"), "shared"),
        ('[build-system]\nbuild-backend = "uv_build"\n', "my_model"),
        ("[tool.uv]\npackage = true\n", "my_model"),
        ("", None),  # no build system: uv installs no package
        ("[build-system]\nrequires = []\n[tool.uv]\npackage = false\n", None),
    ],
)
def test_the_module_a_member_installs_follows_uv(
    tmp_path: Path, extra: str, module: str | None
) -> None:
    write_uv_workspace_root(tmp_path, '["assignments/*"]')
    write_member(tmp_path / "assignments" / "m", "My.Model", extra)

    members = uv_workspace.workspace_members(
        uv_workspace.find_workspace(tmp_path / "x")
    )

    assert [(m.place, m.name, m.module) for m in members] == [
        ("assignments/m", "My.Model", module)
    ]


def test_workspace_filters_are_registered() -> None:
    env = Environment(extensions=[uv_workspace.UvWorkspaceExtension])

    rendered = env.from_string("{{ 'x-y' | project_slug_clash('/nowhere/x') }}")

    assert rendered.render() == ""
