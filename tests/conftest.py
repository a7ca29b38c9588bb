from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "raw" / "dots-2022" / "dots.csv"
# The IMF workbooks live beside the project, never inside it (their README's rule).
WORKBOOKS = Path(os.environ.get("BILATERAL_DOTS_XLSX", ROOT.parent / "shared" / "data" / "imf-dots-2022-xlsx"))

CHROMIUM = Path("/usr/bin/chromium")


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def skip_or_fail(reason: str) -> None:
    """Skip a test whose environment is missing, except in CI (CI=true), where the environment is
    part of what is tested: there the missing piece is a failure, so a green run cannot hide it."""
    if in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def workbooks() -> Path:
    """The IMF DOTS workbooks (../shared); skipped locally without them, a failure in CI."""
    if not (WORKBOOKS / "DOTS_16.xlsx").exists():
        skip_or_fail(f"IMF DOTS workbooks not found in {WORKBOOKS} (set BILATERAL_DOTS_XLSX to their folder)")
    return WORKBOOKS


@pytest.fixture
def chromium() -> Path:
    """Debian's chromium for the browser test; skipped locally without it, a failure in CI."""
    if not CHROMIUM.exists():
        skip_or_fail(f"Debian's chromium is not installed at {CHROMIUM} (.ci/run installs it)")
    return CHROMIUM


# Decorator for tests that read the workbooks (the fixture decides: skip, or fail in CI).
needs_workbooks = pytest.mark.usefixtures("workbooks")


@pytest.fixture(scope="session")
def raw():
    from bilateral.schemas import read_raw

    return read_raw(SNAPSHOT)


@pytest.fixture(scope="session")
def panel(raw):
    from bilateral.panel import build_panel

    return build_panel(raw)
