"""Runtime configuration, read from environment variables.

Every setting has a sensible default, so the project runs without any
configuration; `.env.example` documents the variables you can set.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ConfigurationError(ValueError):
    """Raised when an environment variable holds a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    """Paths and options of the project.

    Attributes:
        model_dir: Folder holding the trained model and its metadata.
        reports_dir: Folder for plots and other reports.
        log_level: Name of the logging level, such as ``INFO``.
    """

    model_dir: Path = Path("models")
    reports_dir: Path = Path("reports")
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, falling back to defaults.

        Args:
            environ: The variables to read; defaults to ``os.environ``.

        Returns:
            The validated settings.

        Raises:
            ConfigurationError: If ``LOG_LEVEL`` names no logging level.
        """
        env = os.environ if environ is None else environ
        log_level = env.get("LOG_LEVEL", cls.log_level).upper()
        if log_level not in LOG_LEVELS:
            raise ConfigurationError(
                f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}"
            )
        return cls(
            model_dir=Path(env.get("MODEL_DIR", str(cls.model_dir))),
            reports_dir=Path(env.get("REPORTS_DIR", str(cls.reports_dir))),
            log_level=log_level,
        )


def configure_logging(level: str = "INFO") -> None:
    """Send log records of ``level`` and above to standard error.

    Call it once, at the start of a command-line entry point.
    """
    logging.basicConfig(format=LOG_FORMAT)
    logging.getLogger().setLevel(level)
    logger.debug("Logging configured at level %s", level)
