"""The render matrix: a covering array of answers, computed from the template.

Facts, each computed here (not listed by hand) and pinned by
``tests/test_answer_sets.py``:

- The options are the assignment's questions with a fixed set of answers:
  yes/no questions with a literal default and questions with choices, and
  ``data_file``, whose answers here are the real public tables of
  ``public_tables.py`` (each with its ``target``). ``kind`` and
  ``workspace_member`` are left to the workspace tests (the destination
  decides them); names and quoting are free text: their hand-written
  answers (``NAMES``) ride on the installed set that renders the most
  files, called ``names``.
- Two options interact when one piece of the template uses both: one
  top-level node of a file (a line, an ``if`` or ``for`` block), directly or
  through a computed value of ``copier.yml`` (``include_compose`` from
  ``include_docker``, ``include_api`` and ``include_ui``, ...); an option in
  a file's name interacts with every option the file uses. Separate blocks
  of one file (params.toml's tables, say) do not make their options interact.
- Every pair of values of two interacting options appears in some answer
  set (a covering array, built greedily and deterministically; answers whose
  question is not asked, such as ``monitoring`` without the API, are left
  out). The pairs that runnable files make (code, tests, Taskfile,
  Dockerfile, configuration) are covered by **installed** sets, which are
  installed and run their own generated tests; pairs that only the
  documentation or the CI workflow make are covered by **rendered** sets,
  which are rendered and checked statically.

Every destination folder is ``churn-model``, so the default names derive
``Churn Model`` / ``churn-model`` / ``churn_model`` from it.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import jinja2
import yaml
from jinja2 import nodes

from extensions.context import SUPPORTED_PYTHON_VERSIONS, python_minor_version
from tests.public_tables import TARGETS

ROOT = Path(__file__).resolve().parents[1]
COPIER_YML = ROOT / "copier.yml"
ASSIGNMENT = ROOT / "template" / "assignment"
# Options left to other tests: the destination decides them.
DECIDED_ELSEWHERE = frozenset({"kind", "workspace_member"})
# Free-text questions the matrix tries with these answers: real tables.
FREE_TEXT_ANSWERS = {
    "data_file": ["penguins", "penguins_raw", "canadian_senators", "penguins_parquet"]
}
# How a set names a public table it uses: resolved by tests/conftest.py.
PUBLIC_TABLE = "public-table:"
# Files that are read, not run: checked for every set, never installed for.
READ_ONLY_FILES = re.compile(
    r"(\.md(\.jinja)?$)|(^|/)\{% if not workspace_member %\}\.github"
)

Answers = dict[str, object]
Combination = frozenset[tuple[str, object]]


@functools.cache
def questions() -> dict[str, dict[str, object]]:
    """The questions of ``copier.yml`` (settings left out)."""
    data = yaml.safe_load(COPIER_YML.read_text("utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}


@functools.cache
def options() -> dict[str, list[object]]:
    """Each option of the matrix and its answers, the default first."""
    found: dict[str, list[object]] = {}
    for name, question in questions().items():
        if name in DECIDED_ELSEWHERE or question.get("when") is False:
            continue
        default = question.get("default")
        if question.get("type") == "bool" and isinstance(default, bool):
            found[name] = [default, not default]
        elif name == "python_version":  # its choices come from context.py
            running = python_minor_version()
            found[name] = sorted(SUPPORTED_PYTHON_VERSIONS, key=lambda v: v != running)
        elif isinstance(question.get("choices"), list):
            choices = list(question["choices"])
            found[name] = sorted(choices, key=lambda choice: choice != default)
        elif name in FREE_TEXT_ANSWERS:
            found[name] = list(FREE_TEXT_ANSWERS[name])
    return found


def asked_when(option: str) -> str:
    """The ``when`` of an option's question (empty when always asked)."""
    when = str(questions()[option].get("when", ""))
    return "" if when in ("", "{{ assignment }}") else when


def names_used(source: str) -> set[str]:
    """Every variable a piece of Jinja source reads."""
    tree = jinja2.Environment().parse(source)
    return {node.name for node in tree.find_all(nodes.Name) if node.ctx == "load"}


def as_options(names: Iterable[str]) -> set[str]:
    """The options behind ``names``, through computed values and context hooks."""
    computed = {
        name: str(question.get("default", ""))
        for name, question in questions().items()
        if question.get("when") is False
    }
    found: set[str] = set()
    pending = list(names)
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in computed:
            pending += names_used(computed[name])
        elif name in options():
            found.add(name)
    return found


def template_files() -> list[Path]:
    """Every file of the assignment's template tree."""
    return sorted(path for path in ASSIGNMENT.rglob("*") if path.is_file())


@functools.cache
def name_options(relative: str) -> frozenset[str]:
    """The options that a template path's name reads."""
    return frozenset(as_options(names_used(relative)))


def possible(option: str, value: object, answers: Mapping[str, object]) -> bool:
    """Tell whether ``option`` may take ``value`` beside ``answers``.

    A question that is not asked for ``answers`` takes no value (``None``);
    one that is asked takes one. Unknown until its ``when`` can be decided.
    """
    parents = asked_after(option)
    if not asked_when(option) or not parents <= set(answers):
        return True
    decided = frozenset((parent, answers[parent]) for parent in parents)
    return (value is None) != is_asked(option, decided)


@functools.cache
def asked_after(option: str) -> frozenset[str]:
    """The options that decide whether ``option`` is asked."""
    return frozenset(as_options(names_used(asked_when(option))))


@functools.cache
def is_asked(option: str, decided: Combination) -> bool:
    """Tell whether ``option`` is asked, given the answers that decide it."""
    context = {**dict(decided), "assignment": True}
    return jinja(asked_when(option)).render(context).strip() == "True"


def values_of(option: str) -> list[object]:
    """The answers of ``option``, and ``None`` (not asked) for a conditional one."""
    return options()[option] + ([None] if asked_when(option) else [])


@functools.cache
def jinja(source: str) -> jinja2.Template:
    """Compile a template string once (undefined names render empty)."""
    return jinja2.Environment(undefined=jinja2.ChainableUndefined).from_string(source)


def computed_values(answers: Mapping[str, object]) -> dict[str, object]:
    """``answers`` and the computed yes/no values of ``copier.yml`` they decide."""
    context: dict[str, object] = dict(answers)
    for name, question in questions().items():
        if question.get("when") is False and question.get("type") == "bool":
            try:
                template = jinja(str(question["default"]))
            except jinja2.TemplateError:  # a filter of extensions/: a fact of
                continue  # the destination, not of the answers
            context[name] = template.render(context).strip() == "True"
    return context


@functools.cache
def file_exists(relative: str, answers: Combination) -> bool:
    """Tell whether a template path renders to a file for ``answers``.

    A name in the path (``src/{{ package_name }}/``) stands for itself: only
    a condition can make a part empty.
    """
    context = {name: name for name in NAMES} | computed_values(dict(answers))
    rendered = jinja(relative.removesuffix(".jinja")).render(context)
    return all(part for part in rendered.split("/"))


def combinations_of(
    used: Iterable[str], renders: Callable[[Answers], bool] = lambda _: True
) -> set[Combination]:
    """Every possible combination of answers of the ``used`` options.

    ``renders`` keeps only the combinations for which the piece exists.
    """
    used = sorted(used)
    found: set[Combination] = set()
    for values in itertools.product(*(values_of(option) for option in used)):
        answers = dict(zip(used, values, strict=True))
        if all(possible(o, v, answers) for o, v in answers.items()) and renders(
            answers
        ):
            found.add(frozenset(answers.items()))
    return found


def file_combinations(path: Path) -> set[Combination]:
    """The combinations of answers that the pieces of one template file read.

    A piece is the file's name, or one top-level node of its text with the
    options of the name (for which the file must exist).
    """
    relative = path.relative_to(ASSIGNMENT).as_posix()
    in_name = name_options(relative)
    combinations = combinations_of(in_name)
    if path.name.endswith(".jinja"):
        tree = jinja2.Environment().parse(path.read_text("utf-8"))
        for node in tree.body:
            used = as_options(
                {n.name for n in node.find_all(nodes.Name) if n.ctx == "load"}
            )
            combinations |= combinations_of(
                used | in_name,
                lambda answers: file_exists(
                    relative, frozenset((o, answers[o]) for o in in_name)
                ),
            )
    return combinations


def combinations_to_cover(runnable_only: bool) -> set[Combination]:
    """The combinations the template's (runnable) files read, all of them."""
    found: set[Combination] = set()
    for path in template_files():
        relative = path.relative_to(ASSIGNMENT).as_posix()
        if runnable_only and READ_ONLY_FILES.search(relative):
            continue
        found |= file_combinations(path)
    return maximal(found)


def maximal(combinations: set[Combination]) -> set[Combination]:
    """Drop the combinations that a larger one of the set contains."""
    return {c for c in combinations if not any(c < other for other in combinations)}


def interactions(runnable_only: bool) -> set[frozenset[str]]:
    """The groups of options that one piece of the (runnable) template reads."""
    return {
        frozenset(option for option, _ in combination)
        for combination in combinations_to_cover(runnable_only)
    }


def covers(answers: Mapping[str, object], combination: Combination) -> bool:
    """Tell whether an answer set holds every answer of ``combination``."""
    return all(answers.get(option) == value for option, value in combination)


@functools.cache
def candidates() -> tuple[tuple[tuple[str, object], ...], ...]:
    """Every possible answer set of the options (a few hundred), in a fixed order."""
    names = list(options())
    found = []
    for values in itertools.product(*(values_of(option) for option in names)):
        answers = dict(zip(names, values, strict=True))
        if all(possible(option, value, answers) for option, value in answers.items()):
            found.append(tuple(answers.items()))
    return tuple(found)


def covering_array(to_cover: set[Combination], start: list[Answers]) -> list[Answers]:
    """Answer sets beyond ``start`` until every combination is in one.

    Greedy over every possible answer set: each new set is the one holding
    the most combinations not yet covered; a tie goes to the set with the
    fewest answers changed from the defaults, then to the first in a fixed
    order. The fewest sets possible is the number of answers of the option
    with most of them (one set per dataset and table); this reaches it today
    (``test_answer_sets.py`` pins that).
    """
    default = default_answers()
    uncovered = {c for c in to_cover if not any(covers(a, c) for a in start)}
    added: list[Answers] = []
    while uncovered:
        best = dict(
            max(
                candidates(),
                key=lambda items: (
                    sum(covers(dict(items), c) for c in uncovered),
                    -sum(default[option] != value for option, value in items),
                ),
            )
        )
        uncovered = {c for c in uncovered if not covers(best, c)}
        added.append(best)
    return added


def sorted_repr(combination: Combination) -> str:
    """A stable sort key of a combination."""
    return repr(sorted(combination, key=repr))


def options_default() -> Answers:
    """The default answer of every option."""
    return {option: values[0] for option, values in options().items()}


def default_answers() -> Answers:
    """Every option's default answer (``None`` for a question not asked)."""
    default = options_default()
    return {
        option: value if possible(option, value, default) else None
        for option, value in default.items()
    }


def set_name(answers: Mapping[str, object]) -> str:
    """Name a set by how it differs from the defaults: ``"no-ui+wine+py3.12"``."""
    words = []
    for option, value in answers.items():
        default = options()[option][0]
        if value is None or (value == default and option != "data_file"):
            continue
        label = option.removeprefix("include_")
        if isinstance(value, bool):
            words.append(label if value else f"no-{label}")
        elif option == "python_version":
            words.append(f"py{value}")
        elif option == "data_file":
            words.append(str(value).replace("_", "-"))
        else:
            words.append(f"{label}-{value}" if option == "tracking" else str(value))
    return "+".join(words) or "default"


def for_copier(answers: Mapping[str, object]) -> Answers:
    """The answers to give Copier: questions not asked left out, tables named.

    A public table is named ``public-table:<name>`` and its target given;
    ``tests/conftest.py`` puts the table's path in place of the name.
    """
    given = {option: value for option, value in answers.items() if value is not None}
    if "data_file" in given:
        table = str(given["data_file"])
        given |= {"data_file": PUBLIC_TABLE + table, "target": TARGETS[table]}
    return given


# Free text cannot be derived: one set stresses names, lengths and quoting.
NAMES: Answers = {
    "project_name": 'Ünïcode "Quoted" Model',
    "project_slug": "a" * 10 + "-b" * 20,
    "package_name": "p" * 50,
    "description": 'Say "hi" \\ path C:\\tmp, $HOME, `cmd`, {{ raw }} {% x %} é ✓',
    "author_name": 'O\'Brien "Bob" \\ Smith',
    "author_email": "bob+mlops@example.org",
}


@functools.cache
def matrix() -> tuple[dict[str, Answers], frozenset[str]]:
    """Every answer set by name, and the names of the installed ones."""
    default = default_answers()
    installed = [default, *covering_array(combinations_to_cover(True), [default])]
    rendered = covering_array(combinations_to_cover(False), installed)
    # The names interact with no option: they ride on the other set that
    # renders the most files, which is then called "names".
    host = max(installed[1:], key=rendered_files)
    sets = {
        "names" if answers is host else set_name(answers): for_copier(answers)
        for answers in installed
    }
    sets["names"] |= NAMES
    installed_names = set(sets)
    sets |= {set_name(answers): for_copier(answers) for answers in rendered}
    sets["default"] = {}
    return sets, frozenset(installed_names)


def rendered_files(answers: Answers) -> int:
    """How many of the template's files an answer set renders."""
    given = frozenset(computed_values(answers).items())
    return sum(
        file_exists(path.relative_to(ASSIGNMENT).as_posix(), given)
        for path in template_files()
    )


ANSWER_SETS, INSTALLED = matrix()


def matrix_answers(name: str) -> Answers:
    """Every option's answer in a set (``None`` for a question not asked)."""
    given = {
        option: value.removeprefix(PUBLIC_TABLE) if isinstance(value, str) else value
        for option, value in ANSWER_SETS[name].items()
    }
    full = {**options_default(), **given}
    return {
        option: full[option] if possible(option, full[option], full) else None
        for option in options()
    }


def set_with(**answers: object) -> str:
    """The name of the first answer set with these answers (a test's pick)."""
    for name in ANSWER_SETS:
        full = matrix_answers(name)
        if all(full.get(option) == value for option, value in answers.items()):
            return name
    raise LookupError(f"no answer set has {answers}")
