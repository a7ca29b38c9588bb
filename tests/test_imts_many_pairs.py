"""`source: imf-imts` with three pairs (config/examples/three-pairs-russia.yaml) end to end, from a
local IMF-like server answering each request by its key: an interrupted pull, the rerun that asks
only for the missing answers, and every pair's figures built from the pull."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from conftest import SNAPSHOT
from imf_server import ImfServer, Reply, key_of, serve_tidy, with_home
from project_copy import run, tracked_copy

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("imts-many")]

VINTAGE = "2099-01-01"
DATASET = f"imts-{VINTAGE}"
FACTORS = {"IND": ("India", 2.0), "PAK": ("Pakistan", 3.0)}


def _served() -> pd.DataFrame:
    """The snapshot's Bangladesh / Russia / USSR / World rows; India and Pakistan made from
    Bangladesh's (x2, x3; imf_server.with_home): the snapshot holds no report of theirs."""
    raw = pd.read_csv(SNAPSHOT, keep_default_na=False, dtype={"partner_code": str, "reporter_code": str})
    codes = {"BGD", "RUS", "SUN", "G001"}
    rows = raw[raw.reporter_code.isin(codes) & raw.partner_code.isin(codes)]
    rows = rows[rows.indicator.isin(["TXG_FOB_USD", "TMG_CIF_USD"])]
    for code, (name, factor) in FACTORS.items():
        rows = with_home(rows, code, name, factor)
    return rows


def _snapshot_value(reporter: str, partner: str, indicator: str, year: int) -> float:
    raw = pd.read_csv(SNAPSHOT, keep_default_na=False, dtype={"partner_code": str, "reporter_code": str})
    hit = raw[
        (raw.reporter_code == reporter)
        & (raw.partner_code == partner)
        & (raw.indicator == indicator)
        & (raw.year == year)
    ]
    assert len(hit) == 1
    return float(hit.value_musd.iloc[0])


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    project = tracked_copy(tmp_path_factory.mktemp("project"))
    command = [
        "snakemake",
        "--cores",
        "2",
        "--configfile",
        "config/config.yaml",
        "config/examples/three-pairs-russia.yaml",
        "imts.yaml",
    ]
    answer = serve_tidy(_served())
    with ImfServer() as server:
        override = {
            "source": "imf-imts",
            "vintage": VINTAGE,
            "imts": {"base_url": server.base_url, "indicators": ["XG_FOB_USD", "MG_CIF_USD"], "backoff": 0.0},
        }
        (project / "imts.yaml").write_text(yaml.safe_dump(override))
        # First run: Russia's answer (the second request) fails; the run stops after Bangladesh's.
        server.route = lambda path: Reply(status=404, body=b"no") if key_of(path).startswith("RUS.") else answer(path)
        failed = run(command, project, check=False)
        first = [key_of(r["path"]) for r in server.requests]
        partial = sorted(p.name for p in (project / f"data/raw/.{DATASET}.part").iterdir())
        vintage_after_failure = (project / f"data/raw/{DATASET}").exists()
        server.requests.clear()
        server.route = answer
        run(command, project)
        second = [key_of(r["path"]) for r in server.requests]
        server.requests.clear()
        again = run(command, project)
        third = list(server.requests)
    return {
        "project": project,
        "failed": failed,
        "first": first,
        "partial": partial,
        "vintage_after_failure": vintage_after_failure,
        "second": second,
        "again": again,
        "third": third,
    }


def test_an_interrupted_pull_is_resumed_by_the_next_run(pulled):
    assert pulled["failed"].returncode != 0
    assert "request 2/5: RUS failed" in pulled["failed"].stderr + pulled["failed"].stdout
    assert [key.split(".")[0] for key in pulled["first"]] == ["BGD", "RUS"]
    assert pulled["partial"] == ["response-BGD.csv", "response-BGD.csv.request.json"]
    assert not pulled["vintage_after_failure"]
    # The rerun asks only for the four answers still missing, one request per reporter.
    assert [key.split(".")[0] for key in pulled["second"]] == ["RUS", "SUN", "IND", "PAK"]
    # A vintage on disk is never downloaded again.
    assert pulled["third"] == []
    assert "Nothing to be done" in pulled["again"].stdout + pulled["again"].stderr
    folder = pulled["project"] / f"data/raw/{DATASET}"
    meta = json.loads((folder / "metadata.json").read_text())
    assert [r["body_file"] for r in meta["requests"]] == [
        f"response-{c}.csv" for c in ("BGD", "RUS", "SUN", "IND", "PAK")
    ]
    assert not (pulled["project"] / f"data/raw/.{DATASET}.part").exists()


@pytest.mark.parametrize("home", ["IND", "PAK"])
def test_each_further_pair_has_its_figures_from_its_own_and_russias_report(pulled, home):
    project = pulled["project"]
    name, factor = FACTORS[home]
    for stem in ("figure1", "figure2", "figure3", "history"):
        assert (project / f"figures/{home}-RUS/{stem}.png").read_bytes().startswith(b"\x89PNG")
    rows = pd.read_csv(project / f"figures/{home}-RUS/figure3.csv")
    own = rows[rows.report != "mirror"].set_index("year")
    mirror = rows[rows.report == "mirror"].set_index("year")
    assert set(own.reported_by) == {name}
    # Served: the home country's report is Bangladesh's times the factor, read from the snapshot.
    assert own.loc[2015, "exports_musd"] == factor * _snapshot_value("BGD", "RUS", "TXG_FOB_USD", 2015)
    assert own.loc[2015, "imports_musd"] == factor * _snapshot_value("BGD", "RUS", "TMG_CIF_USD", 2015)
    # The mirror: Russia's imports from the home country are the home country's exports.
    assert mirror.loc[2015, "exports_musd"] == factor * _snapshot_value("RUS", "BGD", "TMG_CIF_USD", 2015)


def test_the_first_pair_and_the_comparison_are_built_from_the_pull(pulled):
    project = pulled["project"]
    rows = pd.read_csv(project / "figures/figure3.csv")
    own = rows[rows.reported_by == "Bangladesh"].set_index("year")
    assert own.loc[2015, "exports_musd"] == _snapshot_value("BGD", "RUS", "TXG_FOB_USD", 2015)
    notebook = (project / "figures/figure3.ipynb").read_text()
    assert f"data/processed/{DATASET}/panel.csv" in notebook
    comparison = pd.read_csv(project / "tables/comparison.csv")
    assert len(set(comparison["pair"])) == 3
    tidy = pd.read_csv(project / f"data/processed/{DATASET}/tidy.csv", keep_default_na=False)
    assert set(tidy.reporter_code) == {"BGD", "RUS", "SUN", "IND", "PAK"}
