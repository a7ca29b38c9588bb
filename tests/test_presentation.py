"""What readers see: the figure CSVs' labels, the claims in words, the tables laid out for reading."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from bilateral import claims, figures, pubtables

CLAIMS = ROOT / "config" / "claims.yaml"


# --- the figure CSVs name who reported each row, and about whom -----------------------------------


def test_mirror_rows_name_the_partner_as_reporter_and_the_home_country_as_partner(panel, tmp_path):
    figures.write_csv(figures.window(panel, 1985, 1995), tmp_path / "f.csv")
    rows = pd.read_csv(tmp_path / "f.csv")
    assert (rows.reported_by == rows.reporter).all()  # one way of naming the side, on every row
    mirror, own = rows[rows.report == "mirror"], rows[rows.report == "own"]
    assert len(mirror) == len(own) == 11
    # The partner in each year (README: the USSR to 1991, the Russian Federation from 1992).
    for row in mirror.itertuples():
        assert row.reporter == ("USSR" if row.year <= 1991 else "Russian Federation")
        assert row.partner == "Bangladesh"
    for row in own.itertuples():
        assert row.reporter == "Bangladesh"
        assert row.partner == ("USSR" if row.year <= 1991 else "Russian Federation")
    # The numbers are the panel's: the 1986 mirror imports are the USSR's exports to Bangladesh.
    panel_1986 = panel[(panel.year == 1986) & (panel.reported_by == "partner")].iloc[0]
    assert mirror.set_index("year").loc[1986, "imports_musd"] == pytest.approx(panel_1986.imports_musd)


# --- the claims, in words, counted correctly ------------------------------------------------------


def _claim(claim_id: str) -> dict:
    return next(c for c in claims.load(CLAIMS) if c["id"] == claim_id)


def test_checks_are_described_in_words():
    assert claims.describe(_claim("fig2-lowest-2002")) == "lowest year of total trade in 1992–2011: 2002"
    assert claims.describe(_claim("fig1-soviet-exports-1986")) == "year-on-year rise of imports in 1986, at least 20 %"
    both = claims.describe(_claim("fig2-growth-except-2009-2010"))
    assert both == "year-on-year rise of total trade in 2003–2008, 2011; fall in 2009–2010"
    for claim in claims.load(CLAIMS):
        text = claims.describe(claim)
        assert "_" not in text, text  # no configuration names (yoy_direction, sign_changes)


@pytest.mark.parametrize(("n", "expected"), [(0, "0 years"), (1, "1 year"), (2, "2 years"), (9, "9 years")])
def test_counts(n, expected):
    assert claims.count(n, "year") == expected


def test_reasons_count_years_and_times_in_english():
    # Bangladesh's imports from the USSR, 1985 -> 1986 (DOTS_16.xlsx): 38.88 -> 86.33, +122 %.
    one = pd.Series({1985: 38.88, 1986: 86.33})
    verdict, reason, _ = claims.CHECKS["yoy_direction"](one, {"up": [1986], "min_change_pct": 20})
    assert (verdict, reason) == (claims.HOLDS, "the year moves as stated by at least 20 %")
    rising = pd.Series({2000: 1.0, 2001: 2.0, 2002: 3.0})
    _, reason, _ = claims.CHECKS["yoy_direction"](rising, {"up": [2001, 2002]})
    assert reason == "all 2 years move as stated"
    _, reason, _ = claims.CHECKS["yoy_direction"](rising, {"down": [2002]})
    assert reason.startswith("expected 1 year to move as stated; not so: 2002 rose")
    signs = pd.Series({2000: 1.0, 2001: -1.0, 2002: -2.0})
    _, reason, _ = claims.CHECKS["sign_changes"](
        signs, {"window": [2000, 2002], "of": "value", "series": "balance", "min_changes": 1}
    )
    assert "changes sign 1 time in 2000-2002" in reason


# --- the claims table for readers -------------------------------------------------------------------


def _verdicts() -> pd.DataFrame:
    hostile = "<script>alert(1)</script> & *x* _y_"
    return pd.DataFrame(
        {
            "id": ["c1", "c1"],
            "section": ["§3", "§3"],
            "quote": [hostile, hostile],
            "reported_by": ["Bangladesh", "partner"],
            "series": ["imports"] * 2,
            "check": ["yoy_direction"] * 2,
            "numbers_used": ["1985->1986: 38.88->86.33 (+122.0 %)", ""],
            "uses_imf_estimates": [False, True],
            "verdict": [claims.HOLDS, claims.NOT_COVERED],
            "reason": ["the year moves as stated", "this vintage has no 1986"],
            "reading": ["read so", "read so"],
        }
    )


def test_claims_table_groups_sides_under_the_claim_with_symbols_and_unbroken_ranges():
    shown = pubtables.claims_frame(_verdicts(), lambda _: "year-on-year rise", {"partner": "USSR"})
    assert list(shown.verdict) == ["✓ holds", "– not covered by this vintage"]
    assert list(shown.reported_by) == ["Bangladesh", "USSR"]
    assert shown.numbers_used[0] == "1985\u00a0→\u00a01986: 38.88\u00a0→\u00a086.33 (+122.0\u00a0%)"
    html = pubtables.html(pubtables.claims_table(shown, "t", "Source & co_1", "note"), "Claims <checked>")
    assert "<script>" not in html and "&lt;script&gt;" in html  # cells escaped, not markup
    assert "<caption" in html and "Claims &lt;checked&gt;" in html
    assert "Source &amp; co_1" in html  # the source note as written, not read as Markdown
    assert html.count('class="gt_group_heading"') == 1  # one heading for the claim, a row per side


def test_regime_table_in_office_is_compact():
    assert pubtables.in_office("1996-06-23 – 2001-07-15") == "Jun\u00a01996\u00a0– Jul\u00a02001"
    assert pubtables.in_office("2026-02-17 – in office") == "since Feb\u00a02026"


def test_tables_name_each_reporting_side_by_its_country(panel):
    from bilateral.pair import named_sides

    table = pd.DataFrame({"reported_by": ["Bangladesh", "partner", "both sides"]})
    # The partner was the USSR to 1991 and the Russian Federation from 1992 (README, "Succession").
    assert list(named_sides(table, panel).reported_by) == ["Bangladesh", "USSR / Russian Federation", "both sides"]
