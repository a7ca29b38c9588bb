"""The benchmark's floor (bench/floor.py: one process, no kernels) writes exactly the workflow's
figures and tables, so the ratio of a cold run to it measures orchestration only."""

from __future__ import annotations

import shutil
import sys

from conftest import ROOT
from project_copy import run, tracked_copy


def test_the_floor_writes_the_workflows_bytes(tmp_path):
    built = tracked_copy(tmp_path / "workflow")
    run(["snakemake", "--cores", "2"], built)
    floor = tracked_copy(tmp_path / "floor")
    (floor / "report").mkdir()
    shutil.copy(built / "report/provenance.json", floor / "report/provenance.json")
    run([sys.executable, str(ROOT / "bench/floor.py"), str(floor)], floor)
    compared = 0
    for pattern in ("figures/*.png", "figures/*.svg", "figures/*.csv", "tables/*.csv", "tables/*.md", "tables/*.tex"):
        for path in sorted(built.glob(pattern)):
            if path.name == "README.md":
                continue
            twin = floor / path.relative_to(built)
            assert twin.read_bytes() == path.read_bytes(), path.relative_to(built)
            compared += 1
    # three figures (png, svg, csv), three regime tables (csv, md, tex), the claims (csv, md)
    assert compared == 3 * 3 + 3 * 3 + 2
