"""End to end for another pair: Bangladesh-China from the committed snapshot, no code changes."""

from __future__ import annotations

import ast
import csv
import json

import pandas as pd
import pytest
import yaml
from conftest import SNAPSHOT, WORKBOOKS, needs_workbooks
from imf_server import ImfServer, Reply, imts_csv_from_tidy
from project_copy import run, tracked_copy

from bilateral.dots_excel import read_workbook

CHINA = "China, P.R.: Mainland"


def _configure(project, pair: dict) -> None:
    path = project / "config/config.yaml"
    config = yaml.safe_load(path.read_text())
    config["pair"] = pair
    config["figures"] = {
        "china_recent": {
            "start": 2012,
            "end": 2020,
            "title": "{home}–{partner} trade, {start}–{end}",
            "main_side": "home",
        }
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


@pytest.mark.slow
@pytest.mark.xdist_group("china")
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
    assert rows[rows.report == "mirror"].exports_musd.isna().all()
    assert (built / "figures/china_recent.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.slow
@pytest.mark.xdist_group("china")
def test_regime_tables_are_built_and_the_papers_claims_are_not_checked(built):
    camps = pd.read_csv(built / "tables/regimes_by_camp.csv")
    assert set(camps.reported_by) == {"Bangladesh", CHINA}  # each side named by its country
    assert "Bangladesh–China, P.R.: Mainland trade by camp" in (built / "tables/regimes_by_camp.md").read_text()
    assert not (built / "tables/claims.csv").exists()
    page = (built / "report/index.html").read_text()
    assert "Bangladesh–China, P.R.: Mainland trade" in page and 'id="claims"' not in page
    record = json.loads((built / "report/provenance.json").read_text())
    figure = next(p for p in record["products"] if p["rule"] == "figure")
    assert figure["parameters"]["title"] == "Bangladesh–China, P.R.: Mainland trade, 2012–2020"  # filled in
    assert "figures/china_recent.png" in figure["outputs"]
    executed = json.loads((built / "figures/china_recent.ipynb").read_text())
    injected = next(c for c in executed["cells"] if "injected-parameters" in c["metadata"].get("tags", []))
    line = next(x for x in "".join(injected["source"]).splitlines() if x.startswith("title = "))
    assert ast.literal_eval(line.removeprefix("title = ")) == "Bangladesh–China, P.R.: Mainland trade, 2012–2020"


@pytest.mark.slow
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


@needs_workbooks
@pytest.mark.slow
def test_imts_pull_of_another_pair_brings_both_sides(tmp_path):
    """Bangladesh-China through `source: imf-imts`: the request asks for the pair's codes, and the
    partner's own report fills the mirror. The local server answers with the two countries' real
    DOTS workbooks (DOTS_16.xlsx, DOTS_40.xlsx) in the IMTS format."""
    codes = {"Bangladesh": "BGD", CHINA: "CHN", "World": "G001"}
    tidy = pd.concat([read_workbook(WORKBOOKS / name) for name in ("DOTS_16.xlsx", "DOTS_40.xlsx")])
    tidy = tidy[tidy.partner.isin(codes)].assign(
        reporter_code=lambda f: f.reporter.map(codes), partner_code=lambda f: f.partner.map(codes)
    )
    project = tracked_copy(tmp_path)
    _configure(
        project,
        {"home": {"code": "BGD", "name": "Bangladesh"}, "partner": {"code": "CHN", "name": CHINA}, "predecessor": None},
    )
    with ImfServer() as server:
        server.replies = [Reply(body=imts_csv_from_tidy(tidy))]
        override = {
            "source": "imf-imts",
            "vintage": "2099-01-01",
            "imts": {"base_url": server.base_url, "indicators": ["XG_FOB_USD", "MG_CIF_USD"], "backoff": 0.0},
        }
        (project / "imts.yaml").write_text(yaml.safe_dump(override))
        run(["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "imts.yaml"], project)
        assert len(server.requests) == 1
        assert "/BGD+CHN.XG_FOB_USD+MG_CIF_USD.BGD+CHN+G001.A?" in server.requests[0]["path"]
    rows = pd.read_csv(project / "figures/china_recent.csv")
    mirror = rows[rows.report == "mirror"].set_index("year")
    assert set(mirror.reporter) == set(mirror.reported_by) == {CHINA} and set(mirror.partner) == {"Bangladesh"}

    def china(indicator: str, year: int) -> float:
        hit = tidy[(tidy.reporter == CHINA) & (tidy.partner == "Bangladesh") & (tidy.indicator == indicator)]
        return float(hit[hit.year == year].value_musd.iloc[0])

    for year in (2012, 2020):
        # The mirror: China's imports from Bangladesh are Bangladesh's exports to China, and so on.
        assert mirror.loc[year, "exports_musd"] == pytest.approx(china("TMG_CIF_USD", year), rel=1e-12)
        assert mirror.loc[year, "imports_musd"] == pytest.approx(china("TXG_FOB_USD", year), rel=1e-12)
    assert not (project / "tables/claims.csv").exists()
