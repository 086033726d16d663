"""The benchmark's parsing of ``python -X importtime`` output (its profile)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scripts.benchmark import import_profile

SAMPLE = """\
import time: self [us] | cumulative | imported package
import time:       120 |        120 |     numpy._core
import time:      1500 |       1620 |   numpy
import time:       300 |       1920 | sklearn.utils
import time:      2000 |       3920 | sklearn
"""


def test_import_profile_adds_self_times_by_top_level_package() -> None:
    assert import_profile(SAMPLE) == pytest.approx(
        {"numpy": 0.00162, "sklearn": 0.0023}
    )


def test_import_profile_reads_a_real_importtime_output() -> None:
    stderr = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import json"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr

    seconds = import_profile(stderr)

    assert seconds["json"] > 0
    assert "import" not in seconds  # the header line is skipped
