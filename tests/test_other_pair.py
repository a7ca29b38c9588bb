"""End to end for another pair: Bangladesh-China from the committed snapshot, no code changes."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
import yaml
from conftest import SNAPSHOT
from project_copy import run, tracked_copy

CHINA = "China, P.R.: Mainland"


def _configure(project, pair: dict) -> None:
    path = project / "config/config.yaml"
    config = yaml.safe_load(path.read_text())
    config["pair"] = pair
    config["figures"] = {
        "china_recent": {"start": 2012, "end": 2020, "title": "Bangladesh-China trade, 2012-2020", "main_side": "home"}
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = tracked_copy(tmp_path_factory.mktemp("china"))
    _configure(
        project,
        {"home": {"code": "BGD", "name": "Bangladesh"}, "partner": {"code": "CHN", "name": CHINA}, "predecessor": None},
    )
    run(["snakemake", "--cores", "2"], project)
    return project


def test_figure_shows_the_new_partner_from_bangladeshs_report(built):
    rows = pd.read_csv(built / "figures/china_recent.csv")
    own = rows[rows.reported_by == "Bangladesh"].set_index("year")
    assert set(own.partner) == {CHINA} and list(own.index) == list(range(2012, 2021))
    with open(SNAPSHOT, newline="", encoding="utf-8") as handle:
        expected = {
            (int(r["year"]), r["indicator"]): float(r["value_musd"])
            for r in csv.DictReader(handle)
            if r["reporter"] == "Bangladesh" and r["partner"] == CHINA
        }
    for year in own.index:
        assert own.loc[year, "exports_musd"] == expected[(year, "TXG_FOB_USD")]
        assert own.loc[year, "imports_musd"] == expected[(year, "TMG_CIF_USD")]
    # China's own report is not in the snapshot: its side stays missing, not zero.
    assert rows[rows.reported_by == "partner"].exports_musd.isna().all()
    assert (built / "figures/china_recent.png").read_bytes().startswith(b"\x89PNG")


def test_regime_tables_are_built_and_the_papers_claims_are_not_checked(built):
    camps = pd.read_csv(built / "tables/regimes_by_camp.csv")
    assert set(camps.reported_by) == {"Bangladesh", "partner"}
    assert "Bangladesh-China, P.R.: Mainland trade by camp" in (built / "tables/regimes_by_camp.md").read_text()
    assert not (built / "tables/claims.csv").exists()
    page = (built / "report/index.html").read_text()
    assert "Bangladesh–China, P.R.: Mainland trade" in page and 'id="claims"' not in page
    record = json.loads((built / "report/provenance.json").read_text())
    assert "figures/china_recent.png" in json.dumps(record["products"])


def test_home_country_without_its_regimes_file_stops_before_any_work(tmp_path):
    project = tracked_copy(tmp_path)
    _configure(
        project,
        {"home": {"code": "IND", "name": "India"}, "partner": {"code": "CHN", "name": CHINA}, "predecessor": None},
    )
    result = run(["snakemake", "--cores", "2"], project, check=False)
    assert result.returncode != 0
    assert "config/regimes.yaml: 'country: BGD' but config pair.home is IND" in result.stdout + result.stderr
    assert not list(project.glob("data/processed/**/*.csv")) and not list(project.glob("figures/*.png"))
