"""Find out whether a destination folder is a member of an enclosing uv workspace.

uv makes a folder a workspace member when an ancestor's ``pyproject.toml``
declares ``[tool.uv.workspace]`` and the folder matches one of its ``members``
globs and none of its ``exclude`` globs. Members share the root's ``uv.lock``
and ``.venv``, which changes how the assignment's Docker files must look.

Members must also have distinct names: uv refuses a workspace in which two
members (the root included) have the same distribution name, and two members
that install the same import name overwrite each other in the one ``.venv``.
``project_slug_clash`` and ``package_name_clash`` refuse such answers before
Copier writes anything.
"""

from __future__ import annotations

import itertools
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


@dataclass(frozen=True)
class Member:
    """A project of a uv workspace, as uv names it and installs it."""

    folder: Path
    place: str  # how a message names it: its path from the root, or the root
    name: str  # [project].name
    module: str | None  # the top-level import name it installs, if packaged


# naming.py's length limit of both project_slug and package_name, which a
# suggested name must respect too.
MAX_NAME_LENGTH = 50


def canonical_name(name: str) -> str:
    """Normalise a distribution name as PEP 503 does: ``X.Y`` -> ``x-y``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_module(project: dict[str, object], name: str) -> str | None:
    """The top-level module a member's ``pyproject.toml`` data installs, if any.

    uv installs a member as a package when ``[tool.uv] package`` says so, or
    by default when it declares a ``[build-system]``. The module is
    ``[tool.uv.build-backend] module-name`` (uv_build's setting), else the
    normalised name with ``-`` -> ``_``, as uv_build derives it.
    """
    tool = project.get("tool")
    uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    if not isinstance(uv, dict) or not uv.get("package", "build-system" in project):
        return None
    backend = uv.get("build-backend", {})
    module = backend.get("module-name") if isinstance(backend, dict) else None
    if isinstance(module, list) and module:
        module = module[0]
    if not isinstance(module, str) or not module:
        module = canonical_name(name).replace("-", "_")
    return module.split(".")[0]


def read_member(folder: Path, root: Path) -> Member | None:
    """Read the member project in ``folder``; None when it has no ``[project]``."""
    try:
        text = (folder / "pyproject.toml").read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    if not isinstance(name, str) or not name:
        return None
    relative = relative_posix(folder, root)
    place = "the workspace root" if relative in (None, ".") else relative
    return Member(folder, place, name, installed_module(data, name))


def workspace_members(workspace: Workspace) -> list[Member]:
    """Every project of ``workspace`` that uv counts as a member, root first.

    The root counts when it has a ``[project]`` table; every other folder
    when it matches a ``members`` glob and no ``exclude`` glob.
    """
    folders = [workspace.root]
    for pattern in workspace.members:
        cleaned = pattern.strip().removeprefix("./").rstrip("/")
        if not cleaned or PurePosixPath(cleaned).is_absolute():
            continue
        folders += sorted(
            folder
            for folder in workspace.root.glob(cleaned)
            if folder.is_dir() and workspace.covers(folder)
        )
    members = (read_member(folder, workspace.root) for folder in folders)
    return [member for member in members if member is not None]


def other_members(destination: Path | str) -> list[Member]:
    """The members beside ``destination`` in the workspace that makes it one.

    Empty when no workspace covers ``destination`` (it would not be a member,
    so no name of its can clash), as in the temporary folders Copier renders
    into during an update. ``destination`` itself never counts: an update
    validates the answers of a member that already exists.
    """
    workspace = find_workspace(destination)
    target = Path(destination).absolute()
    if workspace is None or not workspace.covers(target):
        return []
    return [
        member
        for member in workspace_members(workspace)
        if member.folder.resolve() != target.resolve()
    ]


def free_name(wanted: str, separator: str, taken: set[str]) -> str:
    """The first of ``wanted-2``, ``wanted-3``... (``_`` for a module) not taken.

    The suggestion keeps within the length limit of both names.
    """
    suffixes = (f"{separator}{number}" for number in itertools.count(2))
    candidates = (
        wanted[: MAX_NAME_LENGTH - len(suffix)].rstrip(separator) + suffix
        for suffix in suffixes
    )
    return next(candidate for candidate in candidates if candidate not in taken)


def project_slug_clash(slug: str, destination: Path | str) -> str:
    """Refuse a ``project_slug`` that another member of the workspace has.

    uv compares names in their PEP 503 form, so ``x-y`` clashes with a member
    named ``x.y`` or ``X_Y``. Returns ``""`` when there is no clash, else one
    sentence naming the question, the clashing member and a free name.
    """
    members = other_members(destination)
    taken = {canonical_name(member.name) for member in members}
    for member in members:
        if canonical_name(member.name) == canonical_name(slug):
            return (
                f"project_slug {slug!r} is already the name of {member.place} "
                "(uv would see two packages of one name); choose another, for "
                f"example: --data project_slug={free_name(slug, '-', taken)}"
            )
    return ""


def package_name_clash(package: str, destination: Path | str) -> str:
    """Refuse a ``package_name`` that another member of the workspace installs.

    Returns ``""`` when there is no clash, else one sentence naming the
    question, the clashing member and a free name.
    """
    members = other_members(destination)
    taken = {member.module for member in members if member.module}
    for member in members:
        if member.module == package:
            return (
                f"package_name {package!r} is already the import name of "
                f"{member.place} (the two would overwrite each other in the one "
                "`.venv`); choose another, for example: "
                f"--data package_name={free_name(package, '_', taken)}"
            )
    return ""


def path_to_root(member_path: str) -> str:
    """Relative way back up from a member: ``"assignments/a"`` -> ``"../.."``."""
    depth = len(PurePosixPath(member_path).parts)
    return "/".join([".."] * depth) if depth else "."


class UvWorkspaceExtension(Extension):
    """Register the uv workspace filters on a Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        """Add the filters to ``environment``."""
        super().__init__(environment)
        environment.filters.update(
            {
                "uv_workspace_root": uv_workspace_root,
                "uv_workspace_covers": uv_workspace_covers,
                "uv_workspace_path": uv_workspace_path,
                "path_to_root": path_to_root,
                "project_slug_clash": project_slug_clash,
                "package_name_clash": package_name_clash,
            }
        )
