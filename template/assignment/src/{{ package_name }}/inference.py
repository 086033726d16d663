"""Turn feature records into predictions with a loaded model.

Shared by the API and the web app, so both answer exactly alike. This is the
serving path, so it does only what a prediction needs: the records become
one NumPy matrix in the model's feature order (no pandas frame; a plain
float matrix when every feature is a number without gaps), and a classifier
runs once, for the class probabilities, whose largest value gives the class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sklearn
from sklearn.base import is_classifier

from .features import (
    Feature,
    FeatureTable,
    Kind,
    Value,
    matrix_from_records,
    unseen_categories,
)
from .model_io import LoadedModel


class PredictionInputError(ValueError):
    """Raised when records do not hold the model's features, of their kinds."""


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one record.

    Attributes:
        prediction: The predicted class name, or the predicted value.
        probabilities: Probability of every class (classifiers only).
        notes: What the model was not trained for in this record (an
            unseen category), as sentences.
    """

    prediction: str | float
    probabilities: dict[str, float] | None = None
    notes: tuple[str, ...] = ()


def finite(value: float) -> bool:
    """Whether a number is a finite float; a whole number too large for one is not."""
    try:
        return math.isfinite(value)
    except OverflowError:  # a JSON integer of hundreds of digits
        return False


def value_problem(feature: Feature, value: Value) -> str:
    """Say why ``value`` does not fit ``feature`` (empty when it does)."""
    if value is None:
        return "" if feature.nullable else "a value is required"
    if feature.kind is Kind.BOOLEAN:
        return "" if isinstance(value, bool) else "must be true or false"
    if feature.kind is Kind.CATEGORY:
        return "" if isinstance(value, str) else "must be a string (a category)"
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not finite(value)
    ):
        return "must be a finite number"
    if feature.kind is Kind.INTEGER and value != int(value):
        return "must be a whole number"
    return ""


def check_records(table: FeatureTable, records: Sequence[Mapping[str, Value]]) -> None:
    """Refuse records whose fields or values do not fit the feature table.

    Raises:
        PredictionInputError: Naming the record, the field and the rule.
    """
    expected = set(table.names)
    for index, record in enumerate(records):
        if record.keys() != expected:
            missing = sorted(expected - set(record))
            extra = sorted(set(record) - expected)
            raise PredictionInputError(
                f"Record {index} does not match the model's features "
                f"(missing: {missing}, unexpected: {extra})."
            )
        for feature in table.features:
            problem = value_problem(feature, record[feature.name])
            if problem:
                raise PredictionInputError(
                    f"Record {index}, {feature.name}: {problem}, "
                    f"not {record[feature.name]!r}."
                )


def predict_records(
    model: LoadedModel, records: Sequence[Mapping[str, Value]]
) -> list[Prediction]:
    """Predict every record; classifiers also give class probabilities.

    Raises:
        PredictionInputError: If a record does not fit the model's features.
    """
    table = model.features
    check_records(table, records)
    matrix = matrix_from_records(table, records)
    notes = [tuple(unseen_categories(table, record)) for record in records]
    # The values were checked above, so scikit-learn need not check them again.
    with sklearn.config_context(assume_finite=table.plain_numbers):
        if not is_classifier(model.pipeline):
            values = model.pipeline.predict(matrix)
            return [
                Prediction(prediction=float(value), notes=note)
                for value, note in zip(values, notes, strict=True)
            ]
        probabilities = model.pipeline.predict_proba(matrix)
    classes = [str(name) for name in model.pipeline.classes_]
    return [
        Prediction(
            prediction=classes[int(row.argmax())],
            probabilities=dict(zip(classes, row.tolist(), strict=True)),
            notes=note,
        )
        for row, note in zip(probabilities, notes, strict=True)
    ]
