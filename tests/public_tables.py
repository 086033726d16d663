"""Real public tables for the tests of ``dataset=file``, installed from PyPI.

Three packages ship small, well-known tables inside their wheels, so the
tests use real data without any download at run time (uv's cache serves the
wheels after the first session):

- ``palmerpenguins==0.1.6``: ``penguins.csv`` (344 rows, 8 columns, target
  ``species``) and ``penguins-raw.csv`` (344 rows, 17 columns whose names
  have spaces and parentheses, target ``Body Mass (g)``);
- ``lifelines==0.30.3``: ``canadian_senators.csv`` (933 rows, target
  ``diff_days``, a boolean ``observed`` column, accented names, quoted
  commas);
- ``statsmodels==0.15.0``: ``modechoice.csv`` (840 rows, separated by ``;``).

They are installed with ``--no-deps``: only the data files are used. The
Parquet tables are written from ``penguins.csv`` by pyarrow, run through
``uv run --with pyarrow`` (an environment uv caches) rather than installed
into this test environment: the template's own code must never need it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.processes import exclusive, run

PACKAGES = ("palmerpenguins==0.1.6", "lifelines==0.30.3", "statsmodels==0.15.0")
PYARROW = "pyarrow==26.0.1"

# name -> path inside the installed packages, and the column to predict.
CSV_TABLES = {
    "penguins": "palmerpenguins/data/penguins.csv",
    "penguins_raw": "palmerpenguins/data/penguins-raw.csv",
    "canadian_senators": "lifelines/datasets/canadian_senators.csv",
    "modechoice": "statsmodels/datasets/modechoice/modechoice.csv",
}
# name -> file written by pyarrow from penguins.csv, and how.
PARQUET_TABLES = {
    # Four row groups of 100 rows: the first two hold Adelie penguins only.
    "penguins_parquet": ("penguins.parquet", {"row_group_size": 100}),
    # The 152 Adelie penguins: `species` has one value.
    "penguins_adelie_parquet": ("penguins-adelie.parquet", {"species": "Adelie"}),
    # The first 10 penguins: too few rows.
    "penguins_head_parquet": ("penguins-head.parquet", {"head": 10}),
    # No column statistics in the footer (write_statistics=False).
    "penguins_no_statistics_parquet": (
        "penguins-no-statistics.parquet",
        {"write_statistics": False},
    ),
}
TARGETS = {
    "penguins": "species",
    "penguins_raw": "Body Mass (g)",
    "canadian_senators": "diff_days",
    "modechoice": "mode",
    "penguins_parquet": "species",
    "penguins_no_statistics_parquet": "species",
}

# Run with pyarrow: read penguins.csv ("NA" is missing, as pandas reads it)
# and write each Parquet table described by the JSON argument.
PARQUET_WRITER = """
import json, sys
import pyarrow.compute as pc
import pyarrow.csv as csv
import pyarrow.parquet as pq

source, tables = sys.argv[1], json.loads(sys.argv[2])
options = csv.ConvertOptions(strings_can_be_null=True)
penguins = csv.read_csv(source, convert_options=options)
for target, how in tables.items():
    table = penguins
    if "species" in how:
        table = table.filter(pc.equal(table["species"], how["species"]))
    if "head" in how:
        table = table.slice(0, how["head"])
    pq.write_table(
        table,
        target,
        row_group_size=how.get("row_group_size"),
        write_statistics=how.get("write_statistics", True),
    )
"""


def install_public_tables(folder: Path) -> None:
    """Install the packages into ``folder/site`` and write the Parquet tables."""
    site = folder / "site"
    run(
        ["uv", "pip", "install", "--quiet", "--target", site, "--no-deps", *PACKAGES],
        folder,
    )
    parquet = folder / "parquet"
    parquet.mkdir(exist_ok=True)
    tables = {str(parquet / name): how for name, how in PARQUET_TABLES.values()}
    run(
        [
            "uv",
            "run",
            "--quiet",
            "--no-project",
            "--isolated",
            "--with",
            PYARROW,
            "python",
            "-c",
            PARQUET_WRITER,
            site / CSV_TABLES["penguins"],
            json.dumps(tables),
        ],
        folder,
    )


def table_paths(folder: Path) -> dict[str, Path]:
    """Every public table by name (see :data:`CSV_TABLES`, :data:`PARQUET_TABLES`)."""
    paths = {name: folder / "site" / path for name, path in CSV_TABLES.items()}
    paths |= {
        name: folder / "parquet" / file for name, (file, _) in PARQUET_TABLES.items()
    }
    return paths


def installed_tables(shared_dir: Path) -> Mapping[str, Path]:
    """The real public tables, installed once per session for every xdist worker.

    Read-only: copy a table before changing it.
    """
    folder = shared_dir / "public-tables"
    with exclusive(shared_dir / "public-tables.lock"):
        if not (folder / "done").exists():
            folder.mkdir(parents=True, exist_ok=True)
            install_public_tables(folder)
            (folder / "done").touch()
    return table_paths(folder)


def repeated_table(source: Path, destination: Path, min_bytes: int) -> Path:
    """Write ``source``'s header and then its rows again and again.

    Stops at the first whole copy of the rows that takes the file past
    ``min_bytes``: a real table, only longer.
    """
    header, _, rows = source.read_bytes().partition(b"\n")
    if not rows.endswith(b"\n"):
        rows += b"\n"
    with destination.open("wb") as out:
        out.write(header + b"\n")
        written = len(header) + 1
        while written <= min_bytes:
            out.write(rows)
            written += len(rows)
    return destination
