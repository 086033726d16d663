"""Turn feature records into predictions with a loaded model.

Shared by the API and the web app, so both answer exactly alike. This is the
serving path, so it does only what a prediction needs: the records become
one NumPy matrix in the model's feature order (fixed when the model was
loaded; no pandas frame), and a classifier runs once, for the class
probabilities, whose largest value gives the predicted class.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sklearn
from sklearn.base import is_classifier

from .model_io import LoadedModel


class PredictionInputError(ValueError):
    """Raised when records do not hold exactly the model's features, as numbers."""


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one record.

    Attributes:
        prediction: The predicted class name, or the predicted value.
        probabilities: Probability of every class (classifiers only).
    """

    prediction: str | float
    probabilities: dict[str, float] | None = None


def to_matrix(
    feature_names: Sequence[str], records: Sequence[Mapping[str, float]]
) -> np.ndarray:
    """Arrange records as a matrix: one row each, columns in model order.

    Raises:
        PredictionInputError: If a record misses a feature, has an extra one,
            or holds a value that is not a finite number.
    """
    expected = set(feature_names)
    for index, record in enumerate(records):
        if record.keys() != expected:
            missing = sorted(expected - set(record))
            extra = sorted(set(record) - expected)
            raise PredictionInputError(
                f"Record {index} does not match the model's features "
                f"(missing: {missing}, unexpected: {extra})."
            )
    try:
        matrix = np.array(
            [[record[name] for name in feature_names] for record in records],
            dtype=np.float64,
        )
    except (TypeError, ValueError) as error:
        raise PredictionInputError(f"Features must be numbers: {error}") from error
    if not np.isfinite(matrix).all():
        raise PredictionInputError("Features must be finite numbers.")
    return matrix


def predict_records(
    model: LoadedModel, records: Sequence[Mapping[str, float]]
) -> list[Prediction]:
    """Predict every record; classifiers also give class probabilities."""
    matrix = to_matrix(model.feature_names, records)
    # The matrix was checked above, so scikit-learn need not check it again.
    with sklearn.config_context(assume_finite=True):
        if not is_classifier(model.pipeline):
            values = model.pipeline.predict(matrix)
            return [Prediction(prediction=float(value)) for value in values]
        probabilities = model.pipeline.predict_proba(matrix)
    classes = [str(name) for name in model.pipeline.classes_]
    return [
        Prediction(
            prediction=classes[int(row.argmax())],
            probabilities=dict(zip(classes, row.tolist(), strict=True)),
        )
        for row in probabilities
    ]
