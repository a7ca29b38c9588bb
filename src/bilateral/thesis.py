"""The paper's thesis, tested on measures that do not simply follow the time trend.

"The relationship between Bangladesh and Russia reached its highest level of cooperation under the
Awami League regimes, while it was at its lowest point under other regimes" (section 5). Nominal
means by camp mostly measure the growth of all trade over fifty years, so the camp effect is
estimated here

- on the partner's share of the home country's world trade (%), which does not grow with all trade,
  and on the log of bilateral trade, each with a time control (a linear trend or the log of the
  home country's world trade), by OLS with Newey-West (HAC) standard errors;
- by a permutation test that reassigns the camp labels to whole government spells, since years of
  one government are not independent draws.

Both reporting sides are compared over the same years only; years with IMF estimates are counted.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS  # statsmodels.api imports all of statsmodels

from .claims import INCONCLUSIVE, NOT_SUPPORTED, SUPPORTED  # one vocabulary of verdicts
from .pair import sides
from .regime_tables import years_to_governments

MEASURES = {
    "share_pct": "partner's share of the home country's world trade (%)",
    "log_total": "log of bilateral total trade (US$ m)",
}
TIME_CONTROLS = {
    "trend": "a linear time trend",
    "log_world": "the log of the home country's world trade",
}
SAME_YEARS, OWN_YEARS = "same years", "all its years"
RESULT_COLUMNS = [
    "sample",
    "reported_by",
    "measure",
    "camp",
    "time_control",
    "years",
    "n_years",
    "camp_years",
    "effect",
    "hac_se",
    "ci_low",
    "ci_high",
    "ci_level_pct",
    "hac_lags",
    "permutation_p",
    "permutations",
    "permutation_method",
    "spells",
    "seed",
    "estimated_years",
]
MIN_YEARS = 5  # a regression of three coefficients with HAC errors needs a few more years than that


def yearly(panel: pd.DataFrame, world: pd.DataFrame, governments, rule: str) -> pd.DataFrame:
    """One row per year and reporting side: bilateral total, the home country's world total, the
    share, the log of the total, the IMF-estimate flag and the government and camp of the year.
    A missing value stays missing (no log of a missing or non-positive total, no share without
    the world total)."""
    assignment = years_to_governments(panel, governments, rule)
    rows = panel[["year", "reported_by", "total_musd", "exports_estimate", "imports_estimate"]].copy()
    rows["estimate"] = rows["exports_estimate"].astype(bool) | rows["imports_estimate"].astype(bool)
    rows = rows.drop(columns=["exports_estimate", "imports_estimate"])
    rows = rows.merge(world[["year", "total_musd"]].rename(columns={"total_musd": "world_musd"}), on="year", how="left")
    rows["share_pct"] = rows["total_musd"] / rows["world_musd"] * 100
    positive = rows["total_musd"].where(rows["total_musd"] > 0)
    rows["log_total"] = np.log(positive)
    rows["log_world"] = np.log(rows["world_musd"].where(rows["world_musd"] > 0))
    rows = rows.merge(assignment, on="year", how="left")
    return rows.sort_values(["reported_by", "year"], kind="stable").reset_index(drop=True)


def _usable(rows: pd.DataFrame) -> pd.Series:
    """Years a side can enter the tests with: both measures, the world total and a government."""
    return rows[["share_pct", "log_total", "log_world"]].notna().all(axis=1) & rows["government_id"].notna()


def same_years(frame: pd.DataFrame) -> list[int]:
    """The years every reporting side can be tested on, so that the sides are compared like for like."""
    usable = frame[_usable(frame)]
    per_side = [set(usable.loc[usable["reported_by"] == side, "year"]) for side in sides(frame)]
    return sorted(set.intersection(*per_side)) if per_side else []


def samples(frame: pd.DataFrame) -> list[tuple[str, str, list[int]]]:
    """(sample, side, years): each side over the same years, then a side's own years where it has more."""
    common = same_years(frame)
    out = [(SAME_YEARS, side, common) for side in sides(frame)]
    for side in sides(frame):
        own = sorted(frame.loc[(frame["reported_by"] == side) & _usable(frame), "year"])
        if own != common:
            out.append((OWN_YEARS, side, own))
    return out


def newey_west_lags(n: int) -> int:
    """Newey and West's (1994) rule of thumb, floor(4 (n/100)^(2/9)): 3 lags for 40 years."""
    return int(math.floor(4 * (n / 100) ** (2 / 9)))


def design(rows: pd.DataFrame, camp: str, time_control: str) -> np.ndarray:
    """Columns: constant, the camp's indicator, the time control."""
    if time_control == "trend":
        control = rows["year"].to_numpy(dtype=float) - float(rows["year"].min())
    elif time_control == "log_world":
        control = rows["log_world"].to_numpy(dtype=float)
    else:
        raise ValueError(f"time control {time_control!r}: choose one of {sorted(TIME_CONTROLS)}")
    indicator = (rows["camp"] == camp).to_numpy(dtype=float)
    return np.column_stack([np.ones(len(rows)), indicator, control])


def hac_regression(y: np.ndarray, x: np.ndarray, lags: int, level: float = 0.95) -> dict:
    """OLS with Newey-West standard errors (Bartlett kernel, small-sample factor n/(n-k)) and a
    t interval with n-k degrees of freedom, for the coefficient of column 1 (the camp)."""
    fit = OLS(y, x).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}, use_t=True)
    low, high = fit.conf_int(alpha=1 - level)[1]
    return {"effect": float(fit.params[1]), "hac_se": float(fit.bse[1]), "ci_low": float(low), "ci_high": float(high)}


def ols_effect(y: np.ndarray, x: np.ndarray) -> float:
    """The camp coefficient by least squares (the permutation statistic: cheap, same as the fit's)."""
    return float(np.linalg.lstsq(x, y, rcond=None)[0][1])


def relabellings(spell_camps: list[str], camp: str, permutations: int, seed: int):
    """The camp's spells under the null, as boolean vectors over the spells, and how they were drawn.

    The statistic depends only on which spells carry the camp, so the distinct relabellings are the
    C(spells, camp's spells) choices. When there are no more than `permutations` of them, all are
    enumerated (an exact test, no randomness); otherwise `permutations` random permutations of the
    labels are drawn with numpy's default_rng(seed)."""
    n, k = len(spell_camps), sum(c == camp for c in spell_camps)
    distinct = math.comb(n, k)
    if distinct <= permutations:
        draws = []
        for chosen in itertools.combinations(range(n), k):
            vector = np.zeros(n, dtype=bool)
            vector[list(chosen)] = True
            draws.append(vector)
        return "exact", draws
    rng = np.random.default_rng(seed)
    labels = np.array([c == camp for c in spell_camps])
    return "monte carlo", [rng.permutation(labels) for _ in range(permutations)]


def permutation_test(rows: pd.DataFrame, measure: str, camp: str, time_control: str, permutations: int, seed: int):
    """One-sided test that the camp's effect is as large as observed by chance of the labelling.

    Camps move with whole government spells (the governments with years in `rows`). Exact
    enumeration: p = share of all relabellings (the observed one among them) with an effect at
    least the observed one. Monte Carlo: p = (1 + count) / (1 + N)."""
    y = rows[measure].to_numpy(dtype=float)
    x = design(rows, camp, time_control)
    observed = ols_effect(y, x)
    spells = list(dict.fromkeys(rows["government_id"]))
    spell_camps = [rows.loc[rows["government_id"] == s, "camp"].iloc[0] for s in spells]
    method, draws = relabellings(spell_camps, camp, permutations, seed)
    position = rows["government_id"].map({s: i for i, s in enumerate(spells)}).to_numpy()
    # A relabelling that reproduces the observed effect up to rounding counts as "as large".
    tolerance = 1e-9 * max(1.0, abs(observed))
    count = 0
    for draw in draws:
        x[:, 1] = draw[position]  # the camp's indicator under this relabelling
        if ols_effect(y, x) >= observed - tolerance:
            count += 1
    p = count / len(draws) if method == "exact" else (1 + count) / (1 + len(draws))
    return {"permutation_p": p, "permutations": len(draws), "permutation_method": method, "spells": len(spells)}


def years_text(years) -> str:
    years = sorted(int(y) for y in years)
    if not years:
        return ""
    spans, start = [], years[0]
    for before, after in zip(years, [*years[1:], None], strict=True):
        if after != before + 1:
            spans.append(f"{start}" if start == before else f"{start}–{before}")
            start = after
    return ", ".join(spans)


def results(
    frame: pd.DataFrame, camp: str, time_control: str, permutations: int, seed: int, alpha: float = 0.05
) -> pd.DataFrame:
    """One row per sample, reporting side and measure: the camp's effect, its (1 - alpha) HAC
    interval and the permutation p-value."""
    rows_out = []
    for sample, side, years in samples(frame):
        rows = frame[(frame["reported_by"] == side) & frame["year"].isin(years)].sort_values("year")
        camp_years = int((rows["camp"] == camp).sum())
        if len(rows) < MIN_YEARS or not 0 < camp_years < len(rows):
            # Nothing to estimate (e.g. a partner without a report of its own): no row, and the
            # verdict of that side is inconclusive, never a number made up.
            continue
        lags = newey_west_lags(len(rows))
        for measure, label in MEASURES.items():
            y = rows[measure].to_numpy(dtype=float)
            fit = hac_regression(y, design(rows, camp, time_control), lags, level=1 - alpha)
            test = permutation_test(rows, measure, camp, time_control, permutations, seed)
            rows_out.append(
                {
                    "sample": sample,
                    "reported_by": side,
                    "measure": label,
                    "camp": camp,
                    "time_control": TIME_CONTROLS[time_control],
                    "years": years_text(years),
                    "n_years": len(rows),
                    "camp_years": camp_years,
                    **fit,
                    "ci_level_pct": round(100 * (1 - alpha), 6),
                    "hac_lags": lags,
                    **test,
                    "seed": seed if test["permutation_method"] == "monte carlo" else None,
                    "estimated_years": years_text(rows.loc[rows["estimate"], "year"]),
                }
            )
    return pd.DataFrame(rows_out, columns=RESULT_COLUMNS)


def side_verdict(rows: pd.DataFrame, alpha: float = 0.05) -> tuple[str, str]:
    """The verdict of one side from its rows (one per measure) over the same years.

    supported: on every measure the HAC interval lies above zero and the permutation p < alpha;
    not supported: on some measure the interval lies below zero and on none is the effect supported;
    inconclusive: anything else."""
    if rows.empty:
        return INCONCLUSIVE, "no years to test"
    pro = (rows["ci_low"] > 0) & (rows["permutation_p"] < alpha)
    contra = rows["ci_high"] < 0
    if pro.all():
        verdict = SUPPORTED
    elif contra.any() and not pro.any():
        verdict = NOT_SUPPORTED
    else:
        verdict = INCONCLUSIVE
    return verdict, "; ".join(effect_text(row) for row in rows.itertuples())


def effect_text(row) -> str:
    unit = " log points" if row.measure.startswith("log") else " pp"
    return (
        f"{row.measure.split(' (')[0]}: {row.effect:+.3f}{unit} "
        f"[{row.ci_level_pct:g} % HAC {row.ci_low:+.3f}, {row.ci_high:+.3f}], "
        f"permutation p = {row.permutation_p:.3f} ({row.permutation_method}, {row.permutations})"
    )


def combined_verdict(verdicts: list[str]) -> str:
    """Both sides must agree: supported (or not supported) only if every side says so."""
    if verdicts and all(v == SUPPORTED for v in verdicts):
        return SUPPORTED
    if verdicts and all(v == NOT_SUPPORTED for v in verdicts):
        return NOT_SUPPORTED
    return INCONCLUSIVE


def shares(frame: pd.DataFrame, key: str, order: list[str]) -> pd.DataFrame:
    """Mean annual share (%) per camp or government (`key`), for each sample and side of
    `samples(frame)`; each year counts once, so recent decades' larger world trade does not weigh
    more. Min and max show the spread; a group with no year in a sample has empty cells."""
    rows_out = []
    for group in order:
        for sample, side, years in samples(frame):
            rows = frame[(frame[key] == group) & (frame["reported_by"] == side) & frame["year"].isin(years)]
            known = rows.dropna(subset=["share_pct"])
            rows_out.append(
                {
                    key: group,
                    "sample": sample,
                    "reported_by": side,
                    "years": years_text(known["year"]),
                    "n_years": len(known),
                    "mean_share_pct": known["share_pct"].mean() if len(known) else np.nan,
                    "min_share_pct": known["share_pct"].min() if len(known) else np.nan,
                    "max_share_pct": known["share_pct"].max() if len(known) else np.nan,
                    "estimated_years": years_text(known.loc[known["estimate"], "year"]),
                }
            )
    return pd.DataFrame(rows_out)


# Column labels of the thesis tables in the Markdown, LaTeX and HTML formats.
LABELS = {
    "sample": "Years compared",
    "measure": "Measure",
    "time_control": "Time control",
    "years": "Years",
    "n_years": "N years",
    "camp_years": "Years of the camp",
    "effect": "Camp effect",
    "hac_se": "HAC s.e.",
    "ci_low": "CI low",
    "ci_high": "CI high",
    "ci_level_pct": "CI level (%)",
    "hac_lags": "HAC lags",
    "permutation_p": "Permutation p",
    "permutations": "Relabellings",
    "permutation_method": "Permutation test",
    "spells": "Government spells",
    "seed": "Seed",
    "estimated_years": "Years with IMF estimates",
    "mean_share_pct": "Mean annual share (%)",
    "min_share_pct": "Min share (%)",
    "max_share_pct": "Max share (%)",
}


def verdicts(table: pd.DataFrame, alpha: float) -> dict[str, tuple[str, str]]:
    """Each side's verdict over the same years, and both sides' together ('both sides')."""
    same = table[table["sample"] == SAME_YEARS]
    out = {side: side_verdict(same[same["reported_by"] == side], alpha) for side in dict.fromkeys(same["reported_by"])}
    out["both sides"] = (combined_verdict([v for v, _ in out.values()]), "")
    return out
