"""Name filters and answer checks for the template's questions.

Each ``*_problem`` function returns an empty string for a valid value and one
sentence naming the rule (with a valid example) otherwise, which is exactly
what a Copier ``validator`` must render. The filters are registered on the
Jinja environment by :class:`NamingExtension`.
"""

from __future__ import annotations

import json
import keyword
import re
import sys
import unicodedata
from pathlib import PurePath

from jinja2 import Environment
from jinja2.ext import Extension

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_PROJECT_NAME_LENGTH = 80
MAX_SLUG_LENGTH = 50

# Import names of the libraries a generated assignment depends on: a package
# with one of these names would shadow the real library.
DEPENDENCY_IMPORT_NAMES = frozenset(
    {
        "fastapi",
        "httpx",
        "httpx2",
        "matplotlib",
        "numpy",
        "pandas",
        "pydantic",
        "pytest",
        "ruff",
        "scipy",
        "skops",
        "sklearn",
        "starlette",
        "streamlit",
        "uvicorn",
    }
)


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


def project_name_problem(value: str) -> str:
    """Check ``project_name``: non-empty, one line, at most 80 characters."""
    if not value.strip():
        return "project_name must not be empty; for example: Churn Model."
    if "\n" in value or "\r" in value:
        return "project_name must fit on one line; for example: Churn Model."
    if len(value) > MAX_PROJECT_NAME_LENGTH:
        return (
            f"project_name must be at most {MAX_PROJECT_NAME_LENGTH} characters "
            f"(it has {len(value)}); for example: Churn Model."
        )
    return ""


def project_slug_problem(value: str) -> str:
    """Check ``project_slug``: lowercase words joined by single hyphens, <= 50."""
    if not SLUG_PATTERN.fullmatch(value):
        return (
            "project_slug must be lowercase letters and digits in words joined "
            "by single hyphens, starting with a letter; for example: churn-model."
        )
    if len(value) > MAX_SLUG_LENGTH:
        return (
            f"project_slug must be at most {MAX_SLUG_LENGTH} characters "
            f"(it has {len(value)}); for example: churn-model."
        )
    return ""


def package_name_problem(value: str) -> str:
    """Check ``package_name``: an importable name that shadows nothing."""
    example = "for example: churn_model."
    if not value.isidentifier() or not value.isascii():
        return f"package_name must be a valid Python identifier; {example}"
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"package_name must not be a Python keyword ({value}); {example}"
    if value in sys.stdlib_module_names or value == "test":
        return (
            f"package_name must not shadow the standard-library module "
            f"{value!r}; {example}"
        )
    if value in DEPENDENCY_IMPORT_NAMES:
        return (
            f"package_name must not shadow the dependency {value!r} that the "
            f"assignment imports; {example}"
        )
    return ""


def one_line_problem(value: str, question: str) -> str:
    """Check that a free-text answer fits on one line."""
    if "\n" in value or "\r" in value:
        return f"{question} must fit on one line; for example: A short summary."
    return ""


def author_name_problem(value: str) -> str:
    """Check ``author_name``: non-empty and on one line."""
    if not value.strip():
        return "author_name must not be empty; for example: Ada Lovelace."
    return one_line_problem(value, "author_name")


def author_email_problem(value: str) -> str:
    """Check ``author_email``: something shaped like ``name@host.domain``."""
    if not EMAIL_PATTERN.fullmatch(value):
        return (
            "author_email must look like an email address; "
            "for example: ada@example.com."
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
                "project_name_problem": project_name_problem,
                "project_slug_problem": project_slug_problem,
                "package_name_problem": package_name_problem,
                "one_line_problem": one_line_problem,
                "author_name_problem": author_name_problem,
                "author_email_problem": author_email_problem,
            }
        )
