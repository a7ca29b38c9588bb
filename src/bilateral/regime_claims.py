"""The paper's claims about camps and single governments (config/claims.yaml, claims.REGIME_CHECKS).

They are statistical statements ("highest under the Awami League", "deteriorated under Zia"), so
each is judged supported, not supported or inconclusive from an effect and its interval, on the
partner's share of the home country's world trade, the measure that does not grow with all trade:

- regime_thesis: the camp's effect from the thesis table (tables/thesis.csv, see thesis.py), per
  reporting side over the same years, and both sides together;
- government_change: the difference of the mean annual share under `government` and under
  `versus`, with a Welch t interval; supported when the interval lies on the stated side of zero,
  not supported when it lies on the other side, inconclusive otherwise. Where both sides have
  both governments' years, both use the years they share.
"""

from __future__ import annotations

import pandas as pd
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from . import thesis
from .claims import INCONCLUSIVE, NOT_COVERED, NOT_SUPPORTED, SUPPORTED, ClaimError, verdict_row
from .pair import sides

BOTH = "both sides"


def _thesis(claim: dict, table: pd.DataFrame, alpha: float) -> list[dict]:
    chosen = table[(table["sample"] == thesis.SAME_YEARS) & (table["camp"] == claim["camp"])]
    if chosen.empty:
        raise ClaimError(
            f"claim {claim['id']!r}: the thesis table has no rows for camp {claim['camp']!r}; "
            "config thesis.camp must be the claim's camp"
        )
    rows, verdicts = [], []
    for side in dict.fromkeys(chosen["reported_by"]):
        part = chosen[chosen["reported_by"] == side]
        verdict, used = thesis.side_verdict(part, alpha)
        verdicts.append(verdict)
        estimated = "; ".join(y for y in part["estimated_years"].fillna("").unique() if y)
        reason = f"{claim['camp']} vs all others over {part['years'].iloc[0]}, {part['time_control'].iloc[0]}"
        if estimated:
            reason += f"; uses IMF estimates for {estimated}"
        rows.append(verdict_row(claim, side, verdict, reason, used, bool(estimated)))
    combined = thesis.combined_verdict(verdicts)
    reason = "both reporting sides must agree: " + ", ".join(f"{r['reported_by']} {r['verdict']}" for r in rows)
    rows.append(verdict_row(claim, BOTH, combined, reason, "", any(r["uses_imf_estimates"] for r in rows)))
    return rows


def _shares(frame: pd.DataFrame, side: str, government: str) -> pd.DataFrame:
    rows = frame[(frame["reported_by"] == side) & (frame["government_id"] == government)]
    return rows.dropna(subset=["share_pct"])


def _change(claim: dict, frame: pd.DataFrame, alpha: float) -> list[dict]:
    gov, versus = claim["government"], claim["versus"]
    covered = {
        side: all(len(_shares(frame, side, g)) >= 2 for g in (gov, versus)) for side in sides(frame)
    }  # a mean and a spread need two years
    shared = None
    if all(covered.values()):
        # Both sides have both governments: compare them over the years both have.
        held = [set(pd.concat([_shares(frame, side, gov), _shares(frame, side, versus)])["year"]) for side in covered]
        shared = set.intersection(*held)
    rows = []
    for side, ok in covered.items():
        if not ok:
            reason = f"this side has fewer than two years with a share for {gov} or {versus}"
            rows.append(verdict_row(claim, side, NOT_COVERED, reason, "", False))
            continue
        now, before = _shares(frame, side, gov), _shares(frame, side, versus)
        if shared is not None:
            now, before = now[now["year"].isin(shared)], before[before["year"].isin(shared)]
        compare = CompareMeans(DescrStatsW(now["share_pct"].to_numpy()), DescrStatsW(before["share_pct"].to_numpy()))
        low, high = compare.tconfint_diff(alpha=alpha, usevar="unequal")
        difference = now["share_pct"].mean() - before["share_pct"].mean()
        sign = 1 if claim["direction"] == "up" else -1
        if sign * low > 0 and sign * high > 0:
            verdict = SUPPORTED
        elif sign * low < 0 and sign * high < 0:
            verdict = NOT_SUPPORTED
        else:
            verdict = INCONCLUSIVE
        level = f"{100 * (1 - alpha):g} %"
        used = (
            f"{gov} {thesis.years_text(now['year'])}: mean share {now['share_pct'].mean():.3f} % ({len(now)} years); "
            f"{versus} {thesis.years_text(before['year'])}: {before['share_pct'].mean():.3f} % ({len(before)} years)"
        )
        reason = (
            f"difference {difference:+.3f} pp [{level} Welch {low:+.3f}, {high:+.3f}], "
            f"stated: {'higher' if sign > 0 else 'lower'}"
        )
        estimated = pd.concat([now, before]).query("estimate")["year"]
        if len(estimated):
            reason += f"; uses IMF estimates for {thesis.years_text(estimated)}"
        rows.append(verdict_row(claim, side, verdict, reason, used, bool(len(estimated))))
    return rows


def evaluate(claims: list[dict], frame: pd.DataFrame, table: pd.DataFrame, alpha: float) -> pd.DataFrame:
    """The verdicts of the regime claims: `frame` is thesis.yearly's, `table` the thesis table."""
    rows = []
    for claim in claims:
        if claim["check"] == "regime_thesis":
            rows += _thesis(claim, table, alpha)
        elif claim["check"] == "government_change":
            rows += _change(claim, frame, alpha)
    return pd.DataFrame(rows)
