"""A claim the vintage cannot answer says why: the year is past the vintage, or a cleaning rule left
the value out."""

from __future__ import annotations

from conftest import ROOT

from bilateral import claims
from bilateral.panel import PanelSettings, build_panel


def _not_covered(panel):
    verdicts = claims.evaluate(claims.load(ROOT / "config/claims.yaml"), panel)
    rows = verdicts[verdicts.verdict == claims.NOT_COVERED]
    return {(row.id, row.reported_by): row.reason for row in rows.itertuples()}


def test_a_year_past_the_vintage_is_named(panel):
    # dots-2022 ends in 2020 (its README); the paper's 2021 figure cannot be checked on either side.
    reasons = _not_covered(panel)
    assert reasons[("s3-trade-2021", "Bangladesh")] == "this vintage has no 2021"
    assert reasons[("s3-trade-2021", "partner")] == "this vintage has no 2021"


def test_a_value_left_out_by_the_successor_rule_is_named(raw):
    # Bangladesh's 1992 exports to Russia exist only as 14.90 booked under 'USSR' (README, "Cleaning
    # decisions"); with `ignore` the 1992-2011 minimum cannot be found on Bangladesh's side.
    reasons = _not_covered(build_panel(raw, PanelSettings(successor_rule="ignore")))
    reason = reasons[("fig2-lowest-2002", "Bangladesh")]
    assert reason.startswith("1992: the cleaning rule panel.successor_rule left it out")
    assert "14.90 booked under USSR" in reason
    # The default rule uses that value: no such verdict.
    assert ("fig2-lowest-2002", "Bangladesh") not in _not_covered(build_panel(raw))
