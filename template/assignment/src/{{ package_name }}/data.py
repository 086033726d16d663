"""Load the data and split it for training: the one place that reads the data.

``params.toml``'s ``[data]`` table says where the data is (``source``: a
CSV or Parquet file, or ``sklearn:<name>`` for a dataset bundled with
scikit-learn, which nothing downloads), which column is the ``target``, and
optionally the task, columns to ignore, titles, units and kinds.
:func:`read_table` reads it; everything else (the feature table, the model,
the API, the web app, monitoring) follows from the table it returns.
"""

from __future__ import annotations

import csv
import hashlib
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn.datasets
from sklearn.model_selection import train_test_split

from .features import FeatureError, FeatureTable, infer_table
from .params import DataParams, Params, ParamsError

logger = logging.getLogger(__name__)

BUNDLED_PREFIX = "sklearn:"
BUNDLED = ("iris", "wine", "breast_cancer", "diabetes")
# A whole-number target with at most this many values is a class label.
MAX_CLASSES = 20
SEPARATORS = ",;\t|"


class Task(StrEnum):
    """What the model predicts: a class name, or a number."""

    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class DataError(ValueError):
    """Raised when the data cannot be read or cannot be learned from."""


@dataclass(frozen=True)
class Dataset:
    """The features and target of the data, as the model sees them.

    Attributes:
        features: One row per sample, one column per feature, named by the
            feature table's field names, in its order.
        target: The class name (classification) or value (regression) of
            every sample.
        task: Classification or regression.
        table: What each feature is (see ``features.py``).
        target_names: The class names, sorted (empty for regression).
    """

    features: pd.DataFrame
    target: pd.Series
    task: Task
    table: FeatureTable
    target_names: list[str]

    @property
    def feature_names(self) -> list[str]:
        """Names of the feature columns, in model order."""
        return list(self.features.columns)


@dataclass(frozen=True)
class Split:
    """Train and test parts of a dataset."""

    x_train: pd.DataFrame
    x_test: pd.DataFrame
    y_train: pd.Series
    y_test: pd.Series


def read_bundled(name: str) -> pd.DataFrame:
    """Read a dataset bundled with scikit-learn, class names as the target."""
    if name not in BUNDLED:
        raise DataError(
            f"data.source: {BUNDLED_PREFIX}{name} is not a bundled dataset; "
            f"use one of {', '.join(BUNDLED_PREFIX + n for n in BUNDLED)}"
        )
    bunch = getattr(sklearn.datasets, f"load_{name}")(as_frame=True)
    frame = bunch.frame
    if name != "diabetes":  # a classification: name the classes
        frame["target"] = frame["target"].map(dict(enumerate(bunch.target_names)))
    return frame


def detect_separator(path: Path, encoding: str) -> str:
    """Find the separator of a CSV file from its first lines (``,`` if unsure)."""
    with path.open(encoding=encoding, errors="replace", newline="") as file:
        sample = file.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:
        return ","


def refuse_duplicate_names(path: Path, separator: str, encoding: str) -> None:
    """Refuse a CSV header that names a column twice (pandas would rename one).

    Raises:
        DataError: Naming the duplicated columns.
    """
    with path.open(encoding=encoding, newline="") as file:
        header = next(csv.reader(file, delimiter=separator), [])
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise DataError(
            f"{path} names these columns more than once: {duplicated}; "
            "give every column its own name"
        )


def read_file(path: Path, config: DataParams) -> pd.DataFrame:
    """Read a CSV or Parquet file, saying in one line what is wrong with it."""
    if not path.is_file():
        raise DataError(f"data.source: {path} is not a file; check params.toml")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise DataError(f"data.source: {path} must be a .csv or .parquet file")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        separator = config.separator or detect_separator(path, config.encoding)
        refuse_duplicate_names(path, separator, config.encoding)
        return pd.read_csv(path, sep=separator, encoding=config.encoding)
    except ImportError as error:
        raise DataError(
            f"reading {path.name} needs a library that is not installed "
            f"({error.name}): run `uv add pyarrow`"
        ) from error
    except UnicodeDecodeError as error:
        byte = error.object[error.start]
        raise DataError(
            f"{path} is not {config.encoding} text (byte {byte:#x} at position "
            f"{error.start}): save it as UTF-8, or set "
            'data.encoding (for example "latin-1") in params.toml'
        ) from error
    except (
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        OSError,
        ValueError,
    ) as error:
        raise DataError(f"{path} cannot be read as a table: {error}") from error


# === YOUR DATA ============================================================
# This function is yours to change: read another format, join two tables,
# derive numbers from a date column, drop rows. Whatever it returns goes
# through the same checks, and the model, API, web app and monitoring follow.
def read_table(config: DataParams) -> pd.DataFrame:
    """Read the raw table that ``[data] source`` names, target column included."""
    if config.source.startswith(BUNDLED_PREFIX):
        return read_bundled(config.source.removeprefix(BUNDLED_PREFIX))
    return read_file(Path(config.source), config)


def infer_task(target: pd.Series, forced: str) -> Task:
    """Classification or regression: as ``forced``, else from the target."""
    if forced != "auto":
        return Task(forced)
    numeric = pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(
        target
    )
    if not numeric:
        return Task.CLASSIFICATION
    integral = bool((target == target.round()).all())
    few = target.nunique() <= MAX_CLASSES
    return Task.CLASSIFICATION if integral and few else Task.REGRESSION


def checked_classes(target: pd.Series, column: str) -> pd.Series:
    """The target as class names, refusing classes too small to split."""
    classes = target.map(str)
    counts = classes.value_counts()
    if len(counts) < 2:
        raise DataError(
            f"data.target: {column!r} holds one class only ({counts.index[0]!r}): "
            "there is nothing to tell apart"
        )
    lonely = sorted(counts[counts < 2].index)
    if lonely:
        raise DataError(
            f"data.target: {column!r} has classes with a single row ({lonely}): "
            "too few to learn and test; drop them in data.read_table() or set "
            'data.task = "regression" if the target is a number'
        )
    return classes


def load_dataset(config: DataParams) -> Dataset:
    """Read the data, infer its feature table and check it can be learned from.

    Raises:
        DataError: If the data cannot be read, the target is missing or
            unusable, or no column is left to learn from.
    """
    frame = read_table(config)
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise DataError(f"the data has duplicate column names: {duplicated}")
    if config.target not in frame.columns:
        columns = ", ".join(repr(str(column)) for column in frame.columns[:12])
        raise DataError(
            f"data.target: {config.target!r} is not a column of the data; "
            f"its columns: {columns}"
        )
    unknown = sorted(set(config.ignore) - set(frame.columns))
    if unknown:
        raise DataError(f"data.ignore: {unknown} are not columns of the data")
    missing_target = frame[config.target].isna()
    if missing_target.any():
        logger.warning(
            "Left out %d rows without a target value", int(missing_target.sum())
        )
        frame = frame[~missing_target]
    if len(frame) < 2:
        raise DataError(f"the data has {len(frame)} rows with a target: too few")
    task = infer_task(frame[config.target], config.task)
    target = frame[config.target]
    if task is Task.CLASSIFICATION:
        target = checked_classes(target, config.target)
    try:
        table = infer_table(
            frame.drop(columns=[config.target, *config.ignore]),
            config.kinds,
            config.titles,
            config.units,
        )
    except FeatureError as error:
        raise DataError(f"the data: {error}") from error
    for item in table.left_out:
        logger.warning("Left out the column %r: %s", item.column, item.reason)
    features = frame[[f.column for f in table.features]].set_axis(
        list(table.names), axis="columns"
    )
    logger.info(
        "Loaded %s: %d samples, %d features, %s",
        config.source,
        len(features),
        len(table.features),
        task,
    )
    return Dataset(
        features=features.reset_index(drop=True),
        target=target.rename("target").reset_index(drop=True),
        task=task,
        table=table,
        target_names=sorted(target.unique()) if task is Task.CLASSIFICATION else [],
    )


def fingerprint(dataset: Dataset) -> str:
    """Return a sha256 of the features and target: the data's identity.

    Logged with every trained model, so that a model can be traced back to
    exactly the data it learned from. It reads one column at a time, in
    memory proportional to a column.
    """
    digest = hashlib.sha256()
    columns = [*dataset.features.items(), ("target", dataset.target)]
    for name, column in columns:
        digest.update(f"{name}\x1e".encode())
        values = column.to_numpy()
        if values.dtype.kind in "biuf":  # numbers: their bytes
            digest.update(np.ascontiguousarray(values).tobytes())
        else:  # anything else: its text
            digest.update("\x1f".join(map(str, values)).encode())
    return digest.hexdigest()


def split_dataset(dataset: Dataset, test_size: float, seed: int) -> Split:
    """Split into train and test parts, reproducibly (fixed ``seed``)."""
    x_train, x_test, y_train, y_test = train_test_split(
        dataset.features,
        dataset.target,
        test_size=test_size,
        random_state=seed,
        stratify=dataset.target if dataset.task is Task.CLASSIFICATION else None,
    )
    return Split(x_train=x_train, x_test=x_test, y_train=y_train, y_test=y_test)


def split_by_params(dataset: Dataset, params: Params) -> Split:
    """Split ``dataset`` as the [train] table of ``params.toml`` says.

    Raises:
        ParamsError: If the split cannot be made (a test share too small to
            hold every class, for example).
    """
    try:
        return split_dataset(
            dataset, test_size=params.train.test_size, seed=params.train.random_state
        )
    except ValueError as error:
        raise ParamsError(f"train.test_size: {error}") from error
