"""The seeded faults of scripts/seeded_faults.py still fit the template."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.seeded_faults import FAULTS, Fault, first_failure
from scripts.tooling import ROOT


@pytest.mark.parametrize("fault", FAULTS, ids=lambda fault: fault.renders)
def test_each_fault_changes_one_line_of_the_template(
    fault: Fault, tmp_path: Path
) -> None:
    copy = tmp_path / fault.path
    copy.parent.mkdir(parents=True)
    shutil.copy2(ROOT / fault.path, copy)

    fault.apply(tmp_path)

    assert copy.read_text() != (ROOT / fault.path).read_text()


def test_at_least_ten_faults_in_ten_places() -> None:
    assert len({(fault.path, fault.old) for fault in FAULTS}) >= 10


def test_the_first_failed_test_is_read_from_the_junit_report(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(
        '<testsuites><testsuite name="pytest">'
        '<testcase classname="tests.test_a" name="test_ok"/>'
        '<testcase classname="tests.test_b" name="test_bad"><failure/></testcase>'
        '<testcase classname="tests.test_c" name="test_err"><error/></testcase>'
        "</testsuite></testsuites>"
    )

    assert first_failure(report) == "tests.test_b::test_bad"
    assert first_failure(tmp_path / "missing.xml") == ""
