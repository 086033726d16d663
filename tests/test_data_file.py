"""The student's own table (``dataset=file``): ``extensions/data_file.py``.

The filters run on real public tables (see ``public_tables.py``) and on bad
files written here from them; Copier itself renders the answers of a copy.
"""

from __future__ import annotations

import csv
import json
import shutil
import struct
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path

import copier
import pytest
from jinja2 import Environment

from extensions import data_file
from tests.copier_runs import copier_copy, stored_answers
from tests.public_tables import TARGETS, repeated_table

Tables = Mapping[str, Path]


def penguin_rows(tables: Tables) -> list[list[str]]:
    """penguins.csv as rows, the header first."""
    with tables["penguins"].open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    """Write ``rows`` as a CSV at ``path``."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


# ---------------------------------------------------------------------------
# Real tables are accepted and described
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "target"), sorted(TARGETS.items()))
def test_real_tables_and_their_targets_are_accepted(
    public_tables: Tables, name: str, target: str
) -> None:
    path = str(public_tables[name])

    assert data_file.data_file_problem(path, "copy") == ""
    assert data_file.target_problem(target, path, "copy") == ""


@pytest.mark.parametrize(
    ("name", "columns", "rows", "separator", "table_format"),
    [
        ("penguins", 8, 344, ",", "csv"),
        ("penguins_raw", 17, 344, ",", "csv"),
        ("canadian_senators", 10, 933, ",", "csv"),
        ("modechoice", 9, 840, ";", "csv"),
        ("penguins_parquet", 8, 344, "", "parquet"),
        ("penguins_head_parquet", 8, 10, "", "parquet"),
    ],
)
def test_header_rows_separator_and_format_of_real_tables(
    public_tables: Tables,
    name: str,
    columns: int,
    rows: int,
    separator: str,
    table_format: str,
) -> None:
    path = str(public_tables[name])

    table = data_file.read_table(path)

    assert (len(table.columns), table.rows) == (columns, rows)
    if table_format == "csv":
        assert data_file.detect_separator(Path(path)) == separator
    assert data_file.data_format(path) == table_format


def test_names_with_spaces_and_parentheses_are_read_as_written(
    public_tables: Tables,
) -> None:
    columns = data_file.read_table(str(public_tables["penguins_raw"])).columns

    assert columns[12] == "Body Mass (g)"
    assert "Delta 15 N (o/oo)" in columns


def test_parquet_footer_gives_the_csv_header(public_tables: Tables) -> None:
    from_csv = data_file.read_table(str(public_tables["penguins"]))
    from_parquet = data_file.read_table(str(public_tables["penguins_parquet"]))

    assert from_parquet == data_file.Table(from_csv.columns, 344)


def test_quoted_values_with_commas_and_line_breaks_count_as_one_row(
    public_tables: Tables, tmp_path: Path
) -> None:
    rows = penguin_rows(public_tables)[:31]
    for row in rows[1:]:
        row[1] = f"{row[1]},\nnorth shore"  # quoted: a comma and a new line
    path = write_rows(tmp_path / "multiline.csv", rows)

    table = data_file.read_table(str(path))

    assert table.rows == 30
    assert table.lines == 61
    assert data_file.data_file_problem(str(path), "copy") == ""


@pytest.mark.parametrize(("delimiter", "file_name"), [("\t", "t.CSV"), ("|", "p.csv")])
def test_tab_and_pipe_separators_are_detected(
    public_tables: Tables, tmp_path: Path, delimiter: str, file_name: str
) -> None:
    path = write_rows(tmp_path / file_name, penguin_rows(public_tables), delimiter)

    assert data_file.detect_separator(path) == delimiter
    assert data_file.data_file_problem(str(path), "copy") == ""
    assert data_file.target_problem("island", str(path), "copy") == ""


def test_a_byte_order_mark_is_not_part_of_the_first_name(
    public_tables: Tables, tmp_path: Path
) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + public_tables["penguins"].read_bytes())

    assert data_file.read_table(str(path)).columns[0] == "species"
    assert data_file.target_problem("species", str(path), "copy") == ""


@pytest.mark.parametrize(
    ("answer", "table_format"),
    [
        ("churn.csv", "csv"),
        ("CHURN.CSV", "csv"),
        ("x/churn.Parquet", "parquet"),
        ("churn.xlsx", ""),
        ("churn", ""),
    ],
)
def test_format_comes_from_the_suffix_in_any_case(
    answer: str, table_format: str
) -> None:
    assert data_file.data_format(answer) == table_format


def test_home_is_expanded_in_the_name_and_the_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))

    assert data_file.data_file_name("~/Downloads/churn.csv") == "churn.csv"
    assert data_file.data_file_path("~/Downloads/churn.csv") == str(
        tmp_path / "Downloads" / "churn.csv"
    )


def test_a_table_is_streamed_not_read_whole(
    public_tables: Tables, tmp_path: Path
) -> None:
    big = repeated_table(public_tables["penguins"], tmp_path / "big.csv", 4_000_000)

    tracemalloc.start()
    try:
        problem = data_file.data_file_problem(str(big), "copy")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert problem == ""
    assert peak < 1_000_000, f"{peak} bytes for a 4 MB table"


# ---------------------------------------------------------------------------
# Bad tables: one sentence each, naming the question and the rule
# ---------------------------------------------------------------------------
BadFile = Callable[[Path, Tables], Path]


def header_only(tmp: Path, tables: Tables) -> Path:
    return write_rows(tmp / "header.csv", penguin_rows(tables)[:1])


def nineteen_rows(tmp: Path, tables: Tables) -> Path:
    return write_rows(tmp / "nineteen.csv", penguin_rows(tables)[:20])


def duplicate_names(tmp: Path, tables: Tables) -> Path:
    rows = penguin_rows(tables)
    rows[0][1] = rows[0][3] = "species"
    rows[0][4] = rows[0][5] = "mass"
    return write_rows(tmp / "duplicates.csv", rows)


def unnamed_column(tmp: Path, tables: Tables) -> Path:
    rows = penguin_rows(tables)
    rows[0][2] = " "
    return write_rows(tmp / "unnamed.csv", rows)


def one_column(tmp: Path, tables: Tables) -> Path:
    return write_rows(tmp / "one.csv", [[row[0]] for row in penguin_rows(tables)])


def latin1(tmp: Path, tables: Tables) -> Path:
    text = tables["canadian_senators"].read_text(encoding="utf-8")
    path = tmp / "senators-latin1.csv"
    path.write_bytes(text.encode("latin-1"))
    return path


def empty(tmp: Path, tables: Tables) -> Path:
    path = tmp / "empty.csv"
    path.touch()
    return path


def folder(tmp: Path, tables: Tables) -> Path:
    path = tmp / "tables.csv"
    path.mkdir()
    return path


def missing(tmp: Path, tables: Tables) -> Path:
    return tmp / "missing.csv"


def spreadsheet(tmp: Path, tables: Tables) -> Path:
    path = tmp / "churn.xlsx"
    path.write_bytes(tables["penguins"].read_bytes())
    return path


def wider_row(tmp: Path, tables: Tables) -> Path:
    rows = penguin_rows(tables)
    rows[7] = [*rows[7][:1], "Torgersen", "north", *rows[7][2:]]  # unquoted comma
    return write_rows(tmp / "wider.csv", rows)


def unclosed_quote(tmp: Path, tables: Tables) -> Path:
    path = tmp / "quote.csv"
    lines = tables["penguins"].read_text("utf-8").splitlines(keepends=True)
    lines[5] = lines[5].replace("Torgersen", '"Torgersen', 1)
    path.write_text("".join(lines), "utf-8")
    return path


def csv_named_parquet(tmp: Path, tables: Tables) -> Path:
    path = tmp / "penguins.parquet"
    path.write_bytes(tables["penguins"].read_bytes())
    return path


def truncated_parquet(tmp: Path, tables: Tables) -> Path:
    path = tmp / "truncated.parquet"
    data = tables["penguins_parquet"].read_bytes()
    path.write_bytes(data[:-500] + data[-8:])  # the footer loses its end
    return path


def short_parquet(tmp: Path, tables: Tables) -> Path:
    return tables["penguins_head_parquet"]


BAD_FILES: list[tuple[BadFile, str]] = [
    (header_only, "has 0 data rows below its header; at least 20 are needed"),
    (nineteen_rows, "has 19 data rows below its header"),
    (short_parquet, "has 10 data rows below its header"),
    (duplicate_names, "names 'species', 'mass' more than once in its header"),
    (unnamed_column, "has a column without a name (column 3 of the header)"),
    (one_column, "has 1 column in its header ('species'); a table needs at least 2"),
    (latin1, "is not UTF-8 text (byte 0xE9 on line 11, offset 1787)"),
    (empty, "is empty; a table needs a header line"),
    (folder, "is a folder, not a table"),
    (missing, "does not exist (looked for "),
    (spreadsheet, "must be a .csv or .parquet file (it ends in '.xlsx')"),
    (wider_row, "has 9 fields on line 8 but 8 columns in its header"),
    (unclosed_quote, "look for a quote that is never closed"),
    (csv_named_parquet, "is not a readable Parquet file: does not start and end"),
    (truncated_parquet, "is not a readable Parquet file"),
]


@pytest.mark.parametrize(
    ("bad_file", "rule"),
    [pytest.param(*case, id=case[0].__name__) for case in BAD_FILES],
)
def test_bad_table_gets_one_sentence_naming_the_rule(
    public_tables: Tables, tmp_path: Path, bad_file: BadFile, rule: str
) -> None:
    path = str(bad_file(tmp_path, public_tables))

    message = data_file.data_file_problem(path, "copy")

    assert message.startswith(f"data_file '{path}' ")
    assert rule in message
    assert "for example: " in message
    assert message.endswith(".")
    assert data_file.data_file_problem(path, "update") == ""


def test_latin1_table_is_shown_how_to_convert(
    public_tables: Tables, tmp_path: Path
) -> None:
    path = latin1(tmp_path, public_tables)

    message = data_file.data_file_problem(str(path), "copy")

    assert f"iconv -f latin1 -t utf-8 {path} > {tmp_path}/senators-latin1-utf8.csv" in (
        message
    )


def test_a_line_break_in_the_path_is_refused() -> None:
    message = data_file.data_file_problem("churn\n.csv", "copy")

    assert message.startswith("data_file must be one line")
    assert "U+000A" in message


def test_an_empty_answer_asks_for_a_path() -> None:
    assert data_file.data_file_problem("", "copy") == (
        "data_file must be the path to your .csv or .parquet table; "
        "for example: ~/Downloads/churn.csv."
    )


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------
def test_a_target_not_in_the_header_lists_the_columns(public_tables: Tables) -> None:
    message = data_file.target_problem(
        "Churn", str(public_tables["penguins_raw"]), "copy"
    )

    assert message == (
        "target 'Churn' is not a column of penguins-raw.csv; its columns are "
        "'studyName', 'Sample Number', 'Species', 'Region', 'Island', 'Stage', "
        "'Individual ID', 'Clutch Completion', ... (17 in all); "
        "for example: target=Comments."
    )


def test_a_target_in_the_wrong_case_is_pointed_to_the_right_name(
    public_tables: Tables,
) -> None:
    message = data_file.target_problem(
        "body mass (g) ", str(public_tables["penguins_raw"]), "copy"
    )

    assert "did you mean 'Body Mass (g)'?" in message
    assert message.endswith("for example: target=Body Mass (g).")


def test_an_empty_target_is_refused(public_tables: Tables) -> None:
    message = data_file.target_problem("", str(public_tables["penguins"]), "copy")

    assert message == (
        "target must name the column of penguins.csv to predict; "
        "for example: target=year."
    )


def adelie_csv(tmp: Path, tables: Tables) -> Path:
    rows = penguin_rows(tables)
    return write_rows(
        tmp / "adelie.csv", [rows[0], *(r for r in rows if r[0] == "Adelie")]
    )


def adelie_parquet(tmp: Path, tables: Tables) -> Path:
    return tables["penguins_adelie_parquet"]


def not_available(tmp: Path, tables: Tables) -> Path:
    rows = penguin_rows(tables)
    for row in rows[1:]:
        row[0] = "NA" if len(row[2]) % 2 else ""
    return write_rows(tmp / "unknown.csv", rows)


@pytest.mark.parametrize(
    ("bad_file", "rule"),
    [
        (adelie_csv, "target 'species' has a single value ('Adelie') in every row"),
        (adelie_parquet, "target 'species' has a single value ('Adelie') in every row"),
        (not_available, "target 'species' has no values in unknown.csv"),
    ],
)
def test_a_target_needs_two_distinct_values(
    public_tables: Tables, tmp_path: Path, bad_file: BadFile, rule: str
) -> None:
    path = str(bad_file(tmp_path, public_tables))

    message = data_file.target_problem("species", path, "copy")

    assert message.startswith(rule)
    assert "one of 'island', 'bill_length_mm'" in message
    assert data_file.target_problem("species", path, "update") == ""


def test_boolean_and_accented_columns_are_targets_too(public_tables: Tables) -> None:
    path = str(public_tables["canadian_senators"])

    assert data_file.target_problem("observed", path, "copy") == ""
    assert data_file.target_problem("Name", path, "copy") == ""


def test_nothing_is_checked_during_an_update(tmp_path: Path) -> None:
    gone = str(tmp_path / "gone.csv")

    assert data_file.data_file_problem(gone, "update") == ""
    assert data_file.target_problem("species", gone, "update") == ""
    assert data_file.data_format(gone) == "csv"


# ---------------------------------------------------------------------------
# The Thrift compact protocol of Parquet footers
# ---------------------------------------------------------------------------
def varint(value: int) -> bytes:
    """ULEB128, as the compact protocol writes integers."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def zigzag(value: int) -> bytes:
    return varint((value << 1) ^ (value >> 63))


def binary(data: bytes) -> bytes:
    return varint(len(data)) + data


def field(delta: int, kind: int, payload: bytes = b"") -> bytes:
    return bytes([delta << 4 | kind]) + payload


def test_fields_of_every_wire_type_are_skipped_over() -> None:
    # A struct with a field of every compact type (ids 1-12), as a later
    # Parquet version could add, then one with a long-form id.
    every_type = (
        field(1, 1)  # bool true
        + field(1, 2)  # bool false
        + field(1, 3, b"\xff")  # byte
        + field(1, 4, zigzag(-300))  # i16
        + field(1, 5, zigzag(70000))  # i32
        + field(1, 6, zigzag(-(2**40)))  # i64
        + field(1, 7, struct.pack("<d", 2.5))  # double
        + field(1, 8, binary(b"created by me"))  # binary
        + field(1, 9, bytes([2 << 4 | 5]) + zigzag(1) + zigzag(2))  # list<i32>
        + field(1, 10, bytes([0xF << 4 | 1]) + varint(16) + b"\x01" * 16)  # set<bool>
        + field(1, 11, varint(1) + bytes([8 << 4 | 12]) + binary(b"k") + b"\x00")
        + field(1, 12, field(1, 8, binary(b"nested")) + b"\x00")  # struct
        + field(0, 5)
        + zigzag(40)
        + zigzag(7)  # i32, field id 40 in long form
        + b"\x00"
    )
    root = field(4, 8, binary(b"schema")) + field(1, 5, zigzag(1))
    column = field(4, 8, binary(b"species")) + field(6, 12, every_type)
    footer = (
        field(1, 5, zigzag(2))  # 1: version
        + field(1, 9, bytes([2 << 4 | 12]) + root + b"\x00" + column + b"\x00")
        + field(1, 6, zigzag(344))  # 3: num_rows
        + field(0, 12)
        + zigzag(50)
        + every_type  # an unknown struct, id 50
        + field(1, 8, binary(b"parquet-cpp"))  # 51
        + b"\x00"
    )

    metadata = data_file.CompactReader(footer).read_struct()

    assert data_file.top_level_columns(metadata[2]) == ("species",)
    assert metadata[3] == 344
    assert metadata[51] == b"parquet-cpp"
    values = metadata[50]
    assert values == {
        1: True,
        2: False,
        3: -1,
        4: -300,
        5: 70000,
        6: -(2**40),
        7: 2.5,
        8: b"created by me",
        9: [1, 2],
        10: [True] * 16,
        11: {b"k": {}},
        12: {1: b"nested"},
        40: 7,
    }
    assert metadata[2][1][10] == values


def test_an_index_pandas_stored_as_a_column_is_not_a_column(tmp_path: Path) -> None:
    # DataFrame.to_parquet keeps a filtered frame's index as a column that
    # read_parquet turns back into the index; the footer's "pandas" entry names it.
    def element(name: bytes, children: int = 0) -> bytes:
        count = field(1, 5, zigzag(children)) if children else b""
        return field(4, 8, binary(name)) + count + b"\x00"

    pandas = b'{"index_columns": ["__index_level_0__"], "columns": []}'
    key_value = field(1, 8, binary(b"pandas")) + field(1, 8, binary(pandas)) + b"\x00"
    footer = (
        field(1, 5, zigzag(2))
        + field(1, 9, bytes([3 << 4 | 12]))
        + element(b"schema", 2)
        + element(b"churn")
        + element(b"__index_level_0__")
        + field(1, 6, zigzag(25))  # 3: num_rows
        + field(2, 9, bytes([1 << 4 | 12]) + key_value)  # 5: key_value_metadata
        + b"\x00"
    )
    path = tmp_path / "indexed.parquet"
    path.write_bytes(b"PAR1" + footer + len(footer).to_bytes(4, "little") + b"PAR1")

    assert data_file.read_table(str(path)) == data_file.Table(("churn",), 25)


@pytest.mark.parametrize(
    "footer",
    [b"\x15", b"\x18\x0a", b"\x19\xf5" + varint(1000), b"\x1d\x00"],
    ids=["ends-in-a-field", "binary-too-long", "list-too-long", "unknown-type"],
)
def test_a_malformed_footer_is_a_table_error(footer: bytes) -> None:
    with pytest.raises(data_file.TableError):
        data_file.CompactReader(footer).read_struct()


# ---------------------------------------------------------------------------
# Through Copier: the extension, the answers and the computed values
# ---------------------------------------------------------------------------
def test_the_extension_registers_the_filters(public_tables: Tables) -> None:
    env = Environment(extensions=[data_file.DataFileExtension])
    template = env.from_string(
        "{{ path | data_file_name }} {{ path | data_format }} "
        "[{{ path | data_file_problem('copy') }}]"
    )

    rendered = template.render(path=str(public_tables["modechoice"]))

    assert rendered == "modechoice.csv csv []"


def test_outside_copier_the_operation_is_unknown_and_nothing_is_checked() -> None:
    assert data_file.current_copier_operation() == ""


OPERATION_TEMPLATE = """\
_jinja_extensions: {extensions}
answer:
  type: str
  default: x
  validator: >-
    {{{{ 'operation: ' ~ _copier_operation if _copier_operation is defined
    else 'no operation' }}}}
"""


@pytest.mark.parametrize(
    ("extensions", "seen"),
    [
        pytest.param([], "no operation", id="copier-alone"),
        pytest.param(
            [
                "copier_template_extensions.TemplateExtensionLoader",
                "extensions/data_file.py:CopierOperation",
            ],
            "operation: copy",
            id="with-the-hook",
        ),
    ],
)
def test_validators_see_the_operation_only_through_the_hook(
    tmp_path: Path, extensions: list[str], seen: str
) -> None:
    # Copier renders `_copier_operation` in _exclude, _tasks and _migrations
    # only. Should the first case fail, Copier provides it to validators
    # itself, and CopierOperation (which never overrides it) can go.
    template = tmp_path / "template"
    (template / "extensions").mkdir(parents=True)
    shutil.copy(data_file.__file__, template / "extensions" / "data_file.py")
    (template / "copier.yml").write_text(
        OPERATION_TEMPLATE.format(extensions=json.dumps(extensions))
    )

    with pytest.raises(ValueError, match=f"question 'answer': {seen}$"):
        copier.run_copy(
            str(template), tmp_path / "out", defaults=True, unsafe=True, quiet=True
        )


def computed_values(template: Path, destination: Path, answers: dict) -> dict:
    """The answers and computed values of a real Copier run that writes nothing."""
    worker = copier.run_copy(
        str(template),
        destination,
        data=answers,
        defaults=True,
        unsafe=True,
        quiet=True,
        pretend=True,
        skip_tasks=True,
    )
    return dict(worker.answers.combined)


@pytest.mark.parametrize(
    ("answers", "source", "table_format"),
    [
        pytest.param({"dataset": "iris"}, "sklearn:iris", "bundled", id="iris"),
        pytest.param(
            {"dataset": "diabetes"}, "sklearn:diabetes", "bundled", id="diabetes"
        ),
        pytest.param(
            {"data_file": "penguins", "target": "species"},
            "data/penguins.csv",
            "csv",
            id="penguins-csv",
        ),
        pytest.param(
            {"data_file": "modechoice", "target": "mode"},
            "data/modechoice.csv",
            "csv",
            id="modechoice-semicolons",
        ),
        pytest.param(
            {"data_file": "penguins_parquet", "target": "species"},
            "data/penguins.parquet",
            "parquet",
            id="penguins-parquet",
        ),
    ],
)
def test_computed_values_for_each_kind_of_data(
    template_dir: Path,
    tmp_path: Path,
    public_tables: Tables,
    answers: dict,
    source: str,
    table_format: str,
) -> None:
    if "data_file" in answers:
        table = str(public_tables[answers["data_file"]])
        answers = {"dataset": "file", **answers, "data_file": table}

    values = computed_values(template_dir, tmp_path / "churn-model", answers)

    assert (values["data_source"], values["data_format"]) == (source, table_format)
    assert not (tmp_path / "churn-model").exists()


def test_a_copy_records_the_table_and_target_as_answers(
    template_dir: Path, tmp_path: Path, public_tables: Tables
) -> None:
    destination = tmp_path / "churn-model"
    table = str(public_tables["penguins_raw"])

    copier_copy(
        template_dir,
        destination,
        {"dataset": "file", "data_file": table, "target": "Body Mass (g)"},
        in_process=True,
    )

    answers = stored_answers(destination)
    assert answers["dataset"] == "file"
    assert (answers["data_file"], answers["target"]) == (table, "Body Mass (g)")
    assert not {"data_source", "data_format"} & set(answers)
    assert not (destination / "data" / "penguins-raw.csv").exists()  # a task copies it


def test_a_bundled_dataset_records_no_table(template_dir: Path, tmp_path: Path) -> None:
    destination = tmp_path / "churn-model"

    copier_copy(template_dir, destination, {"dataset": "wine"}, in_process=True)

    assert not {"data_file", "target"} & set(stored_answers(destination))
