"""The benchmark's floor (bench/floor.py: one process, no kernels) writes exactly the workflow's
figures and tables, so the ratio of a cold run to it measures orchestration only."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from conftest import ROOT
from project_copy import run, tracked_copy


@pytest.mark.slow
def test_the_floor_writes_the_workflows_bytes(shared_build, tmp_path):
    built = shared_build  # read only
    floor = tracked_copy(tmp_path / "floor")
    (floor / "report").mkdir()
    shutil.copy(built / "report/provenance.json", floor / "report/provenance.json")
    run([sys.executable, str(ROOT / "bench/floor.py"), str(floor)], floor)
    record = json.loads((built / "report/provenance.json").read_text())
    # Every figure and table the record lists, in every format but the executed notebooks (the
    # floor runs no kernel, so it writes none).
    listed = [path for item in record["products"] for path in item["outputs"] if not path.endswith(".ipynb")]
    assert len(listed) > 20
    for name in listed:
        assert (floor / name).read_bytes() == (built / name).read_bytes(), name
