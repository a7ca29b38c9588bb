"""The whole history: the pair's full series, both reporting sides, over the home country's governments.

Top panel: exports, imports and total trade on a log scale (values run from a few to over two
thousand US$ million, so a linear scale would hide the first three decades). Bottom panel: the
partner's share of the home country's world trade (%), the measure that does not grow with all
trade. Each government of the regimes file is a band; camps differ by grey level and hatching, and
each band carries the government's id, so the figure reads in greyscale.

Annual values are drawn at mid-year (year + 0.5), so that a band from a government's start day to
its end day covers the years assigned to it.
"""

from __future__ import annotations

import datetime as dt

import matplotlib

matplotlib.use("Agg")  # no screen; also keeps the rendering backend fixed across machines

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from . import theme  # noqa: E402
from .pair import PARTNER_SIDE, SIDE_JOIN, home_side, sides  # noqa: E402

# Camp styles in the order of the regimes file's `camps`: (face grey, hatch). A fifth camp and
# beyond reuse the cycle with a denser hatch.
CAMP_STYLES = [("0.84", ""), ("1.0", "///"), ("0.93", "xx"), ("1.0", "..")]
FLOWS = {
    # column: (label, line style)
    "total_musd": ("Total trade", "-"),
    "exports_musd": ("Exports of {home}", "--"),
    "imports_musd": ("Imports of {home}", ":"),
}
# One grey and marker per reporting side: the home country's report dark, the mirror lighter.
SIDE_STYLES = {"home": ("0.0", "o"), "partner": ("0.45", "s")}
COLUMNS = [
    "year",
    "reported_by",
    "reporter",
    "partner",
    "exports_musd",
    "imports_musd",
    "total_musd",
    "world_musd",
    "share_pct",
    "exports_estimate",
    "imports_estimate",
    "government_id",
    "camp",
]


def decimal_year(day: dt.date) -> float:
    """A date as a position on the year axis: 1996-06-23 -> 1996.47."""
    first = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - first).days
    return day.year + (day - first).days / length


def span(rows: pd.DataFrame) -> tuple[int, int]:
    """First and last year with a value on either side (the figure's range)."""
    known = rows[rows[["exports_musd", "imports_musd"]].notna().any(axis=1)]
    if known.empty:  # a pair of a many-pairs run with no trade reported at all: the panel's years, empty
        known = rows
    return int(known["year"].min()), int(known["year"].max())


def bands(governments, first: int, last: int) -> pd.DataFrame:
    """One band per government that held office within [first, last + 1): its id, camp and the
    start and end of its term as decimal years, cut to the figure's range."""
    low, high = float(first), float(last + 1)
    rows = []
    for government in governments:
        start = decimal_year(government.start)
        end = decimal_year(government.end) if government.end else high
        if end <= low or start >= high:
            continue
        rows.append(
            {
                "government_id": government.id,
                "government": government.government,
                "camp": government.camp,
                "start": max(start, low),
                "end": min(end, high),
            }
        )
    return pd.DataFrame(rows, columns=["government_id", "government", "camp", "start", "end"])


def series(panel: pd.DataFrame, world: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """Exactly what the figure plots (also its CSV): both sides, every year of the panel."""
    rows = panel.merge(
        world[["year", "total_musd"]].rename(columns={"total_musd": "world_musd"}), on="year", how="left"
    )
    rows["share_pct"] = rows["total_musd"] / rows["world_musd"] * 100
    rows = rows.merge(assignment, on="year", how="left")
    return rows[COLUMNS].sort_values(["reported_by", "year"], kind="stable").reset_index(drop=True)


def camp_style(camps: list[str], camp: str) -> tuple[str, str]:
    index = camps.index(camp)
    face, hatch = CAMP_STYLES[index % len(CAMP_STYLES)]
    return face, hatch * (1 + index // len(CAMP_STYLES))


def _draw_bands(axes, band_rows: pd.DataFrame, camps: list[str]) -> None:
    for ax in axes:
        for band in band_rows.itertuples(index=False):
            face, hatch = camp_style(camps, band.camp)
            ax.axvspan(
                band.start,
                band.end,
                facecolor=face,
                hatch=hatch,
                edgecolor="0.7",
                linewidth=0.4,
                zorder=0,
                gid=f"band-{band.government_id}",
            )
    top = axes[0]
    for band in band_rows.itertuples(index=False):
        top.text(
            (band.start + band.end) / 2,
            0.98,
            band.government_id,
            transform=top.get_xaxis_transform(),
            rotation=90,
            ha="center",
            va="top",
            fontsize=6.5,
            color="0.1",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.8},
            zorder=5,
        )


def _points(ax, x, y, flags, grey: str, marker: str) -> None:
    """Filled markers for reported values, hollow ones for IMF estimates."""
    for flag, face in ((False, grey), (True, "white")):
        keep = (flags == flag).to_numpy()
        ax.scatter(x[keep], y[keep], marker=marker, s=12, facecolors=face, edgecolors=grey, linewidths=0.8, zorder=4)


def plot(rows: pd.DataFrame, band_rows: pd.DataFrame, camps: list[str], title: str, source_line: str):
    """Two panels sharing the year axis: trade on a log scale, and the share of world trade."""
    theme.set_theme("white")  # seaborn's set_theme(style="white", context="paper", font="DejaVu Sans")
    home = home_side(rows)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 8.5), sharex=True, height_ratios=[3, 2])
    _draw_bands((top, bottom), band_rows, camps)
    for side in sides(rows):
        part = rows[rows["reported_by"] == side].reset_index(drop=True)
        grey, marker = SIDE_STYLES["partner" if side == PARTNER_SIDE else "home"]
        x = part["year"].to_numpy(dtype=float) + 0.5
        either = part["exports_estimate"] | part["imports_estimate"]
        for column, (_, style) in FLOWS.items():
            # A log axis cannot show zero or negative values: those points are left out, not moved.
            values = part[column].where(part[column] > 0)
            flags = {"exports_musd": part["exports_estimate"], "imports_musd": part["imports_estimate"]}.get(
                column, either
            )
            top.plot(x, values, color=grey, linestyle=style, linewidth=1.1 if column == "total_musd" else 0.8)
            _points(top, x, values.to_numpy(dtype=float), flags, grey, marker)
        bottom.plot(x, part["share_pct"], color=grey, linestyle="-", linewidth=1.1)
        _points(bottom, x, part["share_pct"].to_numpy(dtype=float), either, grey, marker)
    top.set_yscale("log")
    if not (rows[list(FLOWS)] > 0).any().any():
        # A pair of a many-pairs run with no trade reported by either side: an empty, labelled axis.
        top.set_ylim(1, 10)
        top.text(0.5, 0.5, "no trade reported by either side", transform=top.transAxes, ha="center", color="0.4")
    top.set_ylabel("US$ million (log scale)")
    bottom.set_ylabel(f"Share of {home}'s world trade (%)")
    bottom.set_ylim(bottom=0)
    if len(band_rows):
        first, last = int(np.floor(band_rows["start"].min())), int(np.ceil(band_rows["end"].max()))
    else:  # no regimes file for the home country: the years with data, each year a full step
        first, last = span(rows)
        last += 1
    bottom.set_xlim(first, last)
    ticks = list(range(first - first % 5 + 5 if first % 5 else first, last + 1, 5))
    bottom.set_xticks(ticks)
    top.set_title("Bilateral trade, both reporting sides", loc="left", fontsize=10)
    bottom.set_title("The partner's share of the home country's world trade", loc="left", fontsize=10)
    fig.legend(
        handles=_legend(rows, camps, home), loc="upper center", ncol=4, frameon=False, bbox_to_anchor=(0.5, 0.96)
    )
    fig.suptitle(title, fontsize=12, y=0.99)
    fig.text(0.01, 0.005, source_line, fontsize=7, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.03, 1, 0.9))
    return fig


def _legend(rows: pd.DataFrame, camps: list[str], home: str) -> list:
    handles = []
    for side in sides(rows):
        grey, marker = SIDE_STYLES["partner" if side == PARTNER_SIDE else "home"]
        reporters = SIDE_JOIN.join(dict.fromkeys(rows.loc[rows["reported_by"] == side, "reporter"]))
        name = f"As reported by {side}" if side != PARTNER_SIDE else f"Mirror: as reported by {reporters}"
        handles.append(Line2D([], [], color=grey, marker=marker, label=name))
    for label, style in FLOWS.values():
        handles.append(Line2D([], [], color="0.3", linestyle=style, label=label.format(home=home)))
    handles.append(
        Line2D([], [], color="0.3", linestyle="", marker="o", markerfacecolor="white", label="IMF estimate (hollow)")
    )
    for camp in camps:
        face, hatch = camp_style(camps, camp)
        handles.append(Patch(facecolor=face, hatch=hatch, edgecolor="0.7", label=f"Band: {camp}"))
    return handles


def summary(rows: pd.DataFrame) -> str:
    """The plotted numbers as text: total and share per year and side, '*' after an IMF estimate."""
    lines = [f"{'year':>4} {'side':<10} {'total':>9} {'share%':>7} government"]
    for row in rows.itertuples(index=False):
        flag = "*" if row.exports_estimate or row.imports_estimate else ""
        total = "-" if pd.isna(row.total_musd) else f"{row.total_musd:.2f}{flag}"
        share = "-" if pd.isna(row.share_pct) else f"{row.share_pct:.3f}"
        government = "-" if pd.isna(row.government_id) else row.government_id
        lines.append(f"{row.year:>4} {row.reported_by:<10} {total:>9} {share:>7} {government}")
    return "\n".join(lines)
