"""Name filters and answer checks for the template's questions.

Each ``*_problem`` function returns an empty string for a valid value and one
sentence naming the question, the rule and a valid example otherwise, which
is exactly what a Copier ``validator`` must render. The filters are
registered on the Jinja environment by :class:`NamingExtension`.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from pathlib import Path, PurePath, PurePosixPath

from jinja2 import Environment
from jinja2.ext import Extension

SLUG_PATTERN = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE_PATTERN = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PATH_SEGMENT_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")

MAX_PROJECT_NAME_LENGTH = 80
MAX_SLUG_LENGTH = 50
MAX_PACKAGE_LENGTH = 50
MAX_DESCRIPTION_LENGTH = 200
MAX_AUTHOR_NAME_LENGTH = 100
MAX_EMAIL_LENGTH = 254
MAX_WORKSPACE_PATH_LENGTH = 200

# Unicode categories that cannot stand in a one-line answer: control
# characters (\n, \t, \x85, ...), line and paragraph separators, surrogates.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})

# Names pytest gives a meaning to: a package with one of them would be
# collected or imported in its place.
PYTEST_NAMES = frozenset({"conftest", "tests", "test"})

# The spellings of a boolean that `--data` and data files may use.
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "1", "0"})

DEPENDENCY_NAMES_FILE = Path(__file__).with_name("dependency_names.txt")


def canonical(name: str) -> str:
    """Normalise a name as PEP 503 does: ``Typing_Ext`` -> ``typing-ext``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_dependency_names(path: Path = DEPENDENCY_NAMES_FILE) -> frozenset[str]:
    """Read the canonical names installed in a default assignment's environment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip() for line in lines if line.strip() and not line.startswith("#")
    )


DEPENDENCY_NAMES = read_dependency_names()


def humanize(name: str) -> str:
    """Turn a folder name into a title: ``"churn-model"`` -> ``"Churn Model"``."""
    words = re.split(r"[\s_\-.]+", PurePath(name).name.strip())
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


def slugify(text: str) -> str:
    """Make a lowercase, hyphen-separated slug that starts with a letter.

    Accents are folded to ASCII and every run of other characters becomes one
    hyphen: ``"Über Churn Model 2"`` -> ``"uber-churn-model-2"``.
    """
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = re.sub(r"^[^a-z]+", "", slug)
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


def package_name(slug: str) -> str:
    """Derive the import name from a slug: ``"churn-model"`` -> ``"churn_model"``."""
    return slug.replace("-", "_")


def toml_string(value: str) -> str:
    """Quote a string as a TOML basic string (JSON string syntax is valid TOML)."""
    return json.dumps(value, ensure_ascii=False)


def from_import(package: str, module: str, *names: str, line_length: int = 88) -> str:
    """Write ``from <package>.<module> import <names>`` as ruff would format it.

    One line when it fits in ``line_length``, else one name per line in
    parentheses, so that a render is ruff-clean whatever the package's name.
    """
    source = f"{package}.{module}" if module else package
    line = f"from {source} import {', '.join(names)}"
    if len(line) <= line_length:
        return line
    return f"from {source} import (\n" + "".join(f"    {n},\n" for n in names) + ")"


def text_problem(value: str, question: str, max_length: int, example: str) -> str:
    """Check a free-text answer: one line of printable text, at most ``max_length``.

    Every character that ``str.splitlines()`` splits on, and every other control
    character, is refused: such a value would come back changed from the
    answers file.
    """
    bad = next(
        (c for c in value if unicodedata.category(c) in FORBIDDEN_CATEGORIES), None
    )
    if bad is not None:
        return (
            f"{question} must be one line of printable text, without line breaks, "
            f"tabs or control characters (found U+{ord(bad):04X}); "
            f"for example: {example}."
        )
    if len(value) > max_length:
        return (
            f"{question} must be at most {max_length} characters "
            f"(it has {len(value)}); for example: {example}."
        )
    return ""


def required_text_problem(
    value: str, question: str, max_length: int, example: str
) -> str:
    """Like :func:`text_problem`, and the value must not be blank."""
    if not value.strip():
        return f"{question} must not be empty; for example: {example}."
    return text_problem(value, question, max_length, example)


def project_name_problem(value: str) -> str:
    """Check ``project_name``: one non-empty line of at most 80 characters."""
    return required_text_problem(
        value, "project_name", MAX_PROJECT_NAME_LENGTH, "Churn Model"
    )


def shadowing_problem(value: str, question: str, example: str) -> str:
    """Refuse a name that an installed dependency already uses."""
    if canonical(value) in DEPENDENCY_NAMES:
        return (
            f"{question} must not be the name of a package the assignment "
            f"installs ({value!r} would shadow it); {example}"
        )
    return ""


def project_slug_problem(value: str) -> str:
    """Check ``project_slug``: hyphenated lowercase words, unused by any dependency."""
    example = "for example: churn-model."
    if problem := text_problem(value, "project_slug", MAX_SLUG_LENGTH, "churn-model"):
        return problem
    if not SLUG_PATTERN.fullmatch(value):
        return (
            "project_slug must be lowercase letters and digits in words joined "
            f"by single hyphens, starting with a letter; {example}"
        )
    return shadowing_problem(value, "project_slug", example)


def package_name_problem(value: str) -> str:
    """Check ``package_name``: an importable name that shadows nothing."""
    example = "for example: churn_model."
    if problem := text_problem(
        value, "package_name", MAX_PACKAGE_LENGTH, "churn_model"
    ):
        return problem
    if not PACKAGE_PATTERN.fullmatch(value):
        return (
            "package_name must be lowercase letters and digits in words joined "
            f"by single underscores, starting with a letter; {example}"
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"package_name must not be a Python keyword ({value}); {example}"
    if value in sys.stdlib_module_names or value in PYTEST_NAMES:
        return (
            f"package_name must not shadow the standard-library or pytest "
            f"module {value!r}; {example}"
        )
    return shadowing_problem(value, "package_name", example)


def description_problem(value: str) -> str:
    """Check ``description``: one line of at most 200 characters (may be empty)."""
    return text_problem(
        value, "description", MAX_DESCRIPTION_LENGTH, "Predict customer churn"
    )


def author_name_problem(value: str) -> str:
    """Check ``author_name``: one non-empty line of at most 100 characters."""
    return required_text_problem(
        value, "author_name", MAX_AUTHOR_NAME_LENGTH, "Ada Lovelace"
    )


def author_email_problem(value: str) -> str:
    """Check ``author_email``: shaped like ``name@host.domain``."""
    example = "ada@example.com"
    if problem := text_problem(value, "author_email", MAX_EMAIL_LENGTH, example):
        return problem
    if not EMAIL_PATTERN.fullmatch(value):
        return f"author_email must look like an email address; for example: {example}."
    return ""


def boolean_problem(raw: object, question: str) -> str:
    """Check the raw value given for a yes/no question.

    Copier casts ``--data include_api=maybe`` to ``true`` before validators
    see the answer, so the check looks at what was typed
    (``_copier_conf.data``): ``None`` (asked interactively or not given), a
    boolean, or one of true/false/yes/no/1/0 in any case.
    """
    if raw is None or isinstance(raw, bool):
        return ""
    if str(raw).strip().lower() in BOOLEAN_WORDS:
        return ""
    return (
        f"{question} must be a yes/no answer (true, false, yes, no, 1 or 0), "
        f"not {str(raw)!r}; for example: {question}=false."
    )


def workspace_path_problem(value: str, expected: str, member: bool) -> str:
    """Check ``workspace_path``: where this assignment lies in the uv workspace.

    Args:
        value: The answer.
        expected: The destination's real path relative to the workspace root
            found above it, or ``""`` when no root was found (for example in
            the temporary folders Copier renders into during an update).
        member: The ``workspace_member`` answer; nothing is checked without it.
    """
    if not member:
        return ""
    example = "for example: assignments/churn-model."
    if problem := text_problem(
        value, "workspace_path", MAX_WORKSPACE_PATH_LENGTH, "assignments/churn-model"
    ):
        return problem
    segments = value.split("/")
    if (
        not value
        or PurePosixPath(value).is_absolute()
        or not all(PATH_SEGMENT_PATTERN.fullmatch(part) for part in segments)
        or any(part in {".", ".."} for part in segments)
    ):
        return (
            "workspace_path must be a relative path inside the workspace root, "
            "made of folder names of letters, digits, '.', '_' and '-' joined "
            f"by '/' (rename a folder whose name has spaces); {example}"
        )
    if expected and value != expected:
        return (
            f"workspace_path must be where this assignment really is in the "
            f"workspace ({expected!r}), not {value!r}; {example}"
        )
    return ""


class NamingExtension(Extension):
    """Register the naming filters and answer checks on a Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        """Add every filter of this module to ``environment``."""
        super().__init__(environment)
        environment.filters.update(
            {
                "humanize": humanize,
                "slugify": slugify,
                "package_name": package_name,
                "toml_string": toml_string,
                "from_import": from_import,
                "project_name_problem": project_name_problem,
                "project_slug_problem": project_slug_problem,
                "package_name_problem": package_name_problem,
                "description_problem": description_problem,
                "author_name_problem": author_name_problem,
                "author_email_problem": author_email_problem,
                "boolean_problem": boolean_problem,
                "workspace_path_problem": workspace_path_problem,
            }
        )
