"""Save and load the trained model safely with skops.

A model folder holds:

- ``model.skops``: the fitted scikit-learn pipeline (skops format, not pickle);
- ``metadata.json``: what the model was trained on (data fingerprint, git
  commit, parameters, registry version), with the file's sha256;
- ``metrics.json``: its scores on the test split;
- ``reference.json``: the training values of every feature, which
  monitoring compares live inputs with;
- the evaluation plot named in the metadata (``plot``).

Loading checks the sha256 first, then refuses any type that is neither trusted
by skops by default nor listed in :data:`EXTRA_TRUSTED_TYPES`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import skops.io as sio
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

logger = logging.getLogger(__name__)

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
METRICS_FILE = "metrics.json"
REFERENCE_FILE = "reference.json"

# Fully qualified names of types that skops does not trust by default but that
# this project accepts, for example "mypackage.features.add_ratios". Add a name
# only after reading the code it points to: loading runs that code.
EXTRA_TRUSTED_TYPES: tuple[str, ...] = ()


class ModelLoadError(RuntimeError):
    """Raised when a saved model cannot be loaded."""


class ModelNotFoundError(ModelLoadError):
    """Raised when the model folder holds no trained model yet."""


class ModelIntegrityError(ModelLoadError):
    """Raised when the model file does not match the sha256 in its metadata."""


class UntrustedModelError(ModelLoadError):
    """Raised when the model file contains types that are not allowed."""


@dataclass(frozen=True)
class LoadedModel:
    """A fitted pipeline with its metadata, metrics and feature order.

    Attributes:
        pipeline: The fitted scikit-learn pipeline.
        metadata: What the model was trained on (``metadata.json``).
        metrics: Its scores on the test split (``metrics.json``).
        feature_names: The pipeline's input columns, in order.
    """

    pipeline: Pipeline
    metadata: dict[str, Any]
    metrics: dict[str, float]
    feature_names: tuple[str, ...]


def sha256_of(path: Path) -> str:
    """Return the hex sha256 digest of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_json(path: Path, content: dict[str, Any]) -> None:
    """Write ``content`` as indented JSON."""
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def save_model(
    pipeline: Pipeline,
    model_dir: Path,
    metadata: dict[str, Any],
    metrics: dict[str, float],
) -> Path:
    """Save the pipeline, its metadata (with the file's sha256) and metrics.

    Returns:
        The path of the saved model file.
    """
    model_dir.mkdir(parents=True, exist_ok=True)
    model_path = model_dir / MODEL_FILE
    sio.dump(pipeline, model_path)
    write_json(
        model_dir / METADATA_FILE, {**metadata, "model_sha256": sha256_of(model_path)}
    )
    write_json(model_dir / METRICS_FILE, metrics)
    logger.info("Saved the model to %s", model_path)
    return model_path


def read_json_object(path: Path) -> dict[str, Any]:
    """Read a JSON object, naming the file when it is missing or unusable.

    Raises:
        ModelNotFoundError: If the file does not exist.
        ModelLoadError: If it is unreadable, not JSON, or not a JSON object.
    """
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ModelNotFoundError(
            f"{path} is missing: run `task train` to create the model."
        ) from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelLoadError(
            f"{path} cannot be read ({error}): run `task train` again."
        ) from error
    if not isinstance(content, dict):
        raise ModelLoadError(
            f"{path} must hold a JSON object, not {type(content).__name__}: "
            "run `task train` again."
        )
    return content


def save_reference(model_dir: Path, values: dict[str, list[float]]) -> Path:
    """Save the training values of every feature, for drift monitoring."""
    path = model_dir / REFERENCE_FILE
    path.write_text(json.dumps(values) + "\n", encoding="utf-8")
    return path


def read_reference(model_dir: Path) -> dict[str, list[float]]:
    """Read the training values of every feature saved with the model.

    Raises:
        ModelNotFoundError: If the model folder has no reference file.
        ModelLoadError: If the file is broken or holds other values.
    """
    path = model_dir / REFERENCE_FILE
    reference = read_json_object(path)
    if not all(
        isinstance(values, list) and all(isinstance(v, int | float) for v in values)
        for values in reference.values()
    ):
        raise ModelLoadError(
            f"{path} must map feature names to lists of numbers: "
            "run `task train` again."
        )
    return reference


def read_metrics(path: Path) -> dict[str, float]:
    """Read the metrics file: a JSON object of metric names to numbers.

    Raises:
        ModelLoadError: If the file is missing, broken or holds other values.
    """
    metrics = read_json_object(path)
    if not all(
        isinstance(value, int | float) and not isinstance(value, bool)
        for value in metrics.values()
    ):
        raise ModelLoadError(
            f"{path} must map metric names to numbers: run `task train` again."
        )
    return {name: float(value) for name, value in metrics.items()}


def check_types(model_path: Path) -> list[str]:
    """Return the extra types the file needs, all of them allowed.

    Raises:
        UntrustedModelError: If the file needs a type that is not allowed.
    """
    needed = sio.get_untrusted_types(file=model_path)
    refused = sorted(set(needed) - set(EXTRA_TRUSTED_TYPES))
    if refused:
        raise UntrustedModelError(
            f"{model_path} contains types that are not trusted: {refused}. "
            "Add them to EXTRA_TRUSTED_TYPES in model_io.py only after "
            "reviewing their code."
        )
    return list(needed)


def read_pipeline(model_path: Path) -> Pipeline:
    """Load the skops file and check that it holds a fitted pipeline.

    Raises:
        UntrustedModelError: If the file contains types that are not allowed.
        ModelLoadError: If the file is corrupt or holds something else.
    """
    try:
        pipeline = sio.load(model_path, trusted=check_types(model_path))
    except UntrustedModelError:
        raise
    # A damaged archive makes skops raise many kinds of errors (zipfile,
    # JSON, KeyError, TypeError, ...); each means the same to the caller.
    except Exception as error:
        raise ModelLoadError(
            f"{model_path} is not a readable skops file ({error!r}): "
            "run `task train` again."
        ) from error
    if not isinstance(pipeline, Pipeline):
        raise ModelLoadError(
            f"{model_path} holds a {type(pipeline).__name__}, not a scikit-learn "
            "Pipeline: run `task train` again."
        )
    try:
        check_is_fitted(pipeline)
    except NotFittedError as error:
        raise ModelLoadError(
            f"{model_path} holds a pipeline that was never fitted: "
            "run `task train` again."
        ) from error
    return pipeline


def load_model(model_dir: Path) -> LoadedModel:
    """Load and verify the model saved in ``model_dir``.

    Raises:
        ModelNotFoundError: If no model has been trained into ``model_dir``.
        ModelIntegrityError: If the model file was changed after training.
        UntrustedModelError: If the file contains types that are not allowed.
        ModelLoadError: If a file is unreadable or holds something unexpected.
    """
    model_path = model_dir / MODEL_FILE
    if not model_path.is_file():
        raise ModelNotFoundError(
            f"No model at {model_path}: run `task train` to create it."
        )
    metadata = read_json_object(model_dir / METADATA_FILE)
    metrics = read_metrics(model_dir / METRICS_FILE)
    if sha256_of(model_path) != metadata.get("model_sha256"):
        raise ModelIntegrityError(
            f"{model_path} does not match the sha256 in {METADATA_FILE}: "
            "run `task train` again rather than copying model files by hand."
        )
    pipeline = read_pipeline(model_path)
    names = metadata.get("feature_names")
    if (
        not isinstance(names, list)
        or not all(isinstance(name, str) for name in names)
        or len(names) != pipeline.n_features_in_
    ):
        raise ModelLoadError(
            f"{model_dir / METADATA_FILE} must list the model's "
            f"{pipeline.n_features_in_} feature names: run `task train` again."
        )
    logger.info("Loaded the model from %s", model_path)
    return LoadedModel(
        pipeline=pipeline,
        metadata=metadata,
        metrics=metrics,
        feature_names=tuple(names),
    )
