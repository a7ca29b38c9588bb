"""Check the paper's quantitative claims (config/claims.yaml) against a panel.

Every verdict is one of HOLDS, FAILS, NOT_COVERED, with a one-line reason naming the numbers.
Claims about governments and camps (REGIME_CHECKS: the thesis and the statements about single
governments) are statistical and are judged SUPPORTED, NOT_SUPPORTED or INCONCLUSIVE by
regime_claims.evaluate, which needs the governments and the home country's world trade.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Reading and checking the file live in claims_file (the workflow's load imports no pandas); they
# are this module's too, for whoever judges claims.
from .claims_file import SCHEMA as SCHEMA
from .claims_file import ClaimError as ClaimError
from .claims_file import check_file as check_file
from .claims_file import check_governments as check_governments
from .claims_file import load as load
from .pair import sides

HOLDS, FAILS, NOT_COVERED = "holds", "does not hold", "not covered by this vintage"
SUPPORTED, NOT_SUPPORTED, INCONCLUSIVE = "supported", "not supported", "inconclusive"
SERIES = ("exports", "imports", "total", "balance")
# Judged by regime_claims (supported / not supported / inconclusive), not against the panel alone.
REGIME_CHECKS = ("regime_thesis", "government_change")


def _fmt(value: float) -> str:
    return "missing" if pd.isna(value) else f"{value:,.2f}"


def _series(panel: pd.DataFrame, side: str, name: str) -> pd.Series:
    rows = panel[panel["reported_by"] == side].set_index("year")
    return rows[f"{name}_musd"]


def _need(series: pd.Series, years) -> list[int]:
    """Years the check needs that this vintage lacks (no row, or a missing value)."""
    return [y for y in years if y not in series.index or pd.isna(series.get(y))]


def _extremum(s, c):
    start, end = c["window"]
    missing = _need(s, range(start, end + 1))
    if missing:
        # An extreme over a window with holes could sit in a hole: no verdict.
        return NOT_COVERED, f"no value for {missing}", ""
    window = s.loc[start:end]
    found = int(window.idxmin() if c["kind"] == "min" else window.idxmax())
    used = f"{c['year']}: {_fmt(s[c['year']])}; {c['kind']} of {start}-{end}: {found} ({_fmt(window[found])})"
    if found == c["year"] or window[found] == s[c["year"]]:
        return HOLDS, f"the {c['kind']} of {start}-{end} is in {found} ({_fmt(window[found])})", used
    return (
        FAILS,
        f"the {c['kind']} of {start}-{end} is in {found} ({_fmt(window[found])}), "
        f"not {c['year']} ({_fmt(s[c['year']])})",
        used,
    )


def _yoy(s, c):
    wanted = [(y, "up") for y in c.get("up", [])] + [(y, "down") for y in c.get("down", [])]
    missing = _need(s, sorted({y for y, _ in wanted} | {y - 1 for y, _ in wanted}))
    if missing:
        return NOT_COVERED, f"no value for {missing}", ""
    floor = c.get("min_change_pct", 0)
    wrong, used = [], []
    for year, direction in sorted(wanted):
        before, now = s[year - 1], s[year]
        change = (now - before) / abs(before) * 100 if before else np.nan
        shown = "n/a" if np.isnan(change) else f"{change:+.1f} %"
        used.append(f"{year - 1}->{year}: {_fmt(before)}->{_fmt(now)} ({shown})")
        ok = now > before if direction == "up" else now < before
        if ok and floor and not abs(change) >= floor:
            ok = False
        if not ok:
            wrong.append(
                f"{year} {'rose' if now > before else 'fell' if now < before else 'was flat'} ({change:+.1f} %)"
            )
    expect = f" by at least {floor} %" if floor else ""
    if wrong:
        return (
            FAILS,
            f"expected {count(len(wanted), 'year')} to move as stated{expect}; not so: {', '.join(wrong)}",
            "; ".join(used),
        )
    moved = "the year moves" if len(wanted) == 1 else f"all {count(len(wanted), 'year')} move"
    return HOLDS, f"{moved} as stated{expect}", "; ".join(used)


def _growth(s, c):
    first, last = c["from"], c["to"]
    if _need(s, [first, last]):
        return NOT_COVERED, f"no value for {_need(s, [first, last])}", ""
    if s[first] <= 0:
        return NOT_COVERED, f"growth from {_fmt(s[first])} in {first} is undefined", f"{first}: {_fmt(s[first])}"
    growth = (s[last] / s[first] - 1) * 100
    used = f"{first}: {_fmt(s[first])}; {last}: {_fmt(s[last])}; growth {growth:+.1f} %"
    low, high = c["expected_pct"] - c["tolerance_pct"], c["expected_pct"] + c["tolerance_pct"]
    verdict = HOLDS if low <= growth <= high else FAILS
    return verdict, f"growth {first}-{last} is {growth:+.1f} %, expected {low:g} to {high:g} %", used


def _threshold(s, c):
    year = c["year"]
    if _need(s, [year]):
        return NOT_COVERED, f"this vintage has no {year} value", ""
    used = f"{year}: {_fmt(s[year])}"
    verdict = HOLDS if s[year] >= c["at_least"] else FAILS
    return verdict, f"{year} is {_fmt(s[year])} US$ m, threshold {c['at_least']:,} US$ m", used


def _trend(s, c):
    start, end = c["window"]
    years = list(range(start, end + 1))
    if _need(s, years):
        return NOT_COVERED, f"no value for {_need(s, years)}", ""
    slope = float(np.polyfit(years, s.loc[start:end].to_numpy(dtype=float), 1)[0])
    used = "; ".join(f"{y}: {_fmt(s[y])}" for y in years) + f"; slope {slope:+.1f} US$ m/year"
    ok = slope > 0 if c["direction"] == "up" else slope < 0
    return (HOLDS if ok else FAILS), f"least-squares slope {start}-{end} is {slope:+.1f} US$ m per year", used


def _sign_changes(s, c):
    start, end = c["window"]
    years = list(range(start, end + 1))
    if _need(s, years):
        return NOT_COVERED, f"no value for {_need(s, years)}", ""
    values = s.loc[start:end].astype(float)
    if c["of"] == "yoy_change":
        values = values.diff().dropna()
    signs = np.sign(values.to_numpy())
    signs = signs[signs != 0]
    changes = int((signs[1:] != signs[:-1]).sum())
    what = c["series"] if c["of"] == "value" else f"year-on-year change of {c['series']}"
    used = f"{what} signs {start}-{end}: " + "".join("+" if x > 0 else "-" for x in signs)
    verdict = HOLDS if changes >= c["min_changes"] else FAILS
    return (
        verdict,
        f"the {what} changes sign {count(changes, 'time')} in {start}-{end} (at least {c['min_changes']} stated)",
        used,
    )


def count(n: int, noun: str) -> str:
    """'1 year', '3 years', '0 years'."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


_DIRECTION = {"up": "rise", "down": "fall"}
_SERIES_WORDS = {"exports": "exports", "imports": "imports", "total": "total trade", "balance": "the trade balance"}


def describe(claim: dict) -> str:
    """The check of a claim in words a reader knows ("year-on-year rise in 1986, at least 20 %")."""
    check, series = claim["check"], _SERIES_WORDS[claim["series"]]
    if check == "extremum":
        start, end = claim["window"]
        extreme = "lowest" if claim["kind"] == "min" else "highest"
        return f"{extreme} year of {series} in {start}–{end}: {claim['year']}"
    if check == "yoy_direction":
        parts = [
            f"{_DIRECTION[direction]} in {_years_text(sorted(claim[direction]), '–')}"
            for direction in ("up", "down")
            if claim.get(direction)
        ]
        parts[0] = f"year-on-year {parts[0].replace(' in ', f' of {series} in ', 1)}"
        floor = f", at least {claim['min_change_pct']} %" if claim.get("min_change_pct") else ""
        return "; ".join(parts) + floor
    if check == "growth":
        low, high = claim["expected_pct"] - claim["tolerance_pct"], claim["expected_pct"] + claim["tolerance_pct"]
        return f"growth of {series} from {claim['from']} to {claim['to']} between {low:g} % and {high:g} %"
    if check == "threshold":
        return f"{series} in {claim['year']} of at least US$ {claim['at_least']:,} m"
    if check == "trend":
        word = "rising" if claim["direction"] == "up" else "falling"
        start, end = claim["window"]
        return f"{word} trend of {series} in {start}–{end} (least-squares slope)"
    if check == "sign_changes":
        start, end = claim["window"]
        what = (
            f"{series} changes sign"
            if claim["of"] == "value"
            else f"the year-on-year change of {series} switches between rise and fall"
        )
        return f"{what} at least {count(claim['min_changes'], 'time')} in {start}–{end}"
    if check == "regime_thesis":
        return (
            f"{claim['camp']} governments above all others, on the partner's share of world trade and on log "
            "trade, with a time control"
        )
    if check == "government_change":
        word = "higher" if claim["direction"] == "up" else "lower"
        return f"partner's mean share of world trade {word} under {claim['government']} than under {claim['versus']}"
    raise ClaimError(f"claim {claim['id']!r}: no description for check {check!r}")


def _years_text(years: list[int], dash: str = "-") -> str:
    """1981, 1982, 1983, 1985 -> '1981-1983, 1985'."""
    spans, start = [], years[0]
    for before, after in zip(years, [*years[1:], None], strict=True):
        if after != before + 1:
            spans.append(f"{start}" if start == before else f"{start}{dash}{before}")
            start = after
    return ", ".join(spans)


CHECKS = {
    "extremum": _extremum,
    "yoy_direction": _yoy,
    "growth": _growth,
    "threshold": _threshold,
    "trend": _trend,
    "sign_changes": _sign_changes,
}


def years_used(claim: dict) -> list[int]:
    """The years whose values a check reads."""
    check = claim["check"]
    if check in ("extremum", "trend", "sign_changes"):
        return list(range(claim["window"][0], claim["window"][1] + 1))
    if check == "yoy_direction":
        years = claim.get("up", []) + claim.get("down", [])
        return sorted(set(years) | {y - 1 for y in years})
    if check == "growth":
        return [claim["from"], claim["to"]]
    return [claim["year"]]


def _estimated(panel: pd.DataFrame, side: str, series: str, years: list[int]) -> list[int]:
    """Years among `years` whose value (or a component of it) is an IMF estimate."""
    rows = panel[(panel["reported_by"] == side) & panel["year"].isin(years)]
    if series in ("exports", "imports"):
        flags = rows[f"{series}_estimate"]
    else:
        flags = rows["exports_estimate"] | rows["imports_estimate"]
    return sorted(int(y) for y in rows.loc[flags.astype(bool), "year"])


def why_not_covered(panel: pd.DataFrame, side: str, series: str, years: list[int]) -> list[str]:
    """For each year a check needs but lacks, why: the vintage has no such year, a cleaning rule left
    the value out (the panel's note says which), or the reporter gave no value."""
    rows = panel[panel["reported_by"] == side].set_index("year")
    notes = rows["note"] if "note" in rows else pd.Series("", index=rows.index)
    reasons = []
    for year in years:
        if year not in rows.index:
            reasons.append(f"this vintage has no {year}")
        elif pd.isna(rows.loc[year, f"{series}_musd"]):
            note = notes[year] if isinstance(notes[year], str) else ""  # an empty note reads as NaN
            reasons.append(
                f"{year}: the cleaning rule panel.successor_rule left it out ({note})"
                if "left out" in note
                else f"{year}: no value reported"
            )
    return reasons


def verdict_row(claim: dict, side: str, verdict: str, reason: str, used: str, estimates: bool) -> dict:
    """One row of the claims table: the claim, the reporting side, the verdict and its grounds."""
    return {
        "id": claim["id"],
        "section": claim["section"],
        "quote": claim["quote"],
        "reported_by": side,
        "series": claim["series"],
        "check": claim["check"],
        "numbers_used": used,
        "uses_imf_estimates": estimates,
        "verdict": verdict,
        "reason": reason,
        "reading": " ".join(claim["reading"].split()),
    }


def evaluate(claims: list[dict], panel: pd.DataFrame) -> pd.DataFrame:
    """The panel claims' verdicts; claims of REGIME_CHECKS are left to regime_claims.evaluate."""
    rows = []
    for claim in claims:
        if claim["check"] in REGIME_CHECKS:
            continue
        for side in sides(panel):
            series = _series(panel, side, claim["series"])
            verdict, reason, used = CHECKS[claim["check"]](series, claim)
            if verdict == NOT_COVERED:
                # Say why the vintage cannot answer: a year past its end, or a cleaning rule.
                reasons = why_not_covered(panel, side, claim["series"], years_used(claim))
                reason = "; ".join(reasons) if reasons else reason
            estimates = _estimated(panel, side, claim["series"], years_used(claim)) if used else []
            if estimates:
                # E.g. the USSR's 1981-1991 figures are derived from Bangladesh's own report:
                # agreement between the two sides there is not independent confirmation.
                reason += f"; uses IMF estimates for {_years_text(estimates)}"
            rows.append(verdict_row(claim, side, verdict, reason, used, bool(estimates)))
    return pd.DataFrame(rows)
