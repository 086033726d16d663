"""Train the model: ``python -m <package>.train`` (or ``task train``).

Fits a scikit-learn pipeline on the train split, scores it on the test split,
and writes the model, its metadata and metrics to ``MODEL_DIR`` and one plot
to ``REPORTS_DIR``.
"""

from __future__ import annotations

import datetime
import logging
import platform
import sys
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
    load_dataset,
    split_dataset,
)
from .evaluate import compute_metrics
from .model_io import save_model

logger = logging.getLogger(__name__)


def build_pipeline(task: Task) -> Pipeline:
    """Return an unfitted pipeline: scaling, then a linear model for ``task``."""
    estimator = (
        LogisticRegression(max_iter=1000) if task is Task.CLASSIFICATION else Ridge()
    )
    return Pipeline([("scale", StandardScaler()), ("model", estimator)])


def plot_results(
    task: Task, y_true: pd.Series, y_pred: np.ndarray, folder: Path
) -> Path:
    """Save a confusion matrix (classification) or predicted-versus-actual plot."""
    folder.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(6, 5), layout="constrained")
    axes = figure.add_subplot()
    if task is Task.CLASSIFICATION:
        ConfusionMatrixDisplay.from_predictions(y_true, y_pred, ax=axes, colorbar=False)
        axes.set_title("Confusion matrix (test split)")
        path = folder / "confusion_matrix.png"
    else:
        axes.scatter(y_true, y_pred, alpha=0.7)
        low, high = float(y_true.min()), float(y_true.max())
        axes.plot([low, high], [low, high], linestyle="--", color="grey")
        axes.set(xlabel="Actual", ylabel="Predicted", title="Predicted vs actual")
        path = folder / "predicted_vs_actual.png"
    figure.savefig(path, dpi=100)
    logger.info("Saved the plot to %s", path)
    return path


def build_metadata(dataset: Dataset) -> dict[str, Any]:
    """Describe what the model was trained on and with which libraries."""
    return {
        "dataset": DATASET_NAME,
        "task": TASK,
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


def train(settings: Settings) -> dict[str, float]:
    """Train, score and save the model; return its test metrics."""
    dataset = load_dataset()
    split = split_dataset(dataset)
    pipeline = build_pipeline(TASK)
    logger.info("Training on %d samples", len(split.x_train))
    pipeline.fit(split.x_train, split.y_train)
    predictions = pipeline.predict(split.x_test)
    metrics = compute_metrics(TASK, split.y_test, predictions)
    logger.info("Test metrics: %s", metrics)
    save_model(pipeline, settings.model_dir, build_metadata(dataset), metrics)
    plot_results(TASK, split.y_test, predictions, settings.reports_dir)
    return metrics


def main() -> None:
    """Train with the settings from the environment.

    Expected problems, such as a bad setting or a folder that cannot be
    written, end the program with one line (exit code 1) instead of a
    traceback.
    """
    try:
        settings = Settings.from_env()
        configure_logging(settings.log_level)
        train(settings)
    except (ConfigurationError, OSError) as error:
        sys.exit(f"Error: {error}")


if __name__ == "__main__":
    main()
