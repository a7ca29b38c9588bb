"""The regime tables against hand arithmetic from the raw files.

config/regimes.yaml is read here with yaml, data/raw/dots-2022/dots.csv with the csv module
(conftest.bangladesh_russia_by_hand, following the README's cleaning rules); which government a
year belongs to is found by counting days one by one, and the means, shares and growth rates are
plain sums. Nothing below calls the code under test except to get the numbers being checked:
bilateral.regime_tables.year_assignment, by_government and by_camp.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
import yaml
from conftest import ROOT, bangladesh_russia_by_hand, bangladesh_world_by_hand

from bilateral import regime_tables, regimes
from bilateral.panel import build_world

REGIMES_FILE = ROOT / "config" / "regimes.yaml"
RULES = ("plurality", "january_1", "december_31")
YEARS = range(1972, 2021)  # the snapshot's years: Bangladesh's first (1972) to the vintage's last (2020)


def _governments() -> list[dict]:
    return yaml.safe_load(REGIMES_FILE.read_text(encoding="utf-8"))["governments"]


def _in_office(government: dict, day: dt.date) -> bool:
    # README: a government holds office from its start day up to, not including, its end day.
    return government["start"] <= day and (government["end"] is None or day < government["end"])


def _by_hand(year: int, rule: str, governments: list[dict] | None = None) -> str | None:
    """The id of the government `year` belongs to, by counting the days of the year one by one."""
    governments = governments or _governments()
    if rule in ("january_1", "december_31"):
        day = dt.date(year, 1, 1) if rule == "january_1" else dt.date(year, 12, 31)
        holders = [g["id"] for g in governments if _in_office(g, day)]
        assert len(holders) <= 1
        return holders[0] if holders else None
    days = dict.fromkeys((g["id"] for g in governments), 0)
    day = dt.date(year, 1, 1)
    while day.year == year:
        for government in governments:
            if _in_office(government, day):
                days[government["id"]] += 1
        day += dt.timedelta(days=1)
    most = max(days.values())
    # Most days; a tie goes to the earlier government (the first in the file's order).
    return next(i for i, n in days.items() if n == most) if most else None


def _assignment(rule: str) -> dict[int, str | None]:
    return {year: _by_hand(year, rule) for year in YEARS}


@pytest.fixture(scope="module")
def governments():
    return regimes.load(REGIMES_FILE)


@pytest.fixture(scope="module")
def world(raw):
    return build_world(raw)


# --- which government a year belongs to ----------------------------------------------------------

# Cases written down by hand from the dates in config/regimes.yaml, with the reason.
HAND_CASES = [
    # 1972: Mujib from 12 January; nobody was in office on 1 January (the file starts there).
    (1972, "plurality", "mujib"),
    (1972, "january_1", None),
    (1972, "december_31", "mujib"),
    # 1982: Ershad took power on 24 March: 282 of 365 days; Sattar was in office on 1 January.
    (1982, "plurality", "ershad"),
    (1982, "january_1", "sattar"),
    (1982, "december_31", "ershad"),
    # 1990/1991: Shahabuddin's interim government, 6 December 1990 - 20 March 1991, holds both
    # day-rule boundary days but the most days of neither year.
    (1990, "december_31", "shahabuddin"),
    (1991, "january_1", "shahabuddin"),
    (1990, "plurality", "ershad"),
    (1991, "plurality", "khaleda1"),
    # 2006: the caretaker government took office on 29 October: in office on 31 December, but
    # Khaleda Zia held 301 days of the year.
    (2006, "december_31", "caretaker2007"),
    (2006, "january_1", "khaleda2"),
    (2006, "plurality", "khaleda2"),
    # 2009: Hasina's second government from 6 January: the caretakers held 1 January.
    (2009, "january_1", "caretaker2007"),
    (2009, "plurality", "hasina2"),
    (2009, "december_31", "hasina2"),
    # 2024 (outside this vintage): Yunus took office on 8 August: counts for 2024 under
    # december_31, not under january_1; Hasina had 217 days (1 Jan - 4 Aug, leap year).
    (2024, "december_31", "yunus"),
    (2024, "january_1", "hasina2"),
    (2024, "plurality", "hasina2"),
]


@pytest.mark.parametrize(("year", "rule", "expected"), HAND_CASES)
def test_hand_cases_of_the_year_rules(governments, year, rule, expected):
    assert _by_hand(year, rule) == expected  # the day counting agrees with the reasoning
    found = regimes.government_for_year(governments, year, rule)
    assert (found.id if found else None) == expected


@pytest.mark.parametrize("rule", RULES)
def test_year_assignment_table_equals_day_counting(panel, governments, rule):
    table = regime_tables.years_to_governments(panel, governments, rule)
    assert list(table.year) == list(YEARS)
    camp_of = {g["id"]: g["camp"] for g in _governments()}
    by_hand = _assignment(rule)
    for row in table.itertuples(index=False):
        expected = by_hand[row.year]
        # A year no government covers (1972 under january_1) is a missing cell (None or NaN).
        found = tuple(None if pd.isna(cell) else cell for cell in (row.government_id, row.camp))
        assert found == (expected, camp_of.get(expected)), (rule, row.year)


SYNTHETIC = """\
country: BGD
camps: [one, two]
governments:
  - {id: a, government: A, camp: one, start: 2000-01-01, end: 2001-01-01, source: test}
  - {id: b, government: B, camp: two, start: 2001-01-01, end: 2004-07-02, source: test}
  - {id: c, government: C, camp: one, start: 2004-07-02, end: null, source: test}
"""


@pytest.mark.parametrize(
    ("year", "rule", "expected"),
    [
        # The handover day belongs to the newcomer: B from 1 January 2001, so A is not in office then.
        (2001, "january_1", "b"),
        (2000, "december_31", "a"),
        (2000, "plurality", "a"),  # 366 days
        # 2004 is a leap year: B 1 Jan - 1 Jul = 31+29+31+30+31+30+1 = 183 days, C 2 Jul - 31 Dec = 183:
        # a tie, which goes to the earlier government.
        (2004, "plurality", "b"),
        (2004, "december_31", "c"),
        (1999, "plurality", None),  # before the first government
        (2030, "january_1", "c"),  # end: null = still in office
    ],
)
def test_boundary_days_and_ties_on_a_small_file(tmp_path, year, rule, expected):
    path = tmp_path / "regimes.yaml"
    path.write_text(SYNTHETIC)
    assert _by_hand(year, rule, yaml.safe_load(SYNTHETIC)["governments"]) == expected
    found = regimes.government_for_year(regimes.load(path), year, rule)
    assert (found.id if found else None) == expected


@pytest.mark.slow
def test_the_rules_really_differ():
    """The three rules disagree on some years of the vintage, so the checks above tell them apart."""
    plurality, first, last = (_assignment(rule) for rule in RULES)
    assert {y for y in YEARS if plurality[y] != first[y]} >= {1982, 1991, 2009}
    assert {y for y in YEARS if plurality[y] != last[y]} >= {1975, 1990, 2006}


# --- means over the years assigned ---------------------------------------------------------------


def _summary_by_hand(years: list[int], side: str) -> dict:
    """Means over the years where both flows are known (README), the share of Bangladesh's World
    total over the years where both totals are known, estimated years, and growth of the total."""
    values = bangladesh_russia_by_hand(years)[side]
    known = [y for y in years if not math.isnan(values[y]["total"][0])]
    out = {"years_with_data": len(known)}
    for flow in ("exports", "imports", "total", "balance"):
        out[f"mean_{flow}_musd"] = math.fsum(values[y][flow][0] for y in known) / len(known) if known else math.nan
    world = bangladesh_world_by_hand(known)
    both = [y for y in known if not math.isnan(world[y])]
    out["share_of_world_pct"] = (
        math.fsum(values[y]["total"][0] for y in both) / math.fsum(world[y] for y in both) * 100 if both else math.nan
    )
    out["estimated_years"] = sum(1 for y in known if values[y]["total"][1])
    if len(known) >= 2 and values[known[0]]["total"][0] > 0:
        first, last = values[known[0]]["total"][0], values[known[-1]]["total"][0]
        out["cagr_total_pct"] = ((last / first) ** (1 / (known[-1] - known[0])) - 1) * 100
    else:
        out["cagr_total_pct"] = math.nan
    return out


def _assert_row(row, expected: dict, where) -> None:
    for key, value in expected.items():
        got = getattr(row, key)
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(got), (where, key, got)  # no data: empty, never 0
        else:
            assert got == pytest.approx(value, rel=1e-12, abs=1e-12), (where, key)


@pytest.mark.parametrize("rule", RULES)
def test_camp_means_on_both_sides_equal_hand_arithmetic(panel, world, governments, rule):
    camps = yaml.safe_load(REGIMES_FILE.read_text(encoding="utf-8"))["camps"]
    camp_of = {g["id"]: g["camp"] for g in _governments()}
    assigned = _assignment(rule)
    table = regime_tables.by_camp(panel, world, governments, rule, regimes.load_camps(REGIMES_FILE))
    assert list(table.camp) == [c for c in camps for _ in (0, 1)]
    assert "cagr_total_pct" not in table.columns  # a camp's years are not one spell
    for row in table.itertuples(index=False):
        years = [y for y in YEARS if camp_of.get(assigned[y]) == row.camp]
        assert row.n_years == len(years), (rule, row.camp)
        expected = _summary_by_hand(years, row.reported_by)
        expected.pop("cagr_total_pct")
        _assert_row(row, expected, (rule, row.camp, row.reported_by))


@pytest.mark.parametrize("rule", RULES)
def test_government_rows_on_both_sides_equal_hand_arithmetic(panel, world, governments, rule):
    assigned = _assignment(rule)
    table = regime_tables.by_government(panel, world, governments, rule)
    assert list(table.government_id) == [g["id"] for g in _governments() for _ in (0, 1)]
    for row in table.itertuples(index=False):
        years = [y for y in YEARS if assigned[y] == row.government_id]
        assert row.n_years == len(years), (rule, row.government_id)
        span = "" if not years else str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
        assert row.years == span
        _assert_row(row, _summary_by_hand(years, row.reported_by), (rule, row.government_id, row.reported_by))


def test_caretaker_camp_by_hand(panel, world, governments):
    """Written out in full. Under plurality the caretaker/interim camp has 2007 and 2008 only (the
    caretakers of 2006-2009 held all of 2007 and 2008 but only 63 days of 2006 and 5 of 2009; the
    other interim governments never held most of a year). Raw CSV rows, US$ million:
    Bangladesh's report: exports to Russia 46.905855 (2007), 61.328137 (2008); imports 249.911804, 259.529397.
    Russia's report: imports from Bangladesh 87.669439, 144.63858; exports to Bangladesh 193.014853, 222.457779.
    Bangladesh's World totals: 12270.476621 + 18466.40172 (2007), 13627.575923 + 23832.899732 (2008)."""
    table = regime_tables.by_camp(panel, world, governments, "plurality").set_index(["camp", "reported_by"])
    own, mirror = table.loc[("caretaker/interim", "Bangladesh")], table.loc[("caretaker/interim", "partner")]
    assert own.n_years == 2 and own.years_with_data == 2 and mirror.years_with_data == 2
    # (46.905855 + 249.911804 + 61.328137 + 259.529397) / 2 = 617.675193 / 2
    assert own.mean_total_musd == pytest.approx(308.8375965, abs=1e-9)
    assert own.mean_balance_musd == pytest.approx((46.905855 - 249.911804 + 61.328137 - 259.529397) / 2, abs=1e-9)
    # 617.675193 / (30736.878341 + 37460.475655) * 100
    assert own.share_of_world_pct == pytest.approx(617.675193 / 68197.353996 * 100, rel=1e-12)
    # The mirror: (87.669439 + 193.014853 + 144.63858 + 222.457779) / 2 = 647.780651 / 2
    assert mirror.mean_total_musd == pytest.approx(323.8903255, abs=1e-9)
    assert mirror.mean_exports_musd == pytest.approx((87.669439 + 144.63858) / 2, abs=1e-9)
    # Under december_31 the camp also gets 1990 (Shahabuddin on 31 Dec) and 2006 (caretakers from 29 Oct).
    later = regime_tables.by_camp(panel, world, governments, "december_31").set_index(["camp", "reported_by"])
    assert later.loc[("caretaker/interim", "Bangladesh")].n_years == 4


def test_military_camp_mirror_starts_in_1981(panel, world, governments):
    """Military governments hold 1976-1980 and 1982-1990 under plurality, 14 years: Zia from
    7 November 1975 (Mujib held most of 1975) to 30 May 1981 (Sattar then held 216 days of 1981),
    Ershad from 24 March 1982. The USSR's side exists only from 1981 (IMF estimates, none before),
    so the mirror's mean runs over 1982-1990, 9 years, all estimated."""
    table = regime_tables.by_camp(panel, world, governments, "plurality").set_index(["camp", "reported_by"])
    own, mirror = table.loc[("military", "Bangladesh")], table.loc[("military", "partner")]
    assert own.n_years == 14 and own.years_with_data == 14
    assert mirror.years_with_data == 9 and mirror.estimated_years == 9
    values = bangladesh_russia_by_hand(range(1982, 1991))["partner"]
    assert mirror.mean_total_musd == pytest.approx(sum(values[y]["total"][0] for y in values) / 9, rel=1e-12)
