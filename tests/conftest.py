from __future__ import annotations

import csv
import functools
import math
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "data" / "raw" / "dots-2022" / "dots.csv"
# The IMF workbooks live beside the project, never inside it (their README's rule).
WORKBOOKS = Path(os.environ.get("BILATERAL_DOTS_XLSX", ROOT.parent / "shared" / "data" / "imf-dots-2022-xlsx"))

CHROMIUM = Path("/usr/bin/chromium")
# The environment with the cluster executors' plugins (`make cluster`; `make test` makes it first).
CLUSTER_PYTHON = ROOT / ".venv-cluster" / "bin" / "python"


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


@pytest.fixture
def cluster_python() -> Path:
    """The cluster environment's Python; skipped locally without it, a failure in CI."""
    if not CLUSTER_PYTHON.exists():
        skip_or_fail(f"the cluster environment {CLUSTER_PYTHON.parent.parent} is missing (`make cluster` creates it)")
    return CLUSTER_PYTHON


# Decorator for tests that read the workbooks (the fixture decides: skip, or fail in CI).
needs_workbooks = pytest.mark.usefixtures("workbooks")


@pytest.fixture(scope="session")
def shared_build(tmp_path_factory) -> Path:
    """The session's one clean build of the committed project (tests/project_copy.py); read only."""
    from project_copy import shared_build as build

    return build(tmp_path_factory)


@pytest.fixture(scope="session")
def raw():
    from bilateral.schemas import read_raw

    return read_raw(SNAPSHOT)


@pytest.fixture(scope="session")
def panel(raw):
    from bilateral.panel import build_panel

    return build_panel(raw)


# --- Bangladesh-USSR/Russia by hand from the raw snapshot, following the README's rules -------------
# README ("Cleaning decisions"): the partner is the USSR up to 1991 and the Russian Federation from
# 1992; Bangladesh's exports it still books under "USSR" from 1992 count for Russia only where
# Bangladesh reports no Russia value (fill_gaps). The mirror ("partner") is the partner's own report:
# its imports from Bangladesh are Bangladesh's exports, its exports to Bangladesh Bangladesh's imports.
# A missing flow makes the total and the balance missing (NaN), never zero.
SUCCESSION_YEAR = 1992


@functools.cache
def snapshot_cells() -> dict:
    """(reporter, partner, indicator, year) -> (value, estimate) of the raw CSV, read with the csv module."""
    with open(SNAPSHOT, newline="", encoding="utf-8") as handle:
        return {
            (r["reporter"], r["partner"], r["indicator"], int(r["year"])): (
                float(r["value_musd"]),
                r["estimate"] == "True",
            )
            for r in csv.DictReader(handle)
        }


def bangladesh_russia_by_hand(years) -> dict:
    """side ("Bangladesh", "partner") -> year -> flow -> (value, estimate), for exports, imports, total,
    balance; a total's or balance's estimate flag is either flow's."""
    cells = snapshot_cells()
    missing = (math.nan, False)
    sides: dict = {"Bangladesh": {}, "partner": {}}
    for year in years:
        partner = "USSR" if year < SUCCESSION_YEAR else "Russian Federation"
        own = {}
        for flow, indicator in (("exports", "TXG_FOB_USD"), ("imports", "TMG_CIF_USD")):
            found = cells.get(("Bangladesh", partner, indicator, year), missing)
            if math.isnan(found[0]) and year >= SUCCESSION_YEAR:
                found = cells.get(("Bangladesh", "USSR", indicator, year), missing)  # fill_gaps
            own[flow] = found
        mirror = {
            "exports": cells.get((partner, "Bangladesh", "TMG_CIF_USD", year), missing),
            "imports": cells.get((partner, "Bangladesh", "TXG_FOB_USD", year), missing),
        }
        for side, flows in (("Bangladesh", own), ("partner", mirror)):
            (exports, exports_e), (imports, imports_e) = flows["exports"], flows["imports"]
            either = exports_e or imports_e
            sides[side][year] = {
                "exports": (exports, exports_e),
                "imports": (imports, imports_e),
                "total": (exports + imports, either),  # NaN + x is NaN
                "balance": (exports - imports, either),
            }
    return sides


def bangladesh_world_by_hand(years) -> dict:
    """year -> Bangladesh's total trade with the World as it reports it (exports + imports), NaN if one is missing."""
    cells = snapshot_cells()
    return {
        year: cells.get(("Bangladesh", "World", "TXG_FOB_USD", year), (math.nan,))[0]
        + cells.get(("Bangladesh", "World", "TMG_CIF_USD", year), (math.nan,))[0]
        for year in years
    }


# The longest tests first: `make test` hands tests to two pytest-xdist workers in collection order,
# so a long test collected last (the SLURM cluster's, about two minutes) would run alone at the end
# while the other worker idles. Slow tests (marked) start first, the cluster's first of all; each
# test's outcome does not depend on the order.
LONGEST = "tests/test_slurm.py::test_workflow_on_slurm_is_byte_identical_to_a_local_run"


# Fixtures that build the workflow (or copy a build, which someone must make first): a test that
# uses one is slow whether or not it is the one that pays for the build, so `pytest -m "not slow"`
# (make test-quick) builds nothing.
BUILDS = {"shared_build", "built", "verified", "south_asia", "pulled", "extended"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: (not item.nodeid.startswith(LONGEST), item.get_closest_marker("slow") is None))


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Before the test's fixtures, the module-scoped builds among them: project_copy.run refuses to
    # start Snakemake for a test not marked slow, so make test-quick stays quick.
    import project_copy

    project_copy.running_a_slow_test = item.get_closest_marker("slow") is not None
