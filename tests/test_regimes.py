"""Governments: the file's checks and the calendar-year rule on the boundary years."""

from __future__ import annotations

import math

import pytest
from conftest import ROOT

from bilateral.regime_tables import by_camp, by_government, cagr_pct
from bilateral.regimes import RegimeError, government_for_year, load

GOVERNMENTS = load(ROOT / "config" / "regimes.yaml")


def _id(year, rule="plurality"):
    found = government_for_year(GOVERNMENTS, year, rule)
    return found.id if found else None


# Days in office counted by hand, [start, end) with the handover day going to the newcomer:
# 1975: Mujib 1 Jan-14 Aug = 226, Mostaq 15 Aug-6 Nov = 84, Zia 7 Nov-31 Dec = 55.
# 1981: Zia 1 Jan-29 May = 149, Sattar 30 May-31 Dec = 216.
# 1996 (leap): Khaleda 1 Jan-29 Mar = 89, caretaker 30 Mar-22 Jun = 85, Hasina 23 Jun-31 Dec = 192.
# 2001: Hasina 1 Jan-14 Jul = 195, caretaker 15 Jul-9 Oct = 87, Khaleda 10 Oct-31 Dec = 83.
# 2024 (leap): Hasina 1 Jan-4 Aug = 217, transition 5-7 Aug = 3, Yunus 8 Aug-31 Dec = 146.
@pytest.mark.parametrize(
    ("year", "plurality", "january_1", "december_31"),
    [
        (1975, "mujib", "mujib", "zia"),
        (1981, "sattar", "zia", "sattar"),
        (1996, "hasina1", "khaleda1", "hasina1"),
        (2001, "hasina1", "hasina1", "khaleda2"),
        (2024, "hasina2", "hasina2", "yunus"),
    ],
)
def test_boundary_years(year, plurality, january_1, december_31):
    assert _id(year) == plurality
    assert _id(year, "january_1") == january_1
    assert _id(year, "december_31") == december_31


@pytest.mark.parametrize(
    ("gov", "year", "days"),
    [
        ("mujib", 1975, 226),
        ("mostaq", 1975, 84),
        ("zia", 1975, 55),
        ("caretaker1996", 1996, 85),
        ("yunus", 2024, 146),
    ],
)
def test_days_in_office(gov, year, days):
    assert next(g for g in GOVERNMENTS if g.id == gov).days_in(year) == days


def test_before_independence_no_government():
    assert _id(1971) is None
    assert _id(1972, "january_1") is None  # Mujib's government starts on 12 January 1972


def test_committed_list_is_contiguous():
    assert len(GOVERNMENTS) == 16
    for before, after in zip(GOVERNMENTS, GOVERNMENTS[1:], strict=False):
        assert before.end == after.start


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("end: 1975-08-15\n", "end: 1975-08-14\n"), "gap between mujib"),
        (("end: 1975-08-15\n", "end: 1975-08-20\n"), "overlap between mujib"),
        (("camp: BNP\n    start: 1981", "camp: Whigs\n    start: 1981"), "camp 'Whigs' is not one of"),
        (("id: zia\n", "id: mujib\n"), "duplicate government ids"),
        (
            ("camps: [Awami League, BNP, military, caretaker/interim]", "camps: []"),
            r"line 8: camps: \[\] should be non-empty",
        ),
    ],
)
def test_broken_regime_files_are_refused(tmp_path, edit, message):
    text = (ROOT / "config" / "regimes.yaml").read_text()
    assert edit[0] in text
    path = tmp_path / "regimes.yaml"
    path.write_text(text.replace(edit[0], edit[1], 1))
    with pytest.raises(RegimeError, match=message):
        load(path)


def test_cagr_by_hand():
    # 100 -> 121 over two years is 10 % a year; the missing middle year does not matter.
    assert cagr_pct([2000, 2001, 2002], [100.0, math.nan, 121.0]) == pytest.approx(10.0)
    assert math.isnan(cagr_pct([2000], [100.0]))


def _raw_sums(years) -> dict:
    import csv

    from conftest import SNAPSHOT

    sums: dict = {}
    with open(SNAPSHOT, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["reporter"] == "Bangladesh" and int(row["year"]) in years:
                key = (row["partner"], row["indicator"])
                sums[key] = sums.get(key, 0.0) + float(row["value_musd"])
    return sums


def test_regime_table_for_hasina2(panel, raw):
    from bilateral.panel import build_world

    world = build_world(raw)
    table = by_government(panel, world, GOVERNMENTS, "plurality").set_index(["government_id", "reported_by"])
    row = table.loc[("hasina2", "Bangladesh")]
    assert row.years == "2009–2020" and row.n_years == 12  # the snapshot ends in 2020
    # Independently of the panel code: Bangladesh's own rows of the raw snapshot, read with csv.
    sums = _raw_sums(range(2009, 2021))
    bilateral = sums[("Russian Federation", "TXG_FOB_USD")] + sums[("Russian Federation", "TMG_CIF_USD")]
    world_total = sums[("World", "TXG_FOB_USD")] + sums[("World", "TMG_CIF_USD")]
    assert row.mean_total_musd == pytest.approx(bilateral / 12)
    assert row.share_of_world_pct == pytest.approx(bilateral / world_total * 100)
    # CAGR from the 2009 and 2020 totals in DOTS_16.xlsx: (43.669075 + 192.065906) -> (442.045111 + 711.304798).
    expected = ((442.045111 + 711.304798) / (43.669075 + 192.065906)) ** (1 / 11) - 1
    assert row.cagr_total_pct == pytest.approx(expected * 100)
    # Governments with no assigned year are listed, with no numbers rather than zeros.
    assert table.loc[("mostaq", "Bangladesh")].n_years == 0
    assert math.isnan(table.loc[("mostaq", "Bangladesh")].mean_total_musd)


def test_camp_table_covers_every_year_once(panel, raw):
    from bilateral.panel import build_world

    camps = by_camp(panel, build_world(raw), GOVERNMENTS, "plurality")
    own = camps[camps.reported_by == "Bangladesh"]
    assert own.n_years.sum() == panel.year.nunique()
