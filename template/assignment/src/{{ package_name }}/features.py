"""The feature table: what each input column is, inferred from the training data.

One table, inferred once at training time and saved with the model (in
``metadata.json``, its signature), is read by everything that touches the
inputs: the pipeline (which columns to scale, which to encode), the API's
request schema, the web app's inputs, monitoring's tests and the practice
traffic. Nothing else names a column or assumes its kind.

Kinds, from the data (``[data.kinds]`` in ``params.toml`` overrides them):

- ``number``: any real number, within a range widened from the training data;
- ``integer``: a whole number (a column of whole numbers without gaps);
- ``boolean``: true or false;
- ``category``: one of the strings seen in training (an unseen one is
  answered too: the model treats it as none of the known categories).

A feature whose training data has gaps accepts a missing value (``null``),
which the pipeline fills in. Columns the model cannot use as they are
(identifiers, free text, dates, a single value, no values) are left out, and
the table says why and how to keep them.
"""

from __future__ import annotations

import keyword
import math
import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

# Names a request field must not take: the attributes of pydantic's models.
RESERVED_NAMES = frozenset(
    {
        "construct",
        "copy",
        "dict",
        "fields",
        "from_orm",
        "json",
        "parse_file",
        "parse_obj",
        "parse_raw",
        "schema",
        "schema_json",
        "update_forward_refs",
        "validate",
    }
)
# Letters that Unicode does not decompose into ASCII ones.
LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ł": "l", "đ": "d", "þ": "th"}
)
# A column of strings with more distinct values than this, making up more
# than half of its rows, is text or an identifier, not a category.
MAX_CATEGORIES = 50
# A category whose values are longer than this, on average, is free text.
MAX_CATEGORY_LENGTH = 40
# Share of a string column's values that must read as dates to be dates.
DATE_SHARE = 0.9

Value = float | int | bool | str | None


class Kind(StrEnum):
    """What one feature holds."""

    NUMBER = "number"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CATEGORY = "category"


class FeatureError(ValueError):
    """Raised when the data leaves nothing the model can learn from."""


@dataclass(frozen=True)
class Feature:
    """One input of the model.

    Attributes:
        name: Its field name: a Python identifier, used by the API and tests.
        column: Its column's name in the data.
        title: What a person reads (the column's name, or ``[data.titles]``).
        kind: What it holds (see :class:`Kind`).
        nullable: Whether a missing value is accepted (the training data had
            gaps); the pipeline fills it in.
        low: Smallest accepted value (numbers and integers).
        high: Largest accepted value (numbers and integers).
        categories: The categories seen in training, most frequent first.
        example: A typical value: the median, or the most frequent one.
        unit: The unit of a number (``[data.units]``), if known.
    """

    name: str
    column: str
    title: str
    kind: Kind
    nullable: bool
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] = ()
    example: Value = None
    unit: str = ""

    @property
    def numeric(self) -> bool:
        """Whether the model reads it as a number (booleans as 0 and 1)."""
        return self.kind is not Kind.CATEGORY

    def to_json(self) -> dict[str, Any]:
        """The feature as a JSON object (``metadata.json``)."""
        return {
            **asdict(self),
            "kind": str(self.kind),
            "categories": list(self.categories),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Feature:
        """Read a feature written by :meth:`to_json`."""
        return cls(
            name=str(data["name"]),
            column=str(data["column"]),
            title=str(data["title"]),
            kind=Kind(data["kind"]),
            nullable=bool(data["nullable"]),
            low=data["low"],
            high=data["high"],
            categories=tuple(data["categories"]),
            example=data["example"],
            unit=str(data["unit"]),
        )


@dataclass(frozen=True)
class LeftOut:
    """A column the model does not use, and why.

    Attributes:
        column: The column's name in the data.
        reason: Why it was left out, and how to keep it.
    """

    column: str
    reason: str


@dataclass(frozen=True)
class FeatureTable:
    """Every feature of the model, in the model's order, and what was left out."""

    features: tuple[Feature, ...]
    left_out: tuple[LeftOut, ...] = ()
    # Filled in by __post_init__: the categories of each category feature.
    known: Mapping[str, frozenset[str]] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        """Index the known categories, for :func:`unseen_categories`."""
        object.__setattr__(
            self,
            "known",
            {f.name: frozenset(f.categories) for f in self.features if not f.numeric},
        )

    @property
    def names(self) -> tuple[str, ...]:
        """The features' field names, in the model's order."""
        return tuple(feature.name for feature in self.features)

    @cached_property
    def plain_numbers(self) -> bool:
        """Whether every feature is a number that is never missing.

        Such a table is fed to the model as a plain float matrix, the fastest
        path, through a plain scaler.
        """
        return all(f.numeric and not f.nullable for f in self.features)

    def to_json(self) -> dict[str, Any]:
        """The table as a JSON object (``metadata.json``, key ``features``)."""
        return {
            "features": [feature.to_json() for feature in self.features],
            "left_out": [asdict(item) for item in self.left_out],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FeatureTable:
        """Read a table written by :meth:`to_json`."""
        return cls(
            features=tuple(Feature.from_json(item) for item in data["features"]),
            left_out=tuple(LeftOut(**item) for item in data.get("left_out", [])),
        )


def field_name(column: str) -> str:
    """Make a Python identifier of a column name.

    ``"Body Mass (g)"`` -> ``"body_mass_g"``, ``"Über"`` -> ``"uber"``,
    ``"class"`` -> ``"class_"``, ``"2nd"`` -> ``"f_2nd"``.
    """
    letters = unicodedata.normalize("NFKD", column.lower().translate(LETTERS))
    ascii_text = letters.encode("ascii", "ignore")
    name = re.sub(r"[^0-9a-z]+", "_", ascii_text.decode().lower()).strip("_")
    if not name or name[0].isdigit():
        name = f"f_{name}" if name else "feature"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    if name in RESERVED_NAMES or name.startswith("model_"):
        name += "_"
    return name


def field_names(columns: Iterable[str]) -> dict[str, str]:
    """Give every column a distinct field name (``_2``, ``_3``... on a clash)."""
    names: dict[str, str] = {}
    for column in columns:
        name, number = field_name(column), 2
        while name in names.values():
            name = f"{field_name(column)}_{number}"
            number += 1
        names[column] = name
    return names


def widened(low: float, high: float) -> tuple[float, float]:
    """The accepted range: the seen one widened by its span each way.

    A feature never below zero keeps zero as its lower bound.
    """
    span = high - low
    lower = low - span
    if low >= 0:
        lower = max(0.0, lower)
    return float(lower), float(high + span)


def reads_as_dates(values: pd.Series) -> bool:
    """Tell whether most values of a string column are dates."""
    sample = values.dropna().astype(str).head(200)
    if sample.empty or not sample.str.contains(r"\d").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it guesses a format
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= DATE_SHARE)


def as_category(values: pd.Series) -> pd.Series:
    """A column's values as strings, missing values kept as missing."""
    return values.map(lambda value: value if pd.isna(value) else str(value))


def boolean_values(values: pd.Series) -> pd.Series | None:
    """The column as booleans if it holds nothing else, else ``None``."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype("boolean")
    present = values.dropna()
    if present.empty or not present.map(lambda v: isinstance(v, bool)).all():
        return None
    return values.astype("boolean")


def guess_kind(values: pd.Series) -> Kind | str:
    """The kind of a column, or why it is left out (a sentence)."""
    present = values.dropna()
    distinct = present.nunique()
    if present.empty:
        return "every value is missing"
    if distinct == 1:
        return f"it holds a single value ({present.iloc[0]!r})"
    if boolean_values(values) is not None:
        return Kind.BOOLEAN
    if pd.api.types.is_integer_dtype(values):
        if distinct == len(values) and len(values) > MAX_CATEGORIES:
            return "every value is different: an identifier"
        return Kind.INTEGER
    if pd.api.types.is_numeric_dtype(values):
        return Kind.NUMBER
    if reads_as_dates(values):
        return "it holds dates: derive numbers from them in data.read_table()"
    text = as_category(present)
    if distinct > MAX_CATEGORIES and distinct > len(present) / 2:
        return (
            f"{distinct} different values in {len(present)} rows: "
            "free text or an identifier"
        )
    if text.drop_duplicates().str.len().mean() > MAX_CATEGORY_LENGTH:
        return "free text (long values)"
    return Kind.CATEGORY


def describe(
    column: str,
    name: str,
    kind: Kind,
    values: pd.Series,
    titles: Mapping[str, str],
    units: Mapping[str, str],
) -> Feature:
    """The feature of one column of the training data, of a known kind."""
    nullable = bool(values.isna().any())
    title, unit = titles.get(column, column), units.get(column, "")
    if kind is Kind.CATEGORY:
        counts = as_category(values).value_counts()
        categories = tuple(str(category) for category in counts.index)
        return Feature(
            name,
            column,
            title,
            kind,
            nullable,
            categories=categories,
            example=categories[0],
        )
    if kind is Kind.BOOLEAN:
        flags = values.dropna().astype(bool)
        return Feature(
            name, column, title, kind, nullable, example=bool(flags.mode().iloc[0])
        )
    numbers = pd.to_numeric(values, errors="coerce")
    low, high = widened(float(numbers.min()), float(numbers.max()))
    median = float(numbers.median())
    if kind is Kind.INTEGER:
        return Feature(
            name,
            column,
            title,
            kind,
            nullable,
            math.floor(low),
            math.ceil(high),
            example=round(median),
            unit=unit,
        )
    return Feature(
        name, column, title, kind, nullable, low, high, example=median, unit=unit
    )


def infer_table(
    frame: pd.DataFrame,
    kinds: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
) -> FeatureTable:
    """Infer the feature table of the training data's feature columns.

    Args:
        frame: The feature columns, as read (the target left out).
        kinds: A kind (or ``"ignore"``) forced per column (``[data.kinds]``).
        titles: A title per column (``[data.titles]``).
        units: A unit per column (``[data.units]``).

    Raises:
        FeatureError: If no column is left to learn from.
    """
    kinds, titles, units = kinds or {}, titles or {}, units or {}
    names = field_names(str(column) for column in frame.columns)
    features, left_out = [], []
    for column, name in names.items():
        values = frame[column]
        chosen = kinds.get(column)
        if chosen == "ignore":
            left_out.append(LeftOut(column, "[data.kinds] says ignore"))
            continue
        kind = Kind(chosen) if chosen else guess_kind(values)
        if isinstance(kind, Kind):
            features.append(describe(column, name, kind, values, titles, units))
        else:
            left_out.append(
                LeftOut(
                    column,
                    f"{kind}; to use it, give it a kind in [data.kinds] of params.toml "
                    '(for example "category")',
                )
            )
    if not features:
        reasons = "; ".join(f"{item.column!r}: {item.reason}" for item in left_out)
        raise FeatureError(
            f"no column is left to learn from ({reasons or 'no columns'})"
        )
    return FeatureTable(tuple(features), tuple(left_out))


def to_python(value: object) -> Value:
    """A value of a frame as a plain JSON value (NaN and NA become None)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def matrix_from_frame(table: FeatureTable, frame: pd.DataFrame) -> np.ndarray:
    """Arrange a frame of features (field names) as the model's input matrix.

    Float for a table of plain numbers; otherwise an object matrix whose
    numbers are floats (missing: NaN) and whose categories are strings.
    """
    if table.plain_numbers:
        return frame[list(table.names)].to_numpy(dtype=np.float64)
    columns = []
    for feature in table.features:
        values = frame[feature.name]
        if feature.numeric:
            columns.append(
                pd.to_numeric(values.astype("object"), errors="coerce")
                .to_numpy(dtype=np.float64)
                .astype(object)
            )
        else:
            columns.append(as_category(values).to_numpy(dtype=object))
    return (
        np.column_stack(columns) if columns else np.empty((len(frame), 0), dtype=object)
    )


def matrix_from_records(
    table: FeatureTable, records: Sequence[Mapping[str, Value]]
) -> np.ndarray:
    """Arrange records (field name -> value) as the model's input matrix.

    The same matrix as :func:`matrix_from_frame` gives for the same values,
    built without pandas: the serving path.
    """
    names = table.names
    if table.plain_numbers:
        return np.array(
            [[record[name] for name in names] for record in records], dtype=np.float64
        )
    rows = [
        [
            (math.nan if value is None else float(value))
            if feature.numeric
            else (math.nan if value is None else str(value))
            for feature, value in zip(
                table.features, (record[name] for name in names), strict=True
            )
        ]
        for record in records
    ]
    return np.array(rows, dtype=object).reshape(len(records), len(names))


def unseen_categories(table: FeatureTable, record: Mapping[str, Value]) -> list[str]:
    """Say which categories of ``record`` the model never saw in training."""
    return [
        f"{name}: {record[name]!r} was not seen in training (the model treats it "
        "as none of the known categories)"
        for name, known in table.known.items()
        if record[name] is not None and record[name] not in known
    ]


def example_record(table: FeatureTable) -> dict[str, Value]:
    """A typical record: every feature's example value."""
    return {feature.name: feature.example for feature in table.features}
