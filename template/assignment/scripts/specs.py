"""Manage the versioned plans in ``ai_docs/``: ``spec_v1.md``, ``spec_v2.md``...

A plan is never edited once a newer one exists. To iterate, start the next
version from the latest one::

    python scripts/specs.py new    # writes spec_v<N+1>.md from spec_v<N>.md
    python scripts/specs.py list   # prints the plans, oldest first

``new`` bumps the version in the title, unticks the Verification boxes (the
new plan needs approval again) and empties the Review section, keeping its
headings. It never changes or overwrites an existing file.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger("specs")

SPEC_DIR = Path("ai_docs")
SPEC_NAME = re.compile(r"^spec_v(\d+)\.md$")
TITLE = re.compile(r"^# Spec v\d+", re.MULTILINE)
TICKED_BOX = re.compile(r"^(\s*- )\[[xX]\]", re.MULTILINE)


class SpecError(RuntimeError):
    """Raised when the plans in the spec folder cannot be used."""


def list_specs(folder: Path) -> list[tuple[int, Path]]:
    """Return ``(version, path)`` of every spec in ``folder``, in numeric order."""
    found = []
    for path in folder.glob("spec_v*.md"):
        match = SPEC_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return sorted(found)


def replace_section(text: str, heading: str, transform: Callable[[str], str]) -> str:
    """Apply ``transform`` to the body of the ``## <heading>`` section, if any."""
    match = re.search(rf"^## {re.escape(heading)}[ \t]*\n", text, re.MULTILINE)
    if match is None:
        return text
    following = re.search(r"^## ", text[match.end() :], re.MULTILINE)
    end = match.end() + following.start() if following else len(text)
    return text[: match.end()] + transform(text[match.end() : end]) + text[end:]


def untick_boxes(body: str) -> str:
    """Turn every ticked ``- [x]`` box into an open ``- [ ]`` box."""
    return TICKED_BOX.sub(r"\1[ ]", body)


def keep_headings(body: str) -> str:
    """Drop everything but the ``###`` headings, one blank line apart."""
    headings = [line for line in body.splitlines() if line.startswith("#")]
    return "".join(f"\n{heading}\n" for heading in headings) + "\n"


def next_spec_text(text: str, version: int) -> str:
    """Turn the text of a spec into the starting text of spec ``version``."""
    text = TITLE.sub(f"# Spec v{version}", text, count=1)
    text = replace_section(text, "Verification", untick_boxes)
    return replace_section(text, "Review", keep_headings).rstrip("\n") + "\n"


def create_next_spec(folder: Path) -> Path:
    """Write the next spec after the highest-numbered one and return its path.

    Raises:
        SpecError: If the folder holds no spec to start from.
    """
    specs = list_specs(folder)
    if not specs:
        raise SpecError(f"No spec_v<N>.md in {folder}/ to start the next plan from.")
    version, latest = specs[-1]
    target = folder / f"spec_v{version + 1}.md"
    text = next_spec_text(latest.read_text(encoding="utf-8"), version + 1)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite
        handle.write(text)
    logger.info("Wrote %s from %s", target, latest.name)
    return target


def main(argv: list[str] | None = None) -> int:
    """Run the ``new`` or ``list`` command and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["new", "list"])
    parser.add_argument("--dir", type=Path, default=SPEC_DIR, help="spec folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.command == "new":
            create_next_spec(args.dir)
        else:
            for _, path in list_specs(args.dir):
                print(path)
    except (SpecError, FileExistsError) as error:
        logger.error("%s", error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
