"""Turn feature records into predictions with a fitted pipeline.

Shared by the API and the web app, so both answer exactly alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
from sklearn.base import is_classifier
from sklearn.pipeline import Pipeline


class PredictionInputError(ValueError):
    """Raised when records do not have exactly the model's features."""


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one record.

    Attributes:
        prediction: The predicted class name, or the predicted value.
        probabilities: Probability of every class (classifiers only).
    """

    prediction: str | float
    probabilities: dict[str, float] | None = None


def to_frame(
    pipeline: Pipeline, records: Sequence[Mapping[str, float]]
) -> pd.DataFrame:
    """Arrange records as a frame with the model's columns, in its order.

    Raises:
        PredictionInputError: If a record misses a feature or has an extra one.
    """
    expected = list(pipeline.feature_names_in_)
    for index, record in enumerate(records):
        if set(record) != set(expected):
            missing = sorted(set(expected) - set(record))
            extra = sorted(set(record) - set(expected))
            raise PredictionInputError(
                f"Record {index} does not match the model's features "
                f"(missing: {missing}, unexpected: {extra})."
            )
    return pd.DataFrame.from_records(list(records), columns=expected)


def predict_records(
    pipeline: Pipeline, records: Sequence[Mapping[str, float]]
) -> list[Prediction]:
    """Predict every record; classifiers also give class probabilities."""
    frame = to_frame(pipeline, records)
    values = pipeline.predict(frame)
    if not is_classifier(pipeline):
        return [Prediction(prediction=float(value)) for value in values]
    classes = [str(name) for name in pipeline.classes_]
    return [
        Prediction(
            prediction=str(value),
            probabilities=dict(zip(classes, map(float, row), strict=True)),
        )
        for value, row in zip(values, pipeline.predict_proba(frame), strict=True)
    ]
