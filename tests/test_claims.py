"""The claim checks, on small series with hand-computed answers and on the paper's data."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import ROOT

from bilateral import claims
from bilateral.claims import FAILS, HOLDS, NOT_COVERED


def _panel(values: dict[int, float], series="total") -> pd.DataFrame:
    rows = [
        {"year": y, "reported_by": side, f"{series}_musd": v, "exports_estimate": False, "imports_estimate": False}
        for y, v in values.items()
        for side in ("Bangladesh", "partner")
    ]
    return pd.DataFrame(rows)


def _verdict(check: dict, values: dict[int, float], series="total") -> tuple[str, str]:
    claim = {"id": "t", "section": "s", "quote": "q", "reading": "r", "series": series, **check}
    row = claims.evaluate([claim], _panel(values, series)).iloc[0]
    return row.verdict, row.reason


SERIES = {2000: 10.0, 2001: 12.0, 2002: 9.0, 2003: 15.0, 2004: 16.0}


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        ({"check": "extremum", "kind": "min", "window": [2000, 2004], "year": 2002}, HOLDS),
        ({"check": "extremum", "kind": "max", "window": [2000, 2003], "year": 2004}, FAILS),
        ({"check": "yoy_direction", "up": [2001, 2003], "down": [2002]}, HOLDS),
        # 2004 rises by 1/15 = 6.7 %: not the 10 % the claim asks for.
        ({"check": "yoy_direction", "up": [2004], "min_change_pct": 10}, FAILS),
        ({"check": "yoy_direction", "up": [2006]}, NOT_COVERED),
        # 10 -> 15 is +50 %.
        ({"check": "growth", "from": 2000, "to": 2003, "expected_pct": 50, "tolerance_pct": 0.01}, HOLDS),
        ({"check": "growth", "from": 2000, "to": 2003, "expected_pct": 40, "tolerance_pct": 5}, FAILS),
        (
            {"check": "growth", "from": 2000, "to": 2003, "expected_pct": 40, "tolerance_pct": 5, "zero": True},
            NOT_COVERED,
        ),
        ({"check": "threshold", "year": 2004, "at_least": 16}, HOLDS),
        ({"check": "threshold", "year": 2004, "at_least": 16.01}, FAILS),
        ({"check": "threshold", "year": 2021, "at_least": 1}, NOT_COVERED),
        # Slope of 10, 12, 9, 15, 16 over 2000-2004: sum((x-2002)(y-12.4)) / 10 = 14 / 10 > 0.
        ({"check": "trend", "window": [2000, 2004], "direction": "up"}, HOLDS),
        ({"check": "trend", "window": [2000, 2004], "direction": "down"}, FAILS),
        # Year-on-year changes +2, -3, +6, +1: signs + - + +, two changes.
        ({"check": "sign_changes", "window": [2000, 2004], "of": "yoy_change", "min_changes": 2}, HOLDS),
        ({"check": "sign_changes", "window": [2000, 2004], "of": "yoy_change", "min_changes": 3}, FAILS),
    ],
)
def test_checks_by_hand(check, expected):
    values = dict(SERIES)
    if check.pop("zero", False):
        values[2000] = 0.0  # growth from nothing is undefined
    assert _verdict(check, values)[0] == expected


def test_reason_names_the_numbers():
    verdict, reason = _verdict(
        {"check": "growth", "from": 2000, "to": 2003, "expected_pct": 40, "tolerance_pct": 5}, SERIES
    )
    assert verdict == FAILS and "+50.0 %" in reason and "35 to 45 %" in reason


def test_malformed_claim_is_refused(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text(
        "pair: {home: BGD, partner: RUS, predecessor: SUN, succession_year: 1992}\n"
        "claims:\n  - {id: a, section: s, quote: q, reading: r, series: total, check: threshold, year: 2020}\n"
    )
    with pytest.raises(
        claims.ClaimError, match=r"claims.yaml, line 3: claims\[0\] \(claim 'a'\): 'at_least' is a required"
    ):
        claims.load(path)


@pytest.mark.parametrize("check", ["trend", "extremum", "sign_changes"])
def test_a_window_that_ends_before_it_starts_is_refused_naming_the_claim(tmp_path, check):
    """Before any work: else the claims notebook failed inside numpy, naming no file or claim."""
    extra = {
        "trend": "direction: up",
        "extremum": "kind: max, year: 2017",
        "sign_changes": "of: value, min_changes: 1",
    }[check]
    path = tmp_path / "claims.yaml"
    path.write_text(
        "pair: {home: BGD, partner: RUS, predecessor: SUN, succession_year: 1992}\n"
        "claims:\n  - {id: a, section: s, quote: q, reading: r, series: total,"
        f" check: {check}, window: [2019, 2016], {extra}}}\n"
    )
    with pytest.raises(
        claims.ClaimError,
        match=r"claims.yaml, line 3: claims\[0\] \(claim 'a'\): the window \[2019, 2016\] ends before it starts; "
        r"swap them: \[2016, 2019\]",
    ):
        claims.load(path)


GROWTH = "expected_pct: 5, tolerance_pct: 1"


@pytest.mark.parametrize(
    ("claim", "message"),
    [
        ("check: trend, window: [2019, 2019], direction: up", r"the window \[2019, 2019\] is one year"),
        (f"check: growth, from: 2011, to: 2010, {GROWTH}", r"growth from 2011 to 2010: 'from' must be the earlier"),
        (f"check: growth, from: 2011, to: 2011, {GROWTH}", r"growth from 2011 to 2011: 'from' must be the earlier"),
    ],
)
def test_a_claim_over_no_span_of_years_is_refused(tmp_path, claim, message):
    path = tmp_path / "claims.yaml"
    path.write_text(
        "pair: {home: BGD, partner: RUS, predecessor: SUN, succession_year: 1992}\n"
        f"claims:\n  - {{id: a, section: s, quote: q, reading: r, series: total, {claim}}}\n"
    )
    with pytest.raises(claims.ClaimError, match=r"claims.yaml, line 3: claims\[0\] \(claim 'a'\): " + message):
        claims.load(path)


def test_paper_claims_on_the_snapshot(panel):
    table = claims.evaluate(claims.load(ROOT / "config/claims.yaml"), panel).set_index(["id", "reported_by"])
    assert len(table) == 22  # 11 claims x 2 reporting sides
    # 1986: Bangladesh's imports from the USSR 38.88 -> 86.33 (DOTS_16.xlsx): +122 %.
    assert table.loc[("fig1-soviet-exports-1986", "Bangladesh"), "verdict"] == HOLDS
    assert "38.88->86.33" in table.loc[("fig1-soviet-exports-1986", "Bangladesh"), "numbers_used"]
    # 2021 is after the snapshot's last year (2020).
    assert set(table.loc["s3-trade-2021", "verdict"]) == {NOT_COVERED}
    # 2010 -> 2011 total as Bangladesh reports it: (56.229587 + 128.362402) -> (110.675913 + 291.169871).
    growth = ((110.675913 + 291.169871) / (56.229587 + 128.362402) - 1) * 100
    assert f"{growth:+.1f} %" in table.loc[("s3-growth-2010-2011", "Bangladesh"), "reason"]
    assert table.loc[("s3-growth-2010-2011", "Bangladesh"), "verdict"] == FAILS


@pytest.mark.parametrize(
    ("written", "how"),
    [
        ("1.6e1", "YAML takes a number with an exponent only with a decimal point and a sign"),
        ("'16'", "write it without quotes"),
    ],
)
def test_a_number_yaml_reads_as_text_is_named_as_such(tmp_path, written, how):
    path = tmp_path / "claims.yaml"
    path.write_text(
        "pair: {home: BGD, partner: RUS, predecessor: SUN, succession_year: 1992}\n"
        "claims:\n  - {id: a, section: s, quote: q, reading: r, series: total,"
        f" check: threshold, year: 2004, at_least: {written}}}\n"
    )
    value = written.strip("'")
    expected = rf"line 3: claims\[0\]\.at_least \(claim 'a'\): '{value}' is read as text, not a number: {how}"
    with pytest.raises(claims.ClaimError, match=expected.replace(".6", r"\.6")):
        claims.load(path)
