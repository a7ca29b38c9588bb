"""Compare two vintages of the panel series by series and year by year.

This is how a reader sees why today's numbers differ from the paper's: every value of one
vintage beside the other's, the absolute and percentage revision, and the years only one has.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from . import theme  # noqa: E402
from .figures import save  # noqa: E402
from .pair import PARTNER_SIDE, home_side, side_names  # noqa: E402

FLOWS = ("exports", "imports", "total", "balance")
KEY = ["reported_by", "flow", "year"]


def long(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel as one row per reporting side, flow and year that has a value."""
    rows = panel.melt(
        id_vars=["year", "reported_by", "partner"],
        value_vars=[f"{flow}_musd" for flow in FLOWS],
        var_name="flow",
        value_name="value_musd",
    )
    rows["flow"] = rows["flow"].str.removesuffix("_musd")
    return rows.dropna(subset=["value_musd"])


def compare_values(base: pd.DataFrame, new: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Two vintages of `value_musd` rows keyed by `key`: both values, revision in US$ m and in %
    of the base, and `present_in` ('both', 'base only', 'new only'). Works on any tidy rows."""
    merged = base.merge(new, on=key, how="outer", suffixes=("_base", "_new"), indicator=True)
    merged["present_in"] = merged["_merge"].map({"both": "both", "left_only": "base only", "right_only": "new only"})
    merged["revision_musd"] = merged["value_musd_new"] - merged["value_musd_base"]
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = merged["revision_musd"] / merged["value_musd_base"].abs() * 100
    merged["revision_pct"] = pct.where(merged["value_musd_base"] != 0)
    return merged.drop(columns="_merge")


def compare(base: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """Revision table of two panels, series by series (side x flow) and year by year."""
    merged = compare_values(long(base), long(new), KEY)
    merged["partner"] = merged["partner_new"].fillna(merged["partner_base"])
    order = {flow: i for i, flow in enumerate(FLOWS)}
    merged = merged.sort_values(
        ["reported_by", "flow", "year"], key=lambda c: c.map(order) if c.name == "flow" else c, kind="stable"
    )
    columns = ["reported_by", "flow", "year", "partner", "value_musd_base", "value_musd_new"]
    columns += ["revision_musd", "revision_pct", "present_in"]
    return merged[columns].reset_index(drop=True)


def summary(table: pd.DataFrame, tolerance: float = 1e-9) -> pd.DataFrame:
    """Per series: years compared, years revised, largest revision, years in one vintage only."""
    revised = table["revision_musd"].abs() > tolerance
    grouped = table.assign(revised=revised).groupby(["reported_by", "flow"], sort=False)
    return grouped.agg(
        years_in_both=("present_in", lambda s: int((s == "both").sum())),
        years_revised=("revised", "sum"),
        largest_abs_revision_musd=("revision_musd", lambda s: s.abs().max()),
        base_only=("present_in", lambda s: int((s == "base only").sum())),
        new_only=("present_in", lambda s: int((s == "new only").sum())),
    ).reset_index()


def plot(table: pd.DataFrame, base_label: str, new_label: str, title: str):
    theme.set_theme("whitegrid")  # seaborn's set_theme(style="whitegrid", context="paper", font="DejaVu Sans")
    fig, axes = plt.subplots(2, 2, figsize=(10, 7), sharex=True)
    home, names = home_side(table), side_names(table)
    for row, side in enumerate((home, PARTNER_SIDE)):
        for col, flow in enumerate(("exports", "imports")):
            ax = axes[row][col]
            part = table[(table["reported_by"] == side) & (table["flow"] == flow)]
            # Base dashed grey with circles, new solid black with squares: readable in greyscale.
            for column, label, grey, style, marker in (
                ("value_musd_base", base_label, "0.55", "--", "o"),
                ("value_musd_new", new_label, "0.0", "-", "s"),
            ):
                ax.plot(
                    part["year"], part[column], color=grey, linestyle=style, marker=marker, markersize=3, label=label
                )
            ax.set_title(f"{flow.capitalize()} of {home}, reported by {names[side]}", loc="left", fontsize=9)
            ax.set_ylabel("US$ million")
    axes[0][0].legend(frameon=False)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def write_figure(table, base_label, new_label, png: str | Path, svg: str | Path) -> None:
    changed = (table["revision_musd"].abs() > 1e-9) | (table["present_in"] != "both")
    title = f"Revisions: {new_label} against {base_label}"
    if not changed.any():
        title += " (no differences)"
    save(plot(table, base_label, new_label, title), png, svg)
