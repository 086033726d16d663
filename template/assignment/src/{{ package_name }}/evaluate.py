"""Score models: the metrics of a task, and ``python -m <package>.evaluate``.

Classification is scored by accuracy and macro F1, regression by RMSE, MAE
and R2. Run as a module, it re-scores the saved model on its test split: the
split made with the parameters the model records (``test_size`` and
``random_state``), whatever ``params.toml`` says now, so that it never
scores the model on rows it was trained on.
"""

from __future__ import annotations

import json
import logging
import sys

import pandas as pd
from pydantic import ValidationError
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    r2_score,
)

from .config import ConfigurationError, Settings, configure_logging
from .data import DataError, Task, load_dataset, split_by_params
from .features import matrix_from_frame
from .model_io import (
    METADATA_FILE,
    MODEL_COMMAND,
    LoadedModel,
    ModelLoadError,
    load_model,
)
from .params import Params, ParamsError, TrainParams, load_params

logger = logging.getLogger(__name__)

# The metric that says best how good a model is, by task (promotion's "auto").
MAIN_METRIC = {Task.CLASSIFICATION: "accuracy", Task.REGRESSION: "r2"}
LOWER_IS_BETTER = frozenset({"rmse", "mae"})


def compute_metrics(
    task: Task, y_true: pd.Series, y_pred: pd.Series
) -> dict[str, float]:
    """Return the metrics of ``task``: accuracy and F1, or RMSE, MAE and R2."""
    if task is Task.CLASSIFICATION:
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "f1_macro": float(f1_score(y_true, y_pred, average="macro")),
        }
    return {
        "rmse": float(mean_squared_error(y_true, y_pred) ** 0.5),
        "mae": float(mean_absolute_error(y_true, y_pred)),
        "r2": float(r2_score(y_true, y_pred)),
    }


def split_params(model: LoadedModel, params: Params) -> Params:
    """``params`` with the [train] values the model was trained with.

    Raises:
        ModelLoadError: If the model's metadata does not record them.
    """
    try:
        trained_with = TrainParams.model_validate(model.metadata["params"])
    except (KeyError, ValidationError) as error:
        raise ModelLoadError(
            f"{METADATA_FILE} does not record the parameters of the model's "
            f"split: run `{MODEL_COMMAND}` again."
        ) from error
    return params.model_copy(update={"train": trained_with})


def evaluate_saved_model(settings: Settings, params: Params) -> dict[str, float]:
    """Load the saved model and score it on its own test split.

    The data is read as ``params`` says; it is split as the model was, with
    the ``test_size`` and ``random_state`` of its metadata.

    Raises:
        DataError: If the data no longer holds the model's features.
        ModelLoadError: If there is no model, or it does not verify.
    """
    model = load_model(settings.model_dir)
    dataset = load_dataset(params.data)
    split = split_by_params(dataset, split_params(model, params))
    try:
        matrix = matrix_from_frame(model.features, split.x_test)
    except KeyError as error:
        raise DataError(
            f"the data no longer has the model's feature {error}: the model was "
            "trained on other data; train it again"
        ) from error
    metrics = compute_metrics(
        dataset.task, split.y_test, model.pipeline.predict(matrix)
    )
    logger.info("Test metrics: %s", metrics)
    return metrics


def main() -> None:
    """Print the saved model's test metrics as JSON.

    Expected problems, such as a missing model, end the program with one line
    that says what to do (exit code 1) instead of a traceback.
    """
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        metrics = evaluate_saved_model(settings, load_params(settings.params_file))
    except (ConfigurationError, DataError, ModelLoadError, ParamsError) as error:
        sys.exit(f"Error: {error}")
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
