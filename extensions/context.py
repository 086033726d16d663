"""Context defaults that Copier questions build on.

The hook adds a few facts about the person and the machine running Copier to
the Jinja context, so that `copier.yml` can use them as question defaults:

- ``git_user_name`` / ``git_user_email``: from ``git config``, or a placeholder
  when git is missing or has no such setting;
- ``current_year``: for copyright lines and the seeded spec;
- ``supported_python_versions``: the choices of ``python_version``;
- ``default_python_version``: the version of the interpreter that runs
  Copier when it is supported, else the oldest supported one.
"""

from __future__ import annotations

import datetime
import functools
import subprocess
import sys
from typing import Any

from copier_template_extensions import ContextHook

SUPPORTED_PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
FALLBACK_AUTHOR_NAME = "Student Name"
FALLBACK_AUTHOR_EMAIL = "student@example.com"


@functools.cache
def git_config_value(key: str) -> str | None:
    """Return the value of a git configuration key, or ``None`` when unset.

    Args:
        key: A git configuration key such as ``user.name``.

    Returns:
        The stripped value, or ``None`` if git is not installed, the key is not
        set, or the value is blank.
    """
    try:
        completed = subprocess.run(
            ["git", "config", "--get", key],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = completed.stdout.strip()
    return value if completed.returncode == 0 and value else None


def python_minor_version(version_info: tuple[int, ...] = sys.version_info) -> str:
    """Return ``"major.minor"`` for a version tuple (default: this interpreter)."""
    return f"{version_info[0]}.{version_info[1]}"


def default_python_version(running: str) -> str:
    """The running Python's version if supported, else the oldest supported."""
    return (
        running
        if running in SUPPORTED_PYTHON_VERSIONS
        else SUPPORTED_PYTHON_VERSIONS[0]
    )


def assignment_defaults() -> dict[str, object]:
    """Compute the context values that questions use as defaults or choices."""
    return {
        "git_user_name": git_config_value("user.name") or FALLBACK_AUTHOR_NAME,
        "git_user_email": git_config_value("user.email") or FALLBACK_AUTHOR_EMAIL,
        "current_year": datetime.date.today().year,
        "supported_python_versions": list(SUPPORTED_PYTHON_VERSIONS),
        "default_python_version": default_python_version(python_minor_version()),
    }


class AssignmentDefaults(ContextHook):
    """Copier context hook that adds :func:`assignment_defaults` to the context."""

    def hook(self, context: dict[str, Any]) -> None:
        """Add the defaults in place, never overriding a value already present."""
        for key, value in assignment_defaults().items():
            context.setdefault(key, value)
