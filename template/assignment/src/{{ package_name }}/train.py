"""Train the model: ``python -m <package>.train``.

Fits a scikit-learn pipeline on the train split with the parameters of
``params.toml``, scores it on the test split, and writes the model folder
(see ``model_io``) to ``MODEL_DIR``: the model, its metadata and metrics, the
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
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from .config import ConfigurationError, Settings, configure_logging
from .data import (
    DATASET_NAME,
    TASK,
    Dataset,
    Task,
    feature_ranges,
    fingerprint,
    load_dataset,
    split_by_params,
)
from .evaluate import compute_metrics
from .model_io import (
    ModelLoadError,
    replace_model_folder,
    save_model,
    save_reference,
    staging_folder,
)
from .params import Params, ParamsError, load_params

logger = logging.getLogger(__name__)


def build_pipeline(task: Task, model_params: Mapping[str, Any]) -> Pipeline:
    """Return an unfitted pipeline: scaling, then a linear model for ``task``.

    Raises:
        ParamsError: If ``model_params`` holds an argument the model lacks.
    """
    try:
        estimator = (
            LogisticRegression(max_iter=1000, **model_params)
            if task is Task.CLASSIFICATION
            else Ridge(**model_params)
        )
    except TypeError as error:
        raise ParamsError(f"train.model: {error}") from error
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


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
        "dataset": DATASET_NAME,
        "task": TASK,
        "data_fingerprint": fingerprint(dataset),
        "git_commit": commit,
        "git_dirty": dirty,
        "params": params.train.model_dump(),
        "plot": plot,
        "feature_names": dataset.feature_names,
        "feature_ranges": feature_ranges(dataset.features),
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


@dataclass(frozen=True)
class TrainedModel:
    """A fitted model and everything its folder holds, still in memory.

    Attributes:
        pipeline: The fitted pipeline.
        metrics: Its scores on the test split.
        metadata: What it was trained on (see :func:`build_metadata`).
        reference: The training values of every feature, for monitoring.
        plot: The evaluation plot, saved as ``metadata["plot"]``.
    """

    pipeline: Pipeline
    metrics: dict[str, float]
    metadata: dict[str, Any]
    reference: dict[str, list[float]]
    plot: Figure


def fit_model(params: Params) -> TrainedModel:
    """Load the data, fit the pipeline on the train split and score it.

    Nothing is written: a bad parameter fails here, before any file or
    tracking run exists.

    Raises:
        ParamsError: If the parameters do not fit the data or the estimator
            (a test split too small for the classes, an argument out of range).
    """
    dataset = load_dataset()
    split = split_by_params(dataset, params)
    pipeline = build_pipeline(TASK, params.train.model)
    logger.info("Training on %d samples", len(split.x_train))
    # Fitted on plain arrays: serving passes arrays in the order of the
    # metadata's feature_names, without building a pandas frame per request.
    try:
        pipeline.fit(split.x_train.to_numpy(), split.y_train)
    except (TypeError, ValueError) as error:
        raise ParamsError(f"train.model: {error}") from error
    predictions = pipeline.predict(split.x_test.to_numpy())
    metrics = compute_metrics(TASK, split.y_test, predictions)
    logger.info("Test metrics: %s", metrics)
    plot, plot_name = plot_results(TASK, split.y_test, predictions)
    return TrainedModel(
        pipeline=pipeline,
        metrics=metrics,
        metadata=build_metadata(dataset, params, plot_name),
        reference=split.x_train.to_dict(orient="list"),
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
    verifies, so a failure keeps the model that was there.
    """
    trained = fit_model(params)
    with staging_folder(settings.model_dir) as staged:
        write_model_folder(trained, staged)
        replace_model_folder(staged, settings.model_dir)
    return trained.metrics


def main() -> None:
    """Train with the settings from the environment and ``params.toml``.

    Expected problems, such as a bad setting or parameter, or a folder that
    cannot be written, end the program with one line (exit code 1) instead
    of a traceback.
    """
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        train(settings, load_params(settings.params_file))
    except (ConfigurationError, ModelLoadError, ParamsError, OSError) as error:
        sys.exit(f"Error: {error}")


if __name__ == "__main__":
    main()
