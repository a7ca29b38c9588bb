"""The thesis test (src/bilateral/thesis.py, regime_claims.py) against independent computations.

The shares and totals come from the raw CSV by hand (conftest), the year -> government assignment
from config/regimes.yaml by counting days here, the coefficients from numpy least squares and the
Frisch-Waugh-Lovell formula, the Newey-West standard error from its textbook formula, the
permutation p-value from a hand-built case and from brute force, the Welch interval from scipy.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, bangladesh_russia_by_hand, bangladesh_world_by_hand
from project_copy import built_copy, digests, run
from scipy import stats

from bilateral import claims, regime_claims, regimes, thesis
from bilateral.panel import build_world

YEARS = range(1972, 2021)
COMMON = list(range(1981, 2021))  # Russia/USSR's report of the pair starts in 1981


def camps_by_hand() -> dict[int, tuple[str, str]]:
    """year -> (government id, camp): the government in office for the most days (README's rule)."""
    document = yaml.safe_load((ROOT / "config/regimes.yaml").read_text())
    out = {}
    for year in YEARS:
        best = None
        for entry in document["governments"]:
            start = max(entry["start"], dt.date(year, 1, 1))
            end = min(entry["end"] or dt.date(9999, 1, 1), dt.date(year + 1, 1, 1))
            days = (end - start).days
            if days > 0 and (best is None or days > best[0]):
                best = (days, entry["id"], entry["camp"])
        out[year] = best[1:]
    return out


def by_hand() -> pd.DataFrame:
    """year, side, total, share, camp, government straight from the raw CSV and the regimes file."""
    sides = bangladesh_russia_by_hand(YEARS)
    world = bangladesh_world_by_hand(YEARS)
    assigned = camps_by_hand()
    rows = []
    for side, values in sides.items():
        for year in YEARS:
            total, estimate = values[year]["total"]
            rows.append(
                {
                    "year": year,
                    "reported_by": side,
                    "total": total,
                    "share": total / world[year] * 100,
                    "estimate": estimate,
                    "government_id": assigned[year][0],
                    "camp": assigned[year][1],
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def frame(raw, panel):
    return thesis.yearly(panel, build_world(raw), regimes.load(ROOT / "config/regimes.yaml"), "plurality")


@pytest.fixture(scope="module")
def table(frame):
    return thesis.results(frame, "Awami League", "trend", 9999, 20240101)


def test_yearly_shares_match_the_raw_csv(frame):
    hand = by_hand().set_index(["reported_by", "year"])
    code = frame.set_index(["reported_by", "year"])
    for key, row in hand.iterrows():
        got = code.loc[key]
        if math.isnan(row["total"]):
            assert pd.isna(got["total_musd"]) and pd.isna(got["share_pct"])  # missing stays missing
        else:
            assert got["share_pct"] == pytest.approx(row["share"], rel=1e-12)
            assert got["log_total"] == pytest.approx(math.log(row["total"]), rel=1e-12)
        assert got["government_id"] == row["government_id"] and got["camp"] == row["camp"]
        assert bool(got["estimate"]) == row["estimate"]


def test_both_sides_are_compared_over_the_same_years(frame, table):
    assert thesis.same_years(frame) == COMMON
    same = table[table["sample"] == thesis.SAME_YEARS]
    assert set(same["reported_by"]) == {"Bangladesh", "partner"}
    assert set(same["years"]) == {"1981–2020"} and set(same["n_years"]) == {40}
    # The USSR's 1981-1991 figures are IMF estimates: marked on the partner's side only.
    assert set(same.loc[same["reported_by"] == "partner", "estimated_years"]) == {"1981–1991"}
    assert same.loc[same["reported_by"] == "Bangladesh", "estimated_years"].fillna("").eq("").all()
    # Bangladesh's own report over all its years (1973-2020: 1972 has no imports) is shown as well.
    own = table[table["sample"] == thesis.OWN_YEARS]
    assert set(own["reported_by"]) == {"Bangladesh"} and set(own["years"]) == {"1973–2020"}


def _ols(y, x):
    return np.linalg.lstsq(x, y, rcond=None)[0]


@pytest.mark.parametrize("measure", ["share", "log"])
@pytest.mark.parametrize("side", ["Bangladesh", "partner"])
def test_camp_coefficient_is_least_squares_on_the_raw_numbers(table, measure, side):
    hand = by_hand()
    rows = hand[(hand["reported_by"] == side) & hand["year"].isin(COMMON)].sort_values("year")
    y = rows["share"].to_numpy() if measure == "share" else np.log(rows["total"].to_numpy())
    x = np.column_stack(
        [np.ones(len(rows)), (rows["camp"] == "Awami League").to_numpy(float), rows["year"].to_numpy(float) - 1981]
    )
    label = thesis.MEASURES["share_pct" if measure == "share" else "log_total"]
    got = table[(table["sample"] == thesis.SAME_YEARS) & (table["reported_by"] == side) & (table["measure"] == label)]
    assert got["effect"].item() == pytest.approx(_ols(y, x)[1], rel=1e-9)
    assert got["camp_years"].item() == 18  # 1996-2001 and 2009-2020


def newey_west_se(y, x, lags):
    """Newey-West (1987) by the textbook: S = sum over |l| <= L of (1 - |l|/(L+1)) sum_t x_t e_t e_{t-l} x_{t-l}',
    V = (X'X)^-1 S (X'X)^-1 n/(n-k)."""
    n, k = x.shape
    e = y - x @ _ols(y, x)
    scores = x * e[:, None]
    s = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        s += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    return np.sqrt(np.diag(bread @ s @ bread) * n / (n - k))


def test_hac_standard_error_of_a_tiny_case_by_hand():
    # Six years, two of them the camp's, a trend; the residuals are autocorrelated on purpose.
    y = np.array([1.0, 2.5, 2.0, 4.5, 3.0, 3.5])
    x = np.column_stack([np.ones(6), [0, 1, 0, 1, 0, 0], np.arange(6.0)])
    fit = thesis.hac_regression(y, x, lags=1)
    assert fit["effect"] == pytest.approx(_ols(y, x)[1], rel=1e-12)
    # One lag by hand, written out: S = G0 + (1/2)(G1 + G1').
    e = y - x @ _ols(y, x)
    g0 = sum(np.outer(x[t], x[t]) * e[t] ** 2 for t in range(6))
    g1 = sum(np.outer(x[t], x[t - 1]) * e[t] * e[t - 1] for t in range(1, 6))
    bread = np.linalg.inv(x.T @ x)
    by_hand = math.sqrt((bread @ (g0 + 0.5 * (g1 + g1.T)) @ bread)[1, 1] * 6 / 3)
    assert fit["hac_se"] == pytest.approx(by_hand, rel=1e-10)
    half = stats.t.ppf(0.975, df=3) * by_hand  # a t interval with n - k degrees of freedom
    assert (fit["ci_low"], fit["ci_high"]) == pytest.approx((fit["effect"] - half, fit["effect"] + half), rel=1e-10)


def test_hac_interval_on_the_data_by_hand(table):
    hand = by_hand()
    rows = hand[(hand["reported_by"] == "Bangladesh") & hand["year"].isin(COMMON)].sort_values("year")
    y = rows["share"].to_numpy()
    x = np.column_stack([np.ones(40), (rows["camp"] == "Awami League").to_numpy(float), np.arange(40.0)])
    lags = math.floor(4 * (40 / 100) ** (2 / 9))
    got = table[(table["sample"] == thesis.SAME_YEARS) & (table["reported_by"] == "Bangladesh")].iloc[0]
    assert got["hac_lags"] == lags == 3
    assert got["hac_se"] == pytest.approx(newey_west_se(y, x, lags)[1], rel=1e-9)


def _fwl_effect(y, d, t):
    """The camp coefficient by Frisch-Waugh-Lovell: residualise y and the indicator on (1, t)."""
    z = np.column_stack([np.ones(len(t)), t])
    resid = lambda v: v - z @ np.linalg.lstsq(z, v, rcond=None)[0]  # noqa: E731
    dr = resid(d)
    return float(dr @ resid(y) / (dr @ dr))


def _tiny(values, spells, camps):
    """A hand-made series: one row a year, its spell and the spell's camp."""
    years = list(range(2000, 2000 + len(values)))
    return pd.DataFrame(
        {
            "year": years,
            "share_pct": values,
            "government_id": spells,
            "camp": [camps[s] for s in spells],
            "log_world": np.zeros(len(years)),
        }
    )


def test_permutation_p_of_a_hand_built_case():
    # Four spells of two years; only the camp's spell (b) is high: of the 4 relabellings that give
    # the camp one spell, only the observed one reaches its effect, so p = 1/4 exactly.
    rows = _tiny([0, 0, 10, 10, 0, 0, 0, 0], list("aabbccdd"), {"a": "X", "b": "AL", "c": "Y", "d": "Y"})
    test = thesis.permutation_test(rows, "share_pct", "AL", "trend", permutations=9999, seed=1)
    assert test == {"permutation_p": 0.25, "permutations": 4, "permutation_method": "exact", "spells": 4}
    # The camp in the lowest spell instead: every relabelling is at least as large, p = 1.
    low = _tiny([5, 5, 0, 0, 5, 5, 5, 5], list("aabbccdd"), {"a": "X", "b": "AL", "c": "Y", "d": "Y"})
    assert thesis.permutation_test(low, "share_pct", "AL", "trend", 9999, 1)["permutation_p"] == 1.0


def test_exact_permutation_p_on_the_data_by_brute_force(table):
    hand = by_hand()
    rows = hand[(hand["reported_by"] == "partner") & hand["year"].isin(COMMON)].sort_values("year")
    y, t = rows["share"].to_numpy(), rows["year"].to_numpy(float)
    spells = list(dict.fromkeys(rows["government_id"]))
    assert spells == ["sattar", "ershad", "khaleda1", "hasina1", "khaleda2", "caretaker2007", "hasina2"]
    observed = _fwl_effect(y, (rows["camp"] == "Awami League").to_numpy(float), t)
    effects = [
        _fwl_effect(y, rows["government_id"].isin(chosen).to_numpy(float), t)
        for chosen in itertools.combinations(spells, 2)
    ]
    assert len(effects) == 21
    p = sum(e >= observed - 1e-12 for e in effects) / 21
    got = table[(table["sample"] == thesis.SAME_YEARS) & (table["reported_by"] == "partner")].iloc[0]
    assert got["permutation_method"] == "exact" and got["permutations"] == 21
    assert got["permutation_p"] == pytest.approx(p, abs=1e-12)


def test_monte_carlo_permutation_is_seeded_and_deterministic(frame):
    rows = frame[(frame["reported_by"] == "Bangladesh") & frame["year"].isin(COMMON)].sort_values("year")
    # Fewer draws (20) than distinct relabellings (21): Monte Carlo with the seed.
    first = thesis.permutation_test(rows, "share_pct", "Awami League", "trend", permutations=20, seed=7)
    again = thesis.permutation_test(rows, "share_pct", "Awami League", "trend", permutations=20, seed=7)
    assert first == again and first["permutation_method"] == "monte carlo" and first["permutations"] == 20
    count = first["permutation_p"] * 21 - 1  # p = (1 + count) / (1 + N)
    assert count == pytest.approx(round(count)) and 0 <= round(count) <= 20
    draws = [thesis.relabellings(list("ABBCDAE"), "A", 20, seed)[1] for seed in (7, 7, 8)]
    assert all(np.array_equal(a, b) for a, b in zip(draws[0], draws[1], strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(draws[0], draws[2], strict=True))


def _rows(low, high, p):
    return pd.DataFrame(
        {
            "measure": ["share (%)", "log trade"],
            "effect": [(a + b) / 2 for a, b in zip(low, high, strict=True)],
            "ci_low": low,
            "ci_high": high,
            "ci_level_pct": [95.0, 95.0],
            "permutation_p": p,
            "permutation_method": ["exact", "exact"],
            "permutations": [21, 21],
        }
    )


def test_verdict_rule():
    assert thesis.side_verdict(_rows([0.1, 0.2], [1.0, 2.0], [0.01, 0.04]))[0] == thesis.SUPPORTED
    # An interval above zero but a permutation p of 0.05 or more is not enough.
    assert thesis.side_verdict(_rows([0.1, 0.2], [1.0, 2.0], [0.01, 0.05]))[0] == thesis.INCONCLUSIVE
    assert thesis.side_verdict(_rows([-2.0, -1.0], [-0.1, 0.5], [0.9, 0.8]))[0] == thesis.NOT_SUPPORTED
    assert thesis.side_verdict(_rows([-1.0, -1.0], [1.0, 1.0], [0.5, 0.5]))[0] == thesis.INCONCLUSIVE
    assert thesis.combined_verdict([thesis.SUPPORTED, thesis.SUPPORTED]) == thesis.SUPPORTED
    assert thesis.combined_verdict([thesis.SUPPORTED, thesis.INCONCLUSIVE]) == thesis.INCONCLUSIVE
    assert thesis.combined_verdict([thesis.NOT_SUPPORTED, thesis.NOT_SUPPORTED]) == thesis.NOT_SUPPORTED


def test_the_paper_thesis_on_the_snapshot(frame, table):
    paper = claims.load(ROOT / "config/claims.yaml")
    verdicts = regime_claims.evaluate(paper, frame, table, 0.05).set_index(["id", "reported_by"])
    thesis_rows = verdicts.loc["s5-thesis-awami-league"]
    assert list(thesis_rows.index) == ["Bangladesh", "partner", "both sides"]
    # Over the same years (1981-2020) no measure puts the Awami League's years above the others'.
    assert set(thesis_rows["verdict"]) == {claims.INCONCLUSIVE}
    assert thesis_rows.loc["partner", "uses_imf_estimates"] and not thesis_rows.loc["Bangladesh", "uses_imf_estimates"]


def test_government_change_is_a_welch_interval_on_the_raw_shares(frame, table):
    paper = claims.load(ROOT / "config/claims.yaml")
    verdicts = regime_claims.evaluate(paper, frame, table, 0.05).set_index(["id", "reported_by"])
    hand = by_hand()
    own = hand[hand["reported_by"] == "Bangladesh"].dropna(subset=["share"])
    ershad = own.loc[own["government_id"] == "ershad", "share"].to_numpy()
    zia = own.loc[own["government_id"] == "zia", "share"].to_numpy()
    assert len(ershad) == 9 and len(zia) == 5
    va, vb = ershad.var(ddof=1) / 9, zia.var(ddof=1) / 5
    df = (va + vb) ** 2 / (va**2 / 8 + vb**2 / 4)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    difference = ershad.mean() - zia.mean()
    row = verdicts.loc[("s3-ershad-nadir", "Bangladesh")]
    assert (
        f"difference {difference:+.3f} pp [95 % Welch {difference - half:+.3f}, {difference + half:+.3f}]"
        in row["reason"]
    )
    assert row["verdict"] == claims.SUPPORTED if difference + half < 0 else claims.INCONCLUSIVE
    # The partner's report starts in 1981: nothing to compare Zia's years with.
    assert verdicts.loc[("s3-ershad-nadir", "partner"), "verdict"] == claims.NOT_COVERED


def test_unknown_government_in_a_claim_stops(tmp_path):
    claim = {"id": "x", "check": "government_change", "government": "nobody", "versus": "zia"}
    with pytest.raises(claims.ClaimError, match="'nobody' is not a government id"):
        claims.check_governments([claim], regimes.load(ROOT / "config/regimes.yaml"))


@pytest.mark.slow
def test_build_writes_the_thesis_tables_and_claims_byte_identically(shared_build, tmp_path):
    """End to end in a copy of the session's build: the thesis tables, the claims table's thesis
    rows, and a forced re-run of the two new notebooks gives the same bytes."""
    copy = built_copy(shared_build, tmp_path)
    for name in ("thesis", "thesis_share_by_camp", "thesis_share_by_government"):
        for ext in ("csv", "md", "tex", "html"):
            assert (copy / f"tables/{name}.{ext}").stat().st_size > 0
    built = pd.read_csv(copy / "tables/thesis.csv")
    assert set(built["permutation_method"]) == {"exact"}
    verdicts = pd.read_csv(copy / "tables/claims.csv")
    assert set(verdicts.loc[verdicts["id"] == "s5-thesis-awami-league", "reported_by"]) == {
        "Bangladesh",
        "USSR / Russian Federation",
        "both sides",
    }
    caption = (copy / "tables/regimes_by_camp.md").read_text().splitlines()[0]
    assert "mix regime and time" in caption and "tables/thesis" in caption
    before = digests(copy)
    run(["snakemake", "--cores", "2", "--forcerun", "thesis", "history", "claims"], copy)
    assert digests(copy) == before
    # nbval re-executes the two new notebooks and compares their key-number cells.
    checked = run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax", "--nbval-current-env"]
        + ["figures/history.ipynb", "tables/thesis.ipynb"],
        copy,
        check=False,
    )
    assert checked.returncode == 0 and "passed" in checked.stdout, checked.stdout[-4000:]
    assert digests(copy) == before
