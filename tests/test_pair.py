"""Other country pairs: the pair in config drives the panel, the IMTS request and the checks."""

from __future__ import annotations

import csv
import math

import pytest
import yaml
from conftest import ROOT, SNAPSHOT

from bilateral.imts.request import ImtsRequest, request_fields
from bilateral.pair import Country, Pair, PairError, named_sides, side_keys
from bilateral.panel import PanelSettings, build_panel, build_world
from bilateral.settings import check_regimes_country, claims_apply

CHINA = Country("CHN", "China, P.R.: Mainland")
BANGLADESH_CHINA = Pair(home=Country("BGD", "Bangladesh"), partner=CHINA, predecessor=None)


def _config(pair: Pair | None = None) -> dict:
    from snakemake.utils import validate

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    if pair:
        config["pair"] = pair.to_config()
    validate(config, str(ROOT / "config/schema.yaml"), set_default=True)
    return config


def _snapshot_value(reporter: str, partner: str, indicator: str, year: int) -> float:
    # Read with the csv module, independently of the code under test.
    with open(SNAPSHOT, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row["reporter"], row["partner"], row["indicator"], row["year"]) == (
                reporter,
                partner,
                indicator,
                str(year),
            ):
                return float(row["value_musd"])
    return math.nan


def test_default_pair_asks_imts_for_the_issue_key():
    # The key the IMTS issue names: BGD+RUS+SUN reporters x BGD+RUS+SUN+G001 counterparts.
    request = ImtsRequest(**request_fields(_config()))
    assert request.key == "BGD+RUS+SUN.XG_FOB_USD+MG_CIF_USD+MG_FOB_USD+TBG_USD.BGD+RUS+SUN+G001.A"


def test_another_pair_changes_the_imts_request():
    request = ImtsRequest(**request_fields(_config(BANGLADESH_CHINA)))
    assert request.key.startswith("BGD+CHN.") and request.key.endswith(".BGD+CHN+G001.A")


def test_config_round_trip():
    assert Pair.from_config(Pair().to_config()) == Pair()
    assert Pair.from_config(BANGLADESH_CHINA.to_config()) == BANGLADESH_CHINA


def test_panel_of_another_partner_from_the_snapshot(raw):
    panel = build_panel(raw, PanelSettings(pair=BANGLADESH_CHINA))
    own = panel[panel.reported_by == "Bangladesh"].set_index("year")
    mirror = panel[panel.reported_by == "partner"].set_index("year")
    assert set(own.partner) == {CHINA.name} and set(own.partner_code) == {"CHN"}
    for year in (1985, 2015):
        assert own.loc[year, "exports_musd"] == _snapshot_value("Bangladesh", CHINA.name, "TXG_FOB_USD", year)
        assert own.loc[year, "imports_musd"] == _snapshot_value("Bangladesh", CHINA.name, "TMG_CIF_USD", year)
    # 2015 by hand from the snapshot's two rows: 675.076536 + 8848.84775 = 9523.924286.
    assert own.loc[2015, "total_musd"] == pytest.approx(9523.924286)
    # The snapshot holds no China workbook: the mirror is missing, never zero.
    assert mirror[["exports_musd", "imports_musd", "total_musd", "balance_musd"]].isna().all().all()
    # No predecessor: no succession note, China in every year.
    assert (panel.note == "").all()
    # The World base is the home country's, whatever the partner.
    assert build_world(raw, PanelSettings(pair=BANGLADESH_CHINA)).equals(build_world(raw))


def test_tables_name_each_side_by_its_country_and_read_back_as_the_panels_keys(raw):
    """The CSV tables (regime tables, thesis, claims, revisions) name the mirror by the partner's
    reporters as the README says; the claims read the thesis table back by the panel's keys."""
    panel = build_panel(raw, PanelSettings())
    named = named_sides(panel, panel)
    assert set(named.reported_by) == {"Bangladesh", "USSR / Russian Federation"}
    assert side_keys(named, panel).equals(panel)
    both = panel.head(1).assign(reported_by="both sides")
    assert side_keys(named_sides(both, panel), panel).equals(both)


def test_swapping_home_and_partner_swaps_the_sides(raw):
    # Russia as home, Bangladesh as partner: Russia's own report is the former mirror.
    swapped = Pair(home=Country("RUS", "Russian Federation"), partner=Country("BGD", "Bangladesh"), predecessor=None)
    russia_home = build_panel(raw, PanelSettings(pair=swapped)).set_index(["year", "reported_by"])
    bangladesh_home = build_panel(raw, PanelSettings(first_year=1972)).set_index(["year", "reported_by"])
    for year in range(1993, 2021):  # from 1993: both reporters book each other under their own names
        own, mirror = russia_home.loc[(year, "Russian Federation")], bangladesh_home.loc[(year, "partner")]
        for a, b in (("exports_musd", "imports_musd"), ("imports_musd", "exports_musd")):
            assert own[a] == mirror[b] or (math.isnan(own[a]) and math.isnan(mirror[b])), (year, a)


def test_without_predecessor_the_1992_exports_under_ussr_are_not_used(raw):
    no_ussr = Pair(predecessor=None)
    panel = build_panel(raw, PanelSettings(pair=no_ussr)).set_index(["year", "reported_by"])
    # Bangladesh books its 1992 exports (14.90) under USSR only (data README); Russia's row starts in 1993.
    assert math.isnan(panel.loc[(1992, "Bangladesh"), "exports_musd"])
    assert panel.loc[(1986, "Bangladesh"), "partner"] == "Russian Federation"


def test_a_name_not_in_the_data_is_refused_with_close_names(raw):
    wrong = Pair(home=Country("BGD", "Bangladesh"), partner=Country("CHN", "China"), predecessor=None)
    with pytest.raises(PairError, match=r"data/raw/dots-2022/dots\.csv.*pair\.partner") as error:
        wrong.check_present(raw, "data/raw/dots-2022/dots.csv")
    message = str(error.value)
    assert "data/raw/dots-2022/dots.csv" in message and "pair.partner" in message
    assert "'China, P.R.: Mainland'" in message
    BANGLADESH_CHINA.check_present(raw, "dots.csv")  # the IMF's own name passes


def test_regimes_file_must_be_the_home_countrys(tmp_path):
    config = _config(Pair(home=Country("IND", "India"), partner=CHINA, predecessor=None))
    with pytest.raises(ValueError, match="config/regimes.yaml: 'country: BGD' but config pair.home is IND"):
        check_regimes_country(config)
    check_regimes_country(_config())


def test_claims_are_checked_only_for_the_papers_pair():
    assert claims_apply(_config())
    assert not claims_apply(_config(BANGLADESH_CHINA))


def test_a_predecessor_left_over_from_another_partner_is_refused():
    # A config that changes only the partner keeps the USSR from the committed config.
    section = _config()["pair"] | {"partner": {"code": "CHN", "name": CHINA.name}}
    with pytest.raises(PairError, match="'USSR' is the predecessor of RUS, but pair.partner is CHN"):
        Pair.from_config(section)


def test_the_pair_needs_three_different_codes():
    with pytest.raises(PairError, match="three different codes"):
        Pair(partner=Country("RUS", "Russian Federation"), predecessor=Country("RUS", "Russian Federation"))
    with pytest.raises(PairError, match="three different codes"):
        Pair(home=CHINA, partner=CHINA, predecessor=None)


def test_the_home_country_must_report(raw):
    # China is in the snapshot only as a partner: it cannot be the home country there.
    china_home = Pair(home=CHINA, partner=Country("BGD", "Bangladesh"), predecessor=None)
    with pytest.raises(PairError, match=r"pair.home \(code 'CHN'.*\) as reporter"):
        china_home.check_present(raw, "dots.csv")


def test_claims_need_the_papers_succession_too():
    no_ussr = _config(Pair(predecessor=None))
    assert not claims_apply(no_ussr)
    later = _config()
    later["panel"]["succession_year"] = 1993
    assert not claims_apply(later)


def test_figure_titles_fill_in_the_pair_and_window():
    from bilateral.settings import figure_titles

    config = _config()
    assert figure_titles(config)["figure2"] == "Figure 2: Bangladesh–Russia bilateral trade, 1992–2011"  # as written
    template = "{home}–{partner} trade, {start}–{end}"
    config["figures"] = {
        "soviet": {"start": 1981, "end": 1991, "title": template},
        "both": {"start": 1985, "end": 1995, "title": template},
        "russia": {"start": 1992, "end": 2000, "title": template},
    }
    assert figure_titles(config) == {
        "soviet": "Bangladesh–USSR trade, 1981–1991",
        "both": "Bangladesh–USSR / Russian Federation trade, 1985–1995",
        "russia": "Bangladesh–Russian Federation trade, 1992–2000",
    }
    config["figures"]["soviet"]["title"] = "{country} trade"
    with pytest.raises(ValueError, match=r"figures.soviet.title '\{country\} trade'.*\{home\}, \{partner\}"):
        figure_titles(config)


def test_the_papers_titles_are_flagged_for_another_pair():
    from bilateral.settings import title_warnings

    assert title_warnings(_config()) == []
    china = _config(BANGLADESH_CHINA)
    warnings = title_warnings(china)
    assert len(warnings) == 3 and "figures.figure1.title" in warnings[0] and "names Soviet" in warnings[0]
    for figure in china["figures"].values():
        figure["title"] = "{home}–{partner} trade"
    assert title_warnings(china) == []


def test_the_fingerprint_covers_the_raw_data_in_use():
    from bilateral.provenance import code_fingerprint

    with_raw = code_fingerprint(["data/raw/dots-2022/dots.csv"], ROOT)
    assert with_raw != code_fingerprint([], ROOT) and len(with_raw) == 64
