"""Cleaning: the mirror kept apart, the succession, the 1992 rule, missing stays missing."""

from __future__ import annotations

import math
import re

import pytest

from bilateral.panel import PanelSettings, build_panel, build_world
from bilateral.schemas import DataValidationError, read_raw


def _raw_value(raw, reporter, partner, indicator, year):
    rows = raw[
        (raw.reporter == reporter) & (raw.partner == partner) & (raw.indicator == indicator) & (raw.year == year)
    ]
    return rows.iloc[0].value_musd if len(rows) else math.nan


def _row(panel, year, side):
    rows = panel[(panel.year == year) & (panel.reported_by == side)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_each_side_comes_from_its_own_reporter(raw, panel):
    for year, partner, partner_name in ((1986, "SUN", "USSR"), (2011, "RUS", "Russian Federation")):
        own, mirror = _row(panel, year, "Bangladesh"), _row(panel, year, "partner")
        assert own.partner_code == partner == mirror.partner_code
        assert own.exports_musd == _raw_value(raw, "Bangladesh", partner_name, "TXG_FOB_USD", year)
        assert own.imports_musd == _raw_value(raw, "Bangladesh", partner_name, "TMG_CIF_USD", year)
        # The mirror: the partner's imports from Bangladesh are Bangladesh's exports.
        assert mirror.exports_musd == _raw_value(raw, partner_name, "Bangladesh", "TMG_CIF_USD", year)
        assert mirror.imports_musd == _raw_value(raw, partner_name, "Bangladesh", "TXG_FOB_USD", year)
        assert mirror.reporter == partner_name


def test_known_values_from_the_workbooks(panel):
    # DOTS_16.xlsx 'Imports, CIF', USSR, 1986 and DOTS_203.xlsx 'Exports, FOB', Bangladesh, 1986.
    assert _row(panel, 1986, "Bangladesh").imports_musd == 86.33000000000003  # stored so in the cell
    mirror = _row(panel, 1986, "partner")
    assert mirror.imports_musd == 78.48 and mirror.imports_estimate and mirror.exports_estimate
    # 2011: 110.675913 + 291.169871 (DOTS_16.xlsx), summed by hand: 401.845784.
    assert _row(panel, 2011, "Bangladesh").total_musd == pytest.approx(401.845784, abs=1e-9)
    assert _row(panel, 2011, "Bangladesh").balance_musd == pytest.approx(110.675913 - 291.169871)


def test_succession_year_switches_the_partner(panel):
    assert set(panel[panel.year <= 1991].partner) == {"USSR"}
    assert set(panel[panel.year >= 1992].partner) == {"Russian Federation"}


def test_missing_stays_missing(panel):
    first = _row(panel, 1972, "Bangladesh")
    assert first.exports_musd == 12.17  # DOTS_16.xlsx, USSR, 1972
    assert math.isnan(first.imports_musd) and math.isnan(first.total_musd) and math.isnan(first.balance_musd)
    # The USSR did not report; no IMF estimates before 1981.
    before = panel[(panel.reported_by == "partner") & (panel.year < 1981)]
    assert before.exports_musd.isna().all() and before.imports_musd.isna().all()
    assert not (panel[["exports_musd", "imports_musd"]] == 0).any().any()


@pytest.mark.parametrize(
    ("rule", "exports_1992", "exports_1994"),
    [
        # DOTS_16.xlsx: USSR 1992 = 14.899973857102 (no Russia value);
        # 1994: Russian Federation 21.9023101449022, USSR 0.484380589006796.
        ("fill_gaps", 14.899973857102, 21.9023101449022),
        ("add", 14.899973857102, 21.9023101449022 + 0.484380589006796),
        ("ignore", math.nan, 21.9023101449022),
    ],
)
def test_exports_booked_under_ussr_after_1991(raw, rule, exports_1992, exports_1994):
    panel = build_panel(raw, PanelSettings(successor_rule=rule))
    row_1992, row_1994 = _row(panel, 1992, "Bangladesh"), _row(panel, 1994, "Bangladesh")
    if math.isnan(exports_1992):
        assert math.isnan(row_1992.exports_musd)
    else:
        assert row_1992.exports_musd == pytest.approx(exports_1992, rel=1e-15)
    assert row_1994.exports_musd == pytest.approx(exports_1994, rel=1e-15)
    assert "booked under USSR" in row_1992.note and rule in row_1992.note
    # The rule concerns Bangladesh's own report only; the mirror is untouched.
    assert _row(panel, 1992, "partner").exports_musd == 12.5  # DOTS_162.xlsx imports from BD


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="successor_rule 'guess' unknown"):
        PanelSettings(successor_rule="guess")


def test_world_totals(raw):
    world = build_world(raw).set_index("year")
    assert world.loc[2019, "exports_musd"] == 35919.38811  # DOTS_16.xlsx, World, 2019
    assert world.loc[2019, "total_musd"] == pytest.approx(35919.38811 + 55095.294344)
    assert math.isnan(world.loc[1972, "total_musd"])


def test_bad_raw_value_names_file_line_and_column(tmp_path):
    from conftest import SNAPSHOT

    lines = SNAPSHOT.read_text().splitlines()
    # Line 3 of the file is lines[2]; make its value negative.
    fields = lines[2].split(",")
    fields[7] = "-" + fields[7]
    lines[2] = ",".join(fields)
    lines[5] = lines[5].replace(",False", ",maybe")
    bad = tmp_path / "dots.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match=re.escape(str(bad))) as err:
        read_raw(bad)
    message = str(err.value)
    assert str(bad) in message
    assert "line 3: row fails trade flows are >= 0" in message
    assert "line 6, column 'estimate': 'maybe'" in message


def test_unparseable_year_is_located(tmp_path):
    from conftest import SNAPSHOT

    lines = SNAPSHOT.read_text().splitlines()
    fields = lines[9].split(",")
    fields[6] = "19x7"
    lines[9] = ",".join(fields)
    bad = tmp_path / "dots.csv"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataValidationError, match=r"line 10, column 'year': '19x7'"):
        read_raw(bad)
