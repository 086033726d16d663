"""Find out whether a destination folder is a member of an enclosing uv workspace.

uv makes a folder a workspace member when an ancestor's ``pyproject.toml``
declares ``[tool.uv.workspace]`` and the folder matches one of its ``members``
globs and none of its ``exclude`` globs. Members share the root's ``uv.lock``
and ``.venv``, which changes how the assignment's Docker files must look.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from jinja2 import Environment
from jinja2.ext import Extension


@dataclass(frozen=True)
class Workspace:
    """A uv workspace root and the globs that select its members."""

    root: Path
    members: tuple[str, ...]
    exclude: tuple[str, ...]

    def covers(self, folder: Path) -> bool:
        """Tell whether ``folder`` (below the root) is one of its members."""
        relative = relative_posix(folder, self.root)
        if relative is None:
            return False
        return any(glob_matches(p, relative) for p in self.members) and not any(
            glob_matches(p, relative) for p in self.exclude
        )


def relative_posix(folder: Path, root: Path) -> str | None:
    """Return ``folder`` relative to ``root`` in POSIX form, or None if outside."""
    try:
        return folder.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def glob_to_regex(pattern: str) -> re.Pattern[str]:
    """Translate a uv workspace glob: ``*`` stays within one folder, ``**`` not."""
    pattern = pattern.strip().removeprefix("./").rstrip("/")
    parts = re.split(r"(\*\*/?|\*|\?)", pattern)
    translated = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile(
        "".join(translated.get(part, re.escape(part)) for part in parts) + r"\Z"
    )


def glob_matches(pattern: str, relative: str) -> bool:
    """Tell whether a POSIX relative path matches a workspace glob."""
    return bool(glob_to_regex(pattern).match(relative))


def read_workspace(pyproject: Path) -> Workspace | None:
    """Return the workspace declared by ``pyproject``, if it declares one."""
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("uv", {}).get("workspace")
    if not isinstance(table, dict):
        return None
    return Workspace(
        root=pyproject.parent,
        members=tuple(table.get("members", [])),
        exclude=tuple(table.get("exclude", [])),
    )


def find_workspace(destination: Path | str) -> Workspace | None:
    """Return the nearest workspace declared above ``destination``, if any."""
    for folder in Path(destination).absolute().parents:
        workspace = read_workspace(folder / "pyproject.toml")
        if workspace is not None:
            return workspace
    return None


def uv_workspace_root(destination: Path | str) -> str:
    """Path of the nearest enclosing workspace root, or ``""`` when there is none."""
    workspace = find_workspace(destination)
    return str(workspace.root) if workspace else ""


def uv_workspace_covers(destination: Path | str) -> bool:
    """Tell whether an enclosing workspace makes ``destination`` a member."""
    workspace = find_workspace(destination)
    return workspace is not None and workspace.covers(Path(destination))


def uv_workspace_path(destination: Path | str) -> str:
    """``destination`` relative to its workspace root (``""`` without one)."""
    workspace = find_workspace(destination)
    if workspace is None:
        return ""
    return relative_posix(Path(destination), workspace.root) or ""


def path_to_root(member_path: str) -> str:
    """Relative way back up from a member: ``"assignments/a"`` -> ``"../.."``."""
    depth = len(PurePosixPath(member_path).parts)
    return "/".join([".."] * depth) if depth else "."


class WorkspaceExtension(Extension):
    """Register the workspace filters on a Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        """Add the filters to ``environment``."""
        super().__init__(environment)
        environment.filters.update(
            {
                "uv_workspace_root": uv_workspace_root,
                "uv_workspace_covers": uv_workspace_covers,
                "uv_workspace_path": uv_workspace_path,
                "path_to_root": path_to_root,
            }
        )
