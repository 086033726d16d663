"""Train the model: ``python -m <package>.train``.

Reads the data of ``params.toml``'s ``[data]`` table, fits a pipeline on
the train split with the ``[train]`` parameters, scores it on the test
split, and writes the model folder (see ``model_io``) to ``MODEL_DIR``: the
model, its metadata (with the feature table, its signature) and metrics,
training values of every feature, and one evaluation plot.
"""

from __future__ import annotations

import datetime
import logging
import platform
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
import skops
from matplotlib.figure import Figure
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from .config import ConfigurationError, Settings, configure_logging
from .data import DataError, Dataset, Task, fingerprint, load_dataset, split_by_params
from .evaluate import compute_metrics
from .features import FeatureTable, matrix_from_frame, to_python
from .model_io import (
    ModelLoadError,
    check_model_dir,
    replace_model_folder,
    save_model,
    save_reference,
    staging_folder,
)
from .params import Params, ParamsError, load_params

logger = logging.getLogger(__name__)

# Training values kept for monitoring and practice traffic: a sample at most
# this large, so that a large table keeps a small model folder.
REFERENCE_ROWS = 5000


# === YOUR MODEL ===========================================================
# This function is yours to change: another estimator, other steps. Keep it
# a scikit-learn Pipeline that takes the matrix of features.matrix_from_frame
# (columns in the feature table's order) and saves with skops.
def build_pipeline(
    task: Task, table: FeatureTable, model_params: Mapping[str, Any]
) -> Pipeline:
    """Return an unfitted pipeline for ``task`` over the features of ``table``.

    Numbers are scaled (gaps filled with the median first); categories are
    one-hot encoded (a missing value is a category of its own; an unseen one
    is none of the known ones). A linear model comes last: logistic
    regression for classes, ridge regression for numbers.

    Raises:
        ParamsError: If ``model_params`` holds an argument the model lacks.
    """
    try:
        estimator = (  # params.toml's max_iter, if given, replaces 1000
            LogisticRegression(**{"max_iter": 1000, **model_params})
            if task is Task.CLASSIFICATION
            else Ridge(**model_params)
        )
    except TypeError as error:
        raise ParamsError(f"train.model: {error}") from error
    if table.plain_numbers:  # the fastest path: no gaps, no categories
        return Pipeline([("scale", StandardScaler()), ("model", estimator)])
    numbers = [i for i, feature in enumerate(table.features) if feature.numeric]
    categories = [i for i, feature in enumerate(table.features) if not feature.numeric]
    numeric = Pipeline(
        [("fill", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
    )
    steps: list[tuple[str, Any, list[int]]] = []
    if numbers:
        steps.append(("numbers", numeric, numbers))
    if categories:
        encoder = OneHotEncoder(handle_unknown="ignore")
        steps.append(("categories", encoder, categories))
    return Pipeline([("prepare", ColumnTransformer(steps)), ("model", estimator)])


def git_revision() -> tuple[str | None, bool | None]:
    """Return the current git commit and whether the work tree has changes.

    ``(None, None)`` outside a git repository (as in a container build).
    """
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "status", "--porcelain"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None, None
    return commit, bool(changes.strip())


def plot_results(
    task: Task, y_true: pd.Series, y_pred: np.ndarray
) -> tuple[Figure, str]:
    """Draw a confusion matrix (classification) or predicted-versus-actual plot.

    Returns:
        The figure and the file name to save it under.
    """
    figure = Figure(figsize=(6, 5), layout="constrained")
    axes = figure.add_subplot()
    if task is Task.CLASSIFICATION:
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=axes, colorbar=False)
        axes.set_title("Confusion matrix (test split)")
        return figure, "confusion_matrix.png"
    axes.scatter(y_true, y_pred, alpha=0.7)
    low, high = float(y_true.min()), float(y_true.max())
    axes.plot([low, high], [low, high], linestyle="--", color="grey")
    axes.set(xlabel="Actual", ylabel="Predicted", title="Predicted vs actual")
    return figure, "predicted_vs_actual.png"


def build_metadata(dataset: Dataset, params: Params, plot: str) -> dict[str, Any]:
    """Describe what the model was trained on, how, and with which libraries."""
    commit, dirty = git_revision()
    return {
        "data_source": params.data.source,
        "target": params.data.target,
        "task": str(dataset.task),
        "data_fingerprint": fingerprint(dataset),
        "git_commit": commit,
        "git_dirty": dirty,
        "params": params.train.model_dump(),
        "plot": plot,
        "feature_names": dataset.feature_names,
        "features": dataset.table.to_json(),
        "target_names": dataset.target_names,
        "library_versions": {
            "python": platform.python_version(),
            "scikit-learn": sklearn.__version__,
            "skops": skops.__version__,
            "numpy": np.__version__,
            "pandas": pd.__version__,
        },
        "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
    }


def reference_values(features: pd.DataFrame, seed: int) -> dict[str, list[Any]]:
    """Training values of every feature (a sample of rows), as JSON values."""
    if len(features) > REFERENCE_ROWS:
        features = features.sample(n=REFERENCE_ROWS, random_state=seed)
    return {
        str(name): [to_python(value) for value in column]
        for name, column in features.items()
    }


@dataclass(frozen=True)
class TrainedModel:
    """A fitted model and everything its folder holds, still in memory.

    Attributes:
        pipeline: The fitted pipeline.
        metrics: Its scores on the test split.
        metadata: What it was trained on (see :func:`build_metadata`).
        reference: Training values of every feature, for monitoring.
        plot: The evaluation plot, saved as ``metadata["plot"]``.
    """

    pipeline: Pipeline
    metrics: dict[str, float]
    metadata: dict[str, Any]
    reference: dict[str, list[Any]]
    plot: Figure


def fit_model(params: Params) -> TrainedModel:
    """Load the data, fit the pipeline on the train split and score it.

    Nothing is written: bad data or a bad parameter fails here, before any
    file or tracking run exists.

    Raises:
        DataError: If the data cannot be read or learned from.
        ParamsError: If the parameters do not fit the data or the estimator
            (a test split too small for the classes, an argument out of range).
    """
    dataset = load_dataset(params.data)
    split = split_by_params(dataset, params)
    pipeline = build_pipeline(dataset.task, dataset.table, params.train.model)
    logger.info("Training on %d samples", len(split.x_train))
    try:
        pipeline.fit(matrix_from_frame(dataset.table, split.x_train), split.y_train)
    except (TypeError, ValueError) as error:
        raise ParamsError(f"train.model: {error}") from error
    predictions = pipeline.predict(matrix_from_frame(dataset.table, split.x_test))
    metrics = compute_metrics(dataset.task, split.y_test, predictions)
    logger.info("Test metrics: %s", metrics)
    plot, plot_name = plot_results(dataset.task, split.y_test, predictions)
    return TrainedModel(
        pipeline=pipeline,
        metrics=metrics,
        metadata=build_metadata(dataset, params, plot_name),
        reference=reference_values(split.x_train, params.train.random_state),
        plot=plot,
    )


def write_model_folder(
    trained: TrainedModel, folder: Path, **extra_metadata: str
) -> None:
    """Write the model folder (see ``model_io``) once, with ``extra_metadata``."""
    trained.plot.savefig(folder / trained.metadata["plot"], dpi=100)
    save_model(
        trained.pipeline,
        folder,
        {**trained.metadata, **extra_metadata},
        trained.metrics,
    )
    save_reference(folder, trained.reference)


def train(settings: Settings, params: Params) -> dict[str, float]:
    """Train, score and save the model folder into ``MODEL_DIR``; return metrics.

    The folder is written beside ``MODEL_DIR`` and swapped in only once it
    verifies, so a failure keeps the model that was there. A ``MODEL_DIR``
    that is not a model folder is refused before anything is fitted.
    """
    check_model_dir(settings.model_dir)
    trained = fit_model(params)
    with staging_folder(settings.model_dir) as staged:
        write_model_folder(trained, staged)
        replace_model_folder(staged, settings.model_dir)
    return trained.metrics


def main() -> None:
    """Train with the settings from the environment and ``params.toml``.

    Expected problems, such as bad data, a bad setting or parameter, or a
    folder that cannot be written, end the program with one line (exit code
    1) instead of a traceback.
    """
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        train(settings, load_params(settings.params_file))
    except (
        ConfigurationError,
        DataError,
        ModelLoadError,
        ParamsError,
        OSError,
    ) as error:
        sys.exit(f"Error: {error}")


if __name__ == "__main__":
    main()
