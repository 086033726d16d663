"""Check and describe the student's own table (``dataset=file``) for Copier.

An assignment can train on a table of the student's instead of a dataset
bundled with scikit-learn: ``data_file`` is the path to a ``.csv`` or
``.parquet`` file and ``target`` the column to predict. This module checks
both answers at copy time and computes what the templates render from them:

- ``data_file_problem`` and ``target_problem`` are Copier validators: an
  empty string for a good answer, else one sentence naming the question, the
  rule and a valid example. They check only on ``copy``: by ``copier update``
  the student's original file may be gone (the assignment keeps its copy in
  ``data/``), and Copier re-validates the recorded answers then.
- ``data_file_name`` and ``data_format`` give the values of ``data_source``
  and ``data_format``; ``data_file_path`` the absolute path the copy task is
  given. (The project finds a CSV's separator itself when it reads it.)

Copier's own Python has neither pandas nor pyarrow, so everything here is
standard library. A CSV is streamed through :mod:`csv` (quoted line breaks
count right, and a 100 MB table is never held in memory at once); a Parquet
file is described by its footer, the Thrift compact-protocol ``FileMetaData``
(column names, row count and per-row-group column statistics), which
:class:`CompactReader` decodes.

Copier 9.19 gives ``_copier_operation`` to ``_exclude``, ``_tasks`` and
``_migrations`` only: a validator that renders it fails as undefined.
:class:`CopierOperation` fills it in for every render from the context
variable Copier itself sets it from, so validators can tell a copy from an
update; a Copier that provides it natively keeps its own value.
"""

from __future__ import annotations

import codecs
import csv
import functools
import itertools
import json
import os
import shlex
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from copier_template_extensions import ContextHook
from jinja2 import Environment
from jinja2.ext import Extension

FORMATS = {".csv": "csv", ".parquet": "parquet"}
SEPARATORS = (",", ";", "\t", "|")  # detected in this order of preference
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
MIN_COLUMNS = 2
MIN_ROWS = 20
SNIFF_BYTES = 64 * 1024  # what the separator is detected from
SNIFF_RECORDS = 50
CHUNK_BYTES = 1024 * 1024
SHOWN_COLUMNS = 8  # columns a message lists before "(N in all)"
FILE_EXAMPLE = "~/Downloads/churn.csv"
HEADER_EXAMPLE = "age,income,churn"

# The strings pandas reads as missing by default (``read_csv``'s na_values):
# the generated project loads the table with pandas, so a target "value"
# among these is no value at all.
MISSING_VALUES = frozenset(
    {
        "",
        "#N/A",
        "#N/A N/A",
        "#NA",
        "-1.#IND",
        "-1.#QNAN",
        "-NaN",
        "-nan",
        "1.#IND",
        "1.#QNAN",
        "<NA>",
        "N/A",
        "NA",
        "NULL",
        "NaN",
        "None",
        "n/a",
        "nan",
        "null",
    }
)

# Unicode categories that cannot stand in a one-line answer (naming.py's rule).
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})


class TableError(Exception):
    """A table that cannot be used; the message completes ``data_file '<path>' ...``."""


@dataclass(frozen=True)
class Table:
    """What the checks need to know about a readable table."""

    columns: tuple[str, ...]
    rows: int  # data rows: non-blank records below the header
    lines: int = 0  # a CSV's lines (more than its rows when values span lines)


# ---------------------------------------------------------------------------
# Paths and formats
# ---------------------------------------------------------------------------
def resolve(path: str) -> Path:
    """The file an answer names: ``~`` expanded, relative to the working folder."""
    return Path(os.path.expanduser(path))


def data_file_path(path: str) -> str:
    """The absolute path an answer names, for the task that copies the file.

    Copier renders in the folder it was started from, where a relative
    answer makes sense; its tasks run in the new project.
    """
    return str(resolve(path).absolute())


def data_file_name(path: str) -> str:
    """The file's name, kept in the assignment as ``data/<name>``."""
    return resolve(path).name


def data_format(path: str) -> str:
    """``csv`` or ``parquet`` from the suffix (any case); ``""`` for another."""
    return FORMATS.get(resolve(path).suffix.lower(), "")


def quoted(path: str) -> str:
    """The answer as a message shows it: in single quotes."""
    return f"'{path}'"


def shell_path(file: Path) -> str:
    """``file`` as a shell command takes it (``~`` already expanded)."""
    return shlex.quote(str(file))


# ---------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------
def sample_lines(file: Path) -> list[str]:
    """The first complete lines of ``file`` (at most :data:`SNIFF_BYTES`)."""
    with file.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
        complete = len(head) < SNIFF_BYTES
    text = head.decode("utf-8-sig", errors="replace")
    if not complete and "\n" in text:
        text = text[: text.rindex("\n") + 1]
    return text.splitlines(keepends=True)


def separator_score(lines: list[str], separator: str) -> tuple[bool, int, int]:
    """How well ``separator`` splits the sample: (2+ columns, rows that fit, width)."""
    try:
        rows = csv.reader(lines, delimiter=separator)
        records = list(itertools.islice(filter(None, rows), SNIFF_RECORDS))
    except csv.Error:
        return (False, 0, 0)
    if not records:
        return (False, 0, 0)
    width = len(records[0])
    fitting = sum(len(row) == width for row in records[1:])
    return (width >= MIN_COLUMNS, fitting, width)


def detect_separator(file: Path) -> str:
    """The CSV's delimiter among ``,`` ``;`` tab ``|``: the one that splits best.

    Best means: a header of at least two columns, the most sampled rows as
    wide as the header, then the widest header; ties go to the earlier of
    :data:`SEPARATORS`. A file that cannot be read gets ``,``.
    """
    try:
        lines = sample_lines(file)
    except OSError:
        return ","
    scores = {sep: separator_score(lines, sep) for sep in SEPARATORS}
    return max(SEPARATORS, key=lambda sep: (scores[sep], -SEPARATORS.index(sep)))


def first_invalid_utf8(file: Path) -> tuple[int, int, int] | None:
    """Where ``file`` stops being UTF-8: (byte value, line, byte offset), or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, newlines = 0, 0
    with file.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                # error.object is the decoder's pending bytes (an unfinished
                # character, never a newline) followed by this chunk.
                pending = len(error.object) - len(chunk)
                line = newlines + error.object[: error.start].count(b"\n") + 1
                return error.object[error.start], line, offset - pending + error.start
            if not chunk:
                return None
            offset += len(chunk)
            newlines += chunk.count(b"\n")


def not_utf8(file: Path) -> TableError:
    """The error for a CSV that is not UTF-8, naming the first bad byte.

    The conversion shown starts from Latin-1 (what most spreadsheets export
    as "CSV" outside UTF-8), or UTF-16 when the file starts with its mark.
    """
    found = first_invalid_utf8(file)
    where = (
        f" (byte 0x{found[0]:02X} on line {found[1]}, offset {found[2]})"
        if found
        else ""
    )
    with file.open("rb") as handle:
        utf16 = handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    converted = file.with_name(f"{file.stem}-utf8{file.suffix}")
    return TableError(
        f"is not UTF-8 text{where}; convert it first, for example: "
        f"iconv -f {'utf-16' if utf16 else 'latin1'} -t utf-8 {shell_path(file)} "
        f"> {shell_path(converted)}"
    )


def csv_records(file: Path, separator: str) -> Iterator[tuple[int, list[str]]]:
    """Stream the CSV's non-blank records with the line each ends on.

    Raises:
        UnicodeDecodeError: The file is not UTF-8.
        TableError: The csv module cannot parse a record.
    """
    with file.open("r", encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=separator)
        try:
            for row in reader:
                if row:
                    yield reader.line_num, row
        except csv.Error as error:
            raise TableError(
                f"is not a well-formed CSV (line {reader.line_num}: {error}); "
                "look for a quote that is never closed, or save the table "
                f"again as CSV UTF-8, for example: {HEADER_EXAMPLE} on its "
                "first line"
            ) from None


def quoting_example(separator: str) -> str:
    """A quoted CSV value that contains ``separator``."""
    shown = "<tab>" if separator == "\t" else separator
    return f'"Adult{shown} 1 Egg Stage"'


def read_csv_table(file: Path) -> Table:
    """Read the header and count the data rows of a CSV, checking each row."""
    separator = detect_separator(file)
    header: list[str] | None = None
    rows = line = 0
    try:
        for line, row in csv_records(file, separator):
            if header is None:
                header = row
            elif len(row) > len(header):
                raise TableError(
                    f"has {len(row)} fields on line {line} but {len(header)} "
                    f"columns in its header; quote the values that contain "
                    f"the separator {SEPARATOR_NAMES[separator]}, for example: "
                    f"{quoting_example(separator)}"
                )
            else:
                rows += 1
    except UnicodeDecodeError:
        raise not_utf8(file) from None
    if header is None:
        raise TableError(
            "is empty; a table needs a header line of column names and at "
            f"least {MIN_ROWS} rows below it, for example: {HEADER_EXAMPLE}"
        )
    return Table(tuple(header), rows, line)


# ---------------------------------------------------------------------------
# Parquet
# ---------------------------------------------------------------------------
class CompactReader:
    """Decode Thrift's compact protocol, as Parquet writes its footer.

    :meth:`read_struct` returns a struct as ``{field id: value}``: every field,
    known or not, is decoded by its wire type, so fields this module does not
    use (and those of later Parquet versions) are skipped over correctly.
    Lists and sets become lists, maps dicts, strings and binaries ``bytes``.
    """

    MAX_DEPTH = 64

    def __init__(self, data: bytes) -> None:
        """Read from ``data``, starting at its first byte."""
        self.data = data
        self.position = 0

    def read_byte(self) -> int:
        """One unsigned byte."""
        if self.position >= len(self.data):
            raise TableError("its footer ends too early")
        value = self.data[self.position]
        self.position += 1
        return value

    def read_bytes(self, count: int) -> bytes:
        """``count`` raw bytes."""
        end = self.position + count
        if count < 0 or end > len(self.data):
            raise TableError("its footer ends too early")
        value = self.data[self.position : end]
        self.position = end
        return value

    def read_varint(self) -> int:
        """An unsigned LEB128 integer."""
        result = 0
        for shift in range(0, 70, 7):
            byte = self.read_byte()
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
        raise TableError("its footer holds an integer that is too long")

    def read_zigzag(self) -> int:
        """A signed (zigzag-encoded) integer: i16, i32 or i64."""
        value = self.read_varint()
        return (value >> 1) ^ -(value & 1)

    def read_size(self, minimum_bytes_each: int = 1) -> int:
        """A collection size, refused when the footer cannot hold that many."""
        size = self.read_varint()
        if size * minimum_bytes_each > len(self.data) - self.position:
            raise TableError("its footer declares more items than it holds")
        return size

    def read_value(self, kind: int, depth: int) -> Any:  # noqa: ANN401
        """One value of wire type ``kind`` (a field's or a collection's)."""
        if depth > self.MAX_DEPTH:
            raise TableError("its footer nests too deeply")
        if kind in (1, 2):  # a field's boolean: the type is the value
            return kind == 1
        if kind == 3:
            return struct.unpack("<b", self.read_bytes(1))[0]
        if kind in (4, 5, 6):
            return self.read_zigzag()
        if kind == 7:
            return struct.unpack("<d", self.read_bytes(8))[0]
        if kind == 8:
            return self.read_bytes(self.read_size())
        if kind in (9, 10):
            return self.read_list(depth)
        if kind == 11:
            return self.read_map(depth)
        if kind == 12:
            return self.read_struct(depth + 1)
        raise TableError(f"its footer holds an unknown Thrift type {kind}")

    def read_list(self, depth: int) -> list[Any]:
        """A list or set: size and element type in one byte, then the elements."""
        header = self.read_byte()
        size, kind = header >> 4, header & 0x0F
        if size == 15:
            size = self.read_size()
        if kind in (1, 2):  # booleans in a collection take one byte each
            return [self.read_byte() == 1 for _ in range(size)]
        return [self.read_value(kind, depth + 1) for _ in range(size)]

    def read_map(self, depth: int) -> dict[Any, Any]:
        """A map: its size, then (if any) key and value types in one byte."""
        size = self.read_size(minimum_bytes_each=2)
        if size == 0:
            return {}
        kinds = self.read_byte()
        key_kind, value_kind = kinds >> 4, kinds & 0x0F

        def item(kind: int) -> Any:  # noqa: ANN401
            if kind in (1, 2):
                return self.read_byte() == 1
            return self.read_value(kind, depth + 1)

        return {item(key_kind): item(value_kind) for _ in range(size)}

    def read_struct(self, depth: int = 0) -> dict[int, Any]:
        """A struct: fields (id delta and type in one byte) up to a stop byte."""
        fields: dict[int, Any] = {}
        last_id = 0
        while True:
            header = self.read_byte()
            if header == 0:
                return fields
            delta, kind = header >> 4, header & 0x0F
            field_id = last_id + delta if delta else self.read_zigzag()
            fields[field_id] = self.read_value(kind, depth)
            last_id = field_id


PARQUET_MAGIC = b"PAR1"
ENCRYPTED_MAGIC = b"PARE"

# Field ids of parquet.thrift that are read here.
FILE_SCHEMA, FILE_NUM_ROWS, FILE_ROW_GROUPS, FILE_KEY_VALUES = 2, 3, 4, 5
KEY, VALUE = 1, 2
SCHEMA_NAME, SCHEMA_NUM_CHILDREN = 4, 5
ROW_GROUP_COLUMNS, CHUNK_META_DATA = 1, 3
META_PATH, META_NUM_VALUES, META_STATISTICS = 3, 5, 12
STAT_MAX, STAT_MIN, STAT_NULL_COUNT, STAT_MAX_VALUE, STAT_MIN_VALUE = 1, 2, 3, 5, 6


def read_parquet_footer(file: Path) -> dict[int, Any]:
    """Decode the ``FileMetaData`` at the end of a Parquet file."""
    size = file.stat().st_size
    with file.open("rb") as handle:
        head = handle.read(4)
        if size < 12:
            raise TableError("is too short to be a Parquet file")
        handle.seek(size - 8)
        tail = handle.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] == ENCRYPTED_MAGIC:
            raise TableError("has an encrypted footer, which cannot be checked")
        if head != PARQUET_MAGIC or tail[4:] != PARQUET_MAGIC:
            raise TableError("does not start and end with Parquet's PAR1 marker")
        if length > size - 12:
            raise TableError("declares a footer longer than the file")
        handle.seek(size - 8 - length)
        footer = handle.read(length)
    metadata = CompactReader(footer).read_struct()
    if not isinstance(metadata.get(FILE_SCHEMA), list) or not metadata[FILE_SCHEMA]:
        raise TableError("has no schema in its footer")
    return metadata


def text(value: object) -> str:
    """A Thrift string as text (``bytes`` are UTF-8)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def top_level_columns(schema: list[dict[int, Any]]) -> tuple[str, ...]:
    """The names of the root's children in a flattened, depth-first schema."""

    def subtree_end(index: int) -> int:
        end = index + 1
        for _ in range(schema[index].get(SCHEMA_NUM_CHILDREN, 0) or 0):
            if end >= len(schema):
                raise TableError("has a schema with missing columns")
            end = subtree_end(end)
        return end

    names = []
    index = 1
    for _ in range(schema[0].get(SCHEMA_NUM_CHILDREN, 0) or 0):
        if index >= len(schema):
            raise TableError("has a schema with missing columns")
        names.append(text(schema[index].get(SCHEMA_NAME, b"")))
        index = subtree_end(index)
    return tuple(names)


def pandas_index_columns(metadata: dict[int, Any]) -> set[str]:
    """The columns that pandas stored as a DataFrame's index, not as data.

    ``DataFrame.to_parquet`` writes a non-default index as a column (such as
    ``__index_level_0__``) and names it in the footer's ``pandas`` metadata;
    ``read_parquet`` makes it the index again.
    """
    for pair in metadata.get(FILE_KEY_VALUES) or []:
        if isinstance(pair, dict) and pair.get(KEY) == b"pandas":
            try:
                index = json.loads(pair.get(VALUE) or b"{}").get("index_columns", [])
            except (ValueError, AttributeError):
                return set()
            return {name for name in index if isinstance(name, str)}
    return set()


def read_parquet_table(file: Path) -> Table:
    """Read the column names and row count from a Parquet file's footer."""
    try:
        metadata = read_parquet_footer(file)
        columns = top_level_columns(metadata[FILE_SCHEMA])
        rows = int(metadata.get(FILE_NUM_ROWS, 0) or 0)
    except RecursionError:
        raise TableError("has a schema that nests too deeply") from None
    except (TableError, AttributeError, TypeError, ValueError) as error:
        reason = error if isinstance(error, TableError) else "a malformed footer"
        raise TableError(
            f"is not a readable Parquet file: {reason}; write it again, for "
            "example: df.to_parquet('churn.parquet')"
        ) from None
    index = pandas_index_columns(metadata)
    return Table(tuple(c for c in columns if c not in index), rows)


# ---------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------
@functools.lru_cache(maxsize=8)
def cached_table(file: Path, kind: str, size: int, mtime: int) -> Table:
    """Read a table once per version of the file (validators run repeatedly)."""
    del size, mtime  # part of the cache key only
    if kind == "parquet":
        return read_parquet_table(file)
    return read_csv_table(file)


def read_table(path: str) -> Table:
    """Read the table ``path`` names, or raise :class:`TableError`."""
    file = resolve(path)
    stat = file.stat()
    return cached_table(file, data_format(path), stat.st_size, stat.st_mtime_ns)


def control_character(value: str) -> str | None:
    """The first character of ``value`` that cannot stand in a one-line answer."""
    return next(
        (c for c in value if unicodedata.category(c) in FORBIDDEN_CATEGORIES), None
    )


def path_problem(path: str) -> str:
    """Check that ``path`` names a readable file of a known format."""
    example = f"for example: {FILE_EXAMPLE}."
    if not path.strip():
        return f"data_file must be the path to your .csv or .parquet table; {example}"
    if (bad := control_character(path)) is not None:
        return (
            "data_file must be one line without control characters "
            f"(found U+{ord(bad):04X}); {example}"
        )
    file = resolve(path)
    try:
        is_dir, exists = file.is_dir(), file.exists()
    except OSError as error:
        return (
            f"data_file {quoted(path)} cannot be reached ({error.strerror}); "
            f"give the path to your .csv or .parquet table, {example}"
        )
    if is_dir:
        return (
            f"data_file {quoted(path)} is a folder, not a table; give the path "
            f"of the file inside it, for example: {Path(path) / 'churn.csv'}."
        )
    if not exists:
        return (
            f"data_file {quoted(path)} does not exist (looked for "
            f"{file.absolute()}); give the path to your .csv or .parquet "
            f"table, {example}"
        )
    if not data_format(path):
        suffix = f"ends in '{file.suffix}'" if file.suffix else "has no suffix"
        return (
            f"data_file {quoted(path)} must be a .csv or .parquet file (it "
            f"{suffix}); save the table in one of those formats, {example}"
        )
    if not os.access(file, os.R_OK):
        return (
            f"data_file {quoted(path)} cannot be read (permission denied); "
            f"make it readable, for example: chmod u+r {shell_path(file)}."
        )
    return ""


def header_problem(path: str, table: Table) -> str:
    """Check the header's names and the number of data rows."""
    name = quoted(path)
    if len(table.columns) < MIN_COLUMNS:
        only = f"'{table.columns[0]}'" if table.columns else "none"
        return (
            f"data_file {name} has {len(table.columns)} column in its header "
            f"({only}); a table needs at least {MIN_COLUMNS} (the features and "
            "the target), separated by ',', ';', tab or '|', for example: "
            f"{HEADER_EXAMPLE}."
        )
    unnamed = [i for i, column in enumerate(table.columns, 1) if not column.strip()]
    if unnamed:
        return (
            f"data_file {name} has a column without a name (column "
            f"{unnamed[0]} of the header); name every column, for example: "
            f"{HEADER_EXAMPLE}."
        )
    for index, column in enumerate(table.columns, 1):
        if (bad := control_character(column)) is not None:
            return (
                f"data_file {name} has a column name with a line break or "
                f"control character (column {index}, U+{ord(bad):04X}); keep "
                f"every name on one line, for example: {HEADER_EXAMPLE}."
            )
    seen: set[str] = set()
    duplicates: list[str] = []
    for column in table.columns:
        if column in seen and column not in duplicates:
            duplicates.append(column)
        seen.add(column)
    if duplicates:
        listed = ", ".join(f"'{column}'" for column in duplicates)
        first = duplicates[0]
        return (
            f"data_file {name} names {listed} more than once in its header; "
            f"give every column its own name, for example: {first},{first}_2."
        )
    if table.rows < MIN_ROWS:
        # A quote that is never closed makes the rest of the file one value.
        unclosed = (
            f" (its {table.lines} lines make only {table.rows + 1} records: "
            "look for a quote that is never closed)"
            if table.lines > MIN_ROWS
            else ""
        )
        return (
            f"data_file {name} has {table.rows} data row"
            f"{'' if table.rows == 1 else 's'} below its header{unclosed}; at least "
            f"{MIN_ROWS} are needed to train and test a model, for example: "
            f"a header line such as {HEADER_EXAMPLE} and {MIN_ROWS} lines below it."
        )
    return ""


def data_file_problem(path: str, operation: str) -> str:
    """Copier validator of ``data_file``: ``""`` when the table can be used.

    Checked on ``copy`` only (see the module's docstring): the path names an
    existing, readable ``.csv`` or ``.parquet`` file (``~`` expanded); a CSV
    is UTF-8 (a byte-order mark is fine); the header has at least two
    columns, every one named, no name twice; at least 20 data rows follow.

    Args:
        path: The answer, as typed.
        operation: Copier's ``_copier_operation``: ``copy`` or ``update``.

    Returns:
        ``""``, or one sentence naming the question, the rule and an example.
    """
    if operation != "copy":
        return ""
    if problem := path_problem(path):
        return problem
    try:
        table = read_table(path)
    except TableError as error:
        return f"data_file {quoted(path)} {error}."
    except OSError as error:
        return (
            f"data_file {quoted(path)} cannot be read ({error.strerror}); check "
            f"that the file is there and readable, for example: "
            f"ls -l {shell_path(resolve(path))}."
        )
    return header_problem(path, table)


def listed_columns(columns: tuple[str, ...]) -> str:
    """``'a', 'b', ... (17 in all)``: the first few columns of a header."""
    shown = ", ".join(f"'{column}'" for column in columns[:SHOWN_COLUMNS])
    if len(columns) > SHOWN_COLUMNS:
        shown += f", ... ({len(columns)} in all)"
    return shown


def csv_values(path: str, index: int) -> Iterator[str]:
    """Stream the values of column ``index`` of a CSV (short rows have none)."""
    file = resolve(path)
    rows = csv_records(file, detect_separator(file))
    next(rows, None)  # the header
    for _, row in rows:
        if index < len(row):
            yield row[index]


def csv_distinct_values(path: str, index: int, enough: int = 2) -> list[str]:
    """Up to ``enough`` distinct non-missing values of a CSV column, in order."""
    found: list[str] = []
    for value in csv_values(path, index):
        if value.strip() not in MISSING_VALUES and value not in found:
            found.append(value)
            if len(found) >= enough:
                break
    return found


def parquet_distinct_values(path: str, column: str) -> list[str] | None:
    """What a Parquet footer's statistics say about a column's values.

    Returns up to two distinct values (the minimum and maximum of each row
    group; a number, stored as bytes, shows as ``""``), ``[]`` when every
    value is null, or ``None`` when the column is nested or a row group has
    values but no statistics (nothing can be told without reading the
    pages, which may be compressed in ways the standard library cannot
    read).
    """
    metadata = read_parquet_footer(resolve(path))
    found: list[bytes] = []
    matched = False
    for row_group in metadata.get(FILE_ROW_GROUPS, []) or []:
        for chunk in row_group.get(ROW_GROUP_COLUMNS, []) or []:
            meta = chunk.get(CHUNK_META_DATA) or {}
            if [text(part) for part in meta.get(META_PATH, [])] != [column]:
                continue  # another column, or a nested one (a list, a struct)
            matched = True
            stats = meta.get(META_STATISTICS) or {}
            values = meta.get(META_NUM_VALUES, 0) or 0
            if stats.get(STAT_NULL_COUNT) is not None and (
                stats[STAT_NULL_COUNT] >= values
            ):
                continue  # every value of this row group is null
            low = stats.get(STAT_MIN_VALUE, stats.get(STAT_MIN))
            high = stats.get(STAT_MAX_VALUE, stats.get(STAT_MAX))
            if low is None or high is None:
                return None
            for value in (low, high):
                if value not in found:
                    found.append(value)
    if not matched:
        return None
    return [printable(value) for value in found[:2]]


def printable(value: object) -> str:
    """A statistic as a message shows it: text as it is, numbers' bytes as ``""``."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError:
            return ""
    return str(value) if str(value).isprintable() else ""


def target_problem(target: str, path: str, operation: str) -> str:
    """Copier validator of ``target``: ``""`` when the column can be predicted.

    Checked on ``copy`` only: ``target`` is one of the header's columns and
    holds at least two distinct non-empty values (a CSV's column is streamed
    until two are found; a Parquet file's footer statistics are read). When
    the table itself cannot be read, ``data_file``'s validator says why.

    Args:
        target: The answer, as typed.
        path: The ``data_file`` answer.
        operation: Copier's ``_copier_operation``: ``copy`` or ``update``.

    Returns:
        ``""``, or one sentence naming the question, the rule and an example.
    """
    if operation != "copy" or data_file_problem(path, operation):
        return ""
    table = read_table(path)
    name = data_file_name(path)
    example = f"for example: target={table.columns[-1]}."
    if not target.strip():
        return f"target must name the column of {name} to predict; {example}"
    if target not in table.columns:
        folded = target.strip().casefold()
        near = next((c for c in table.columns if c.strip().casefold() == folded), "")
        if near:
            return (
                f"target '{target}' is not a column of {name} (names are case- "
                f"and space-sensitive: did you mean '{near}'?); for example: "
                f"target={near}."
            )
        return (
            f"target '{target}' is not a column of {name}; its columns are "
            f"{listed_columns(table.columns)}; {example}"
        )
    if data_format(path) == "parquet":
        try:
            found = parquet_distinct_values(path, target)
        except (TableError, AttributeError, TypeError, ValueError):
            found = None
        if found is None:  # no statistics to tell by: accept
            return ""
    else:
        found = csv_distinct_values(path, table.columns.index(target))
    others = tuple(column for column in table.columns if column != target)
    if not found:
        return (
            f"target '{target}' has no values in {name} (every row is empty or "
            f"NA); choose a column that has them, one of "
            f"{listed_columns(others)}."
        )
    if len(found) < 2:
        value = f" ('{found[0]}')" if found[0] else ""
        return (
            f"target '{target}' has a single value{value} in every row "
            f"of {name}, and a model needs at least 2 different values to "
            f"learn from; choose another column, one of {listed_columns(others)}."
        )
    return ""


# ---------------------------------------------------------------------------
# Copier's Jinja environment
# ---------------------------------------------------------------------------
def current_copier_operation() -> str:
    """``copy`` or ``update``, from the context variable Copier sets it in.

    ``""`` when Copier runs no operation (a plain Jinja render) or no longer
    keeps that variable: the validators then check nothing rather than
    refuse an update.
    """
    try:
        from copier._main import _operation
    except ImportError:
        return ""
    return str(_operation.get(""))


class CopierOperation(ContextHook):
    """Context hook: ``_copier_operation`` in every render, validators included."""

    def hook(self, context: dict[str, Any]) -> None:
        """Add ``_copier_operation`` in place unless Copier provided it."""
        context.setdefault("_copier_operation", current_copier_operation())


class DataFileExtension(Extension):
    """Register the data-file filters on a Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        """Add the filters to ``environment``."""
        super().__init__(environment)
        environment.filters.update(
            {
                "data_file_problem": data_file_problem,
                "target_problem": target_problem,
                "data_file_name": data_file_name,
                "data_file_path": data_file_path,
                "data_format": data_format,
            }
        )
