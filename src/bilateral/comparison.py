"""The pairs of one run compared: each home country's trade with the partner as a share of its
trade with the World, by year and reporting side (tables/comparison.*, figures/comparison.*).

The share is the pair's bilateral total (exports + imports) over the home country's own World
total (exports + imports to and from the World, as it reports them), as in the regime tables and
the whole history: the home side compares the home country's two reports, the partner side the
mirror with the home country's World total. A missing flow leaves the total and the share missing,
never zero; a year with an IMF estimate in either flow is flagged.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .pair import PARTNER_SIDE, SIDE_JOIN, home_side  # noqa: E402

COLUMNS = [
    "pair",
    "home",
    "side",
    "reporter",
    "partner_code",
    "partner",
    "year",
    "exports_musd",
    "imports_musd",
    "total_musd",
    "estimate",
    "world_total_musd",
    "world_estimate",
    "share_pct",
]


def pair_rows(label: str, panel: pd.DataFrame, world: pd.DataFrame) -> pd.DataFrame:
    """One pair's rows of the comparison: both sides, every year of its panel."""
    home = home_side(panel)
    rows = panel.merge(
        world[["year", "total_musd", "estimate"]].rename(
            columns={"total_musd": "world_total_musd", "estimate": "world_estimate"}
        ),
        on="year",
        how="left",
    )
    mirror = rows["reported_by"] == PARTNER_SIDE
    rows["side"] = mirror.map({True: "partner", False: "home"})
    # As in the figure CSVs: a mirror row is the partner's report about the home country.
    rows.loc[mirror, "partner"] = home
    rows.loc[mirror, "partner_code"] = label.split("-")[0]  # the pair's label: <HOME>-<PARTNER>
    rows["estimate"] = rows["exports_estimate"].astype(bool) | rows["imports_estimate"].astype(bool)
    rows["world_estimate"] = rows["world_estimate"].astype("boolean")
    # Sums and ratios of a missing value stay missing (NaN propagates).
    rows["share_pct"] = rows["total_musd"] / rows["world_total_musd"] * 100
    rows["pair"], rows["home"] = label, home
    return rows[COLUMNS]


def table(labels, panels, worlds) -> pd.DataFrame:
    """Every pair's rows, in the run's order of pairs, home side first, by year."""
    frames = [pair_rows(label, panel, world) for label, panel, world in zip(labels, panels, worlds, strict=True)]
    order = {label: number for number, label in enumerate(labels)}
    frame = pd.concat(frames, ignore_index=True)
    frame = frame.sort_values(
        ["pair", "side", "year"], key=lambda c: c.map(order) if c.name == "pair" else c, kind="stable"
    )
    return frame.reset_index(drop=True)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per pair and side: the years with a share, its mean over them (each year once), its maximum
    with the year, and its last value."""
    rows = []
    for (pair, side), part in frame.groupby(["pair", "side"], sort=False):
        known = part[part["share_pct"].notna()]
        peak = known.loc[known["share_pct"].idxmax()] if len(known) else None
        last = known.iloc[-1] if len(known) else None
        rows.append(
            {
                "Pair": pair,
                "Home country": part["home"].iloc[0],
                # Named by country, as in every other table: the mirror side by its reporters.
                "Reported by": part["home"].iloc[0]
                if side == "home"
                else f"{SIDE_JOIN.join(dict.fromkeys(part['reporter']))} (mirror)",
                "Years with a share": f"{int(known['year'].min())}–{int(known['year'].max())} ({len(known)})"
                if len(known)
                else "none",
                "Mean share (%)": known["share_pct"].mean() if len(known) else float("nan"),
                "Highest share (%)": peak["share_pct"] if peak is not None else float("nan"),
                "Year of highest": str(int(peak["year"])) if peak is not None else "",
                "Last share (%)": last["share_pct"] if last is not None else float("nan"),
                "Last year": str(int(last["year"])) if last is not None else "",
                "Years with IMF estimates": int(known["estimate"].sum()),
            }
        )
    return pd.DataFrame(rows)


def grid(count: int) -> tuple[int, int]:
    """Columns and rows of the small multiples: up to 4 columns, a square beyond 16 pairs."""
    columns = min(count, 4) if count <= 16 else math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def plot(frame: pd.DataFrame, partner: str, source_line: str):
    """Small multiples: one panel per pair, the share (%) by year; black the home country's report,
    grey the partner's (mirror); hollow markers are IMF estimates. Each panel has its own y scale
    (shares differ by orders of magnitude), all the same years."""
    labels = list(dict.fromkeys(frame["pair"]))
    columns, rows = grid(len(labels))
    fig, axes = plt.subplots(
        rows, columns, figsize=(2.6 * columns, 1.9 * rows + 0.9), sharex=True, squeeze=False, layout="constrained"
    )
    years = frame["year"]
    for ax, label in zip(axes.flat, labels, strict=False):
        part = frame[frame["pair"] == label]
        for side, grey, style in (("home", "0.0", "-"), ("partner", "0.5", "--")):
            rows_ = part[part["side"] == side]
            # Small dots as well: a year with data between two missing ones has no line to show it.
            ax.plot(
                rows_["year"], rows_["share_pct"], color=grey, linestyle=style, linewidth=0.9, marker=".", markersize=2
            )
            flagged = rows_[rows_["estimate"] & rows_["share_pct"].notna()]
            ax.plot(
                flagged["year"],
                flagged["share_pct"],
                linestyle="",
                marker="o",
                markersize=2.5,
                markerfacecolor="white",
                markeredgecolor=grey,
            )
        ax.set_title(f"{part['home'].iloc[0]} ({label})", fontsize=7)
        ax.tick_params(labelsize=6)
        ax.set_xlim(int(years.min()), int(years.max()))
        ax.set_ylim(bottom=0)
    for ax in list(axes.flat)[len(labels) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Trade with {partner} as a share of each home country's world trade (%); "
        "black: the home country's report, grey dashed: the partner's (mirror); hollow: IMF estimate",
        fontsize=8,
    )
    fig.supxlabel(source_line, fontsize=6)
    return fig


def dpi_for(count: int, dpi: int) -> int:
    """The configured resolution, lowered for a large grid so the PNG stays under about 6,000 pixels wide."""
    columns, _ = grid(count)
    return max(72, min(dpi, int(6000 / (2.6 * columns))))
