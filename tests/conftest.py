from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "raw" / "dots-2022" / "dots.csv"
# The IMF workbooks live beside the project, never inside it (their README's rule).
WORKBOOKS = Path(os.environ.get("BILATERAL_DOTS_XLSX", ROOT.parent / "shared" / "data" / "imf-dots-2022-xlsx"))

needs_workbooks = pytest.mark.skipif(
    not (WORKBOOKS / "DOTS_16.xlsx").exists(),
    reason=f"IMF DOTS workbooks not found in {WORKBOOKS} (set BILATERAL_DOTS_XLSX to their folder)",
)


@pytest.fixture(scope="session")
def raw():
    from bilateral.schemas import read_raw

    return read_raw(SNAPSHOT)


@pytest.fixture(scope="session")
def panel(raw):
    from bilateral.panel import build_panel

    return build_panel(raw)
