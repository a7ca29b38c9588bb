"""`source: imf-imts` end to end: fetch from a local IMF-like server, figures, tables, revisions."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import SNAPSHOT
from imf_server import ImfServer, Reply, imts_csv_from_tidy
from project_copy import run, tracked_copy

# Builds the workflow: slow, and one worker runs the module so its build is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("imts")]

VINTAGE = "2099-01-01"
DATASET = f"imts-{VINTAGE}"
CODES = {"BGD", "RUS", "SUN", "G001"}
# The revisions the served vintage makes to the DOTS snapshot, to be found by the report.
REVISED = {"reporter_code": "BGD", "partner_code": "RUS", "indicator": "TXG_FOB_USD", "year": 2019}
PLUS = 10.0
NEW_YEAR = 2021


def _served_rows() -> pd.DataFrame:
    raw = pd.read_csv(SNAPSHOT, keep_default_na=False, dtype={"partner_code": str, "reporter_code": str})
    rows = raw[raw.reporter_code.isin(CODES) & raw.partner_code.isin(CODES)].copy()
    hit = (rows[list(REVISED)] == pd.Series(REVISED)).all(axis=1)
    assert hit.sum() == 1
    rows.loc[hit, "value_musd"] += PLUS
    extra = rows[hit].assign(year=NEW_YEAR, value_musd=500.25)
    return pd.concat([rows, extra], ignore_index=True)


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    project = tracked_copy(tmp_path_factory.mktemp("project"))
    with ImfServer() as server:
        server.replies = [Reply(body=imts_csv_from_tidy(_served_rows()))]
        override = {
            "source": "imf-imts",
            "vintage": VINTAGE,
            "imts": {"base_url": server.base_url, "indicators": ["XG_FOB_USD", "MG_CIF_USD"], "backoff": 0.0},
        }
        (project / "imts.yaml").write_text(yaml.safe_dump(override))
        run(["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "imts.yaml"], project)
        again = run(["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "imts.yaml"], project)
        project_requests = list(server.requests)
    return project, project_requests, again


def test_the_vintage_is_fetched_once_and_kept(pulled):
    project, requests, again = pulled
    assert len(requests) == 1
    assert "Nothing to be done" in again.stdout + again.stderr
    meta = json.loads((project / f"data/raw/{DATASET}/metadata.json").read_text())
    assert meta["vintage"] == VINTAGE and meta["structure_id"] == "IMF.STA:IMTS(1.0.0)"
    body = (project / f"data/raw/{DATASET}/response.csv").read_bytes()
    assert body == imts_csv_from_tidy(_served_rows())


def test_panel_from_imts_matches_the_dots_panel_except_the_revision(pulled):
    project = pulled[0]
    dots = pd.read_csv(project / "data/processed/dots-2022/panel.csv")
    imts = pd.read_csv(project / f"data/processed/{DATASET}/panel.csv")
    same_years = imts[imts.year <= dots.year.max()].reset_index(drop=True)
    key = (same_years.year == 2019) & (same_years.reported_by == "Bangladesh")
    dots_2019 = dots[(dots.year == 2019) & (dots.reported_by == "Bangladesh")].iloc[0]
    assert same_years[key].iloc[0].exports_musd == pytest.approx(dots_2019.exports_musd + PLUS)
    # Every other number is unchanged by the round trip through plain dollars.
    columns = ["exports_musd", "imports_musd", "exports_estimate", "imports_estimate", "partner"]
    pd.testing.assert_frame_equal(
        same_years[~key][columns].reset_index(drop=True), dots[~key][columns].reset_index(drop=True)
    )
    assert imts.year.max() == NEW_YEAR


def test_figures_and_tables_are_built_from_the_pull(pulled):
    project = pulled[0]
    fig3 = pd.read_csv(project / "figures/figure3.csv")
    own = fig3[fig3.reported_by == "Bangladesh"].set_index("year")
    assert own.loc[2019, "exports_musd"] == pytest.approx(424.290863 + PLUS)  # DOTS_16.xlsx 2019 + revision
    notebook = (project / "figures/figure3.ipynb").read_text()
    assert f"data/processed/{DATASET}/panel.csv" in notebook
    assert "IMTS" in (project / "tables/regimes_by_government.md").read_text()


def test_revision_report(pulled):
    project = pulled[0]
    table = pd.read_csv(project / "tables/revisions.csv")
    revised = table[(table.revision_musd.abs() > 1e-9)]
    exports = revised[(revised.flow == "exports") & (revised.reported_by == "Bangladesh")]
    assert list(exports.year) == [2019]
    row = exports.iloc[0]
    assert row.revision_musd == pytest.approx(PLUS)
    assert row.revision_pct == pytest.approx(PLUS / 424.290863 * 100)
    # Total and balance follow from the same revision.
    assert set(revised[revised.year == 2019].flow) == {"exports", "total", "balance"}
    new_only = table[table.present_in == "new only"]
    assert set(new_only.year) == {NEW_YEAR}
    # The only 2021 value served is Bangladesh's exports (500.25): its total and balance need the
    # 2021 imports, which are not served, so they stay missing rather than appearing as new.
    assert new_only[["reported_by", "flow", "value_musd_new"]].values.tolist() == [["Bangladesh", "exports", 500.25]]
    # Every DOTS row of the pair is served, up to its last year (2020): no value is "base only",
    # and 2020 is in both vintages, unrevised.
    assert (table.present_in != "base only").all(), table[table.present_in == "base only"]
    in_2020 = table[table.year == 2020]
    assert len(in_2020) > 0 and set(in_2020.present_in) == {"both"}
    assert (in_2020.revision_musd.abs() < 1e-9).all()
    for ext in ("png", "svg"):
        assert (project / f"figures/revisions.{ext}").stat().st_size > 0
    summary = (project / "tables/revisions_summary.md").read_text()
    assert "dots-2022" in summary and DATASET in summary
    # Each side named by its country, as in every table (the mirror: the partner's reporters).
    assert set(table.reported_by) == set(pd.read_csv(project / "tables/revisions_summary.csv").reported_by)
    assert set(table.reported_by) == {"Bangladesh", "USSR / Russian Federation"}
