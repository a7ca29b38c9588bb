"""The regime comparison: the pair's relationship (Bangladesh-USSR/Russia) under each home government."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .pair import home_side, sides
from .regimes import Government, assign_years

FLOWS = ("exports", "imports", "total", "balance")


def years_to_governments(panel: pd.DataFrame, governments: list[Government], rule: str) -> pd.DataFrame:
    """One row per panel year: the government and camp it is assigned to (None if none)."""
    years = sorted(panel["year"].unique())
    assigned = assign_years(governments, years, rule)
    return pd.DataFrame(
        {
            "year": years,
            "government_id": [g.id if g else None for g in assigned.values()],
            "camp": [g.camp if g else None for g in assigned.values()],
        }
    )


def cagr_pct(years: pd.Series, values: pd.Series) -> float:
    """Compound annual growth (%) between the first and last year that have a value."""
    known = pd.DataFrame({"year": years, "value": values}).dropna().sort_values("year")
    if len(known) < 2:
        return np.nan
    first, last = known.iloc[0], known.iloc[-1]
    span = last["year"] - first["year"]
    if first["value"] <= 0 or span <= 0:
        return np.nan
    return ((last["value"] / first["value"]) ** (1 / span) - 1) * 100


def _summarise(rows: pd.DataFrame, world: pd.DataFrame) -> dict:
    """Means over the years where both flows are known (so mean exports - mean imports =
    mean balance); share = sum of bilateral totals / sum of the home country's World totals."""
    rows = rows[rows["total_musd"].notna()]
    out: dict = {"years_with_data": len(rows)}
    for flow in FLOWS:
        out[f"mean_{flow}_musd"] = rows[f"{flow}_musd"].mean()
    out["cagr_total_pct"] = cagr_pct(rows["year"], rows["total_musd"])
    both = rows.merge(world[["year", "total_musd"]], on="year", suffixes=("", "_world"))
    both = both.dropna(subset=["total_musd", "total_musd_world"])
    out["share_of_world_pct"] = both["total_musd"].sum() / both["total_musd_world"].sum() * 100 if len(both) else np.nan
    out["estimated_years"] = int((rows["exports_estimate"] | rows["imports_estimate"]).sum())
    return out


def _span(years: list[int]) -> str:
    if not years:
        return ""
    return f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"


def by_government(panel, world, governments, rule) -> pd.DataFrame:
    assignment = years_to_governments(panel, governments, rule)
    rows = []
    for government in governments:
        years = assignment.loc[assignment["government_id"] == government.id, "year"].tolist()
        for side in sides(panel):
            sel = panel[(panel["reported_by"] == side) & panel["year"].isin(years)]
            rows.append(
                {
                    "government_id": government.id,
                    "government": government.government,
                    "camp": government.camp,
                    "in_office": f"{government.start} – {government.end or 'in office'}",
                    "years": _span(years),
                    "n_years": len(years),
                    "reported_by": side,
                    **_summarise(sel, world),
                }
            )
    return pd.DataFrame(rows)


def by_camp(panel, world, governments, rule, camps=None) -> pd.DataFrame:
    """One row per camp (in the order given; by default as the camps first take office) and side."""
    assignment = years_to_governments(panel, governments, rule)
    rows = []
    for camp in camps or dict.fromkeys(g.camp for g in governments):
        years = assignment.loc[assignment["camp"] == camp, "year"].tolist()
        for side in sides(panel):
            sel = panel[(panel["reported_by"] == side) & panel["year"].isin(years)]
            summary = _summarise(sel, world)
            # Growth across a camp's non-contiguous spells has no single meaning.
            summary.pop("cagr_total_pct")
            rows.append({"camp": camp, "n_years": len(years), "reported_by": side, **summary})
    return pd.DataFrame(rows)


def column_labels(panel: pd.DataFrame) -> dict:
    """Labels that name the home country ("Share of Bangladesh's world trade (%)")."""
    return {"share_of_world_pct": f"Share of {home_side(panel)}'s world trade (%)"}


def key_numbers(table: pd.DataFrame, key: str = "government_id") -> str:
    """The headline numbers, one line per row, for nbval to compare across runs."""
    lines = []
    for row in table.itertuples(index=False):
        total = "-" if pd.isna(row.mean_total_musd) else f"{row.mean_total_musd:.2f}"
        share = "-" if pd.isna(row.share_of_world_pct) else f"{row.share_of_world_pct:.3f}"
        lines.append(
            f"{getattr(row, key):<18} {row.reported_by:<10} years={row.years_with_data:>2} "
            f"mean_total={total:>9} share%={share:>6}"
        )
    return "\n".join(lines)
