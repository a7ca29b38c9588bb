"""Figures 1-3: the home country's trade with the partner (Bangladesh's with the USSR / Russia), both sides.

Readable in greyscale: each series has its own line style and marker, the balance is a
grey bar; IMF estimates are drawn with hollow markers and named in the legend.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no screen; also keeps the rendering backend fixed across machines

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from . import theme  # noqa: E402
from .atomic import atomic_path  # noqa: E402
from .pair import PARTNER_SIDE, SIDE_JOIN, home_side, sides  # noqa: E402

SERIES = {
    # column: (label, with {home} the home country's name; line style, marker, grey level)
    "exports_musd": ("Exports of {home}", "-", "o", "0.0"),
    "imports_musd": ("Imports of {home}", "--", "s", "0.35"),
    "total_musd": ("Total trade volume", ":", "^", "0.15"),
}


def estimated(rows: pd.DataFrame, column: str) -> pd.Series:
    """Which points of a series are IMF estimates: a flow's own flag; a sum, either flow's."""
    if column == "exports_musd":
        return rows["exports_estimate"]
    if column == "imports_musd":
        return rows["imports_estimate"]
    return rows["exports_estimate"] | rows["imports_estimate"]


PLOTTED_COLUMNS = [
    "year",
    "reported_by",
    "reporter",
    "partner",
    "exports_musd",
    "imports_musd",
    "total_musd",
    "balance_musd",
    "exports_estimate",
    "imports_estimate",
    "exports_source",
    "imports_source",
    "note",
]


def window(panel: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    """Exactly the rows a figure plots (this is also the figure's CSV)."""
    rows = panel[(panel["year"] >= start) & (panel["year"] <= end)]
    return rows[PLOTTED_COLUMNS].sort_values(["reported_by", "year"], kind="stable").reset_index(drop=True)


def resolve_years(panel: pd.DataFrame, start, end) -> tuple[int, int]:
    """A window's years; `earliest`/`latest` (left so when the data were not there before the run)
    become the first/last year with any flow in the panel."""
    known = panel[panel["exports_musd"].notna() | panel["imports_musd"].notna()]["year"]
    return (int(known.min()) if start == "earliest" else int(start)), (
        int(known.max()) if end == "latest" else int(end)
    )


def empty_spans(rows: pd.DataFrame, start: int, end: int) -> list[tuple[int, int]]:
    """The runs of years in start..end where neither reporting side has a value for any flow."""
    known = set(rows.loc[rows["exports_musd"].notna() | rows["imports_musd"].notna(), "year"])
    spans, run = [], []
    for year in range(start, end + 1):
        if year in known:
            if run:
                spans.append((run[0], run[-1]))
            run = []
        else:
            run.append(year)
    if run:
        spans.append((run[0], run[-1]))
    return spans


def side_title(rows: pd.DataFrame, side: str) -> str:
    if side != PARTNER_SIDE:
        return f"As reported by {side}"
    reporters = SIDE_JOIN.join(dict.fromkeys(rows["reporter"]))
    label = f"Mirror: as reported by the partner ({reporters})"
    flagged = rows["exports_estimate"] | rows["imports_estimate"]
    if len(rows) and flagged.all():
        label += ", all IMF estimates"
    return label


def labelled(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows as the figure CSVs give them: each row names who reported it and about whom.

    In the panel a mirror row keeps the pair's partner in `partner` and the word "partner" in
    `reported_by` (the panel's side key). In the CSV the mirror rows name the partner as `reporter`
    and the home country as `partner`, `reported_by` is the reporter's name on every row, and
    `report` says which side a row is: "own" (the home country's report) or "mirror"."""
    out = rows.copy()
    mirror = out["reported_by"] == PARTNER_SIDE
    out.loc[mirror, "partner"] = home_side(rows)
    out["reported_by"] = out["reporter"]
    out.insert(out.columns.get_loc("reported_by") + 1, "report", mirror.map({True: "mirror", False: "own"}))
    return out


def write_csv(rows: pd.DataFrame, path: str | Path) -> None:
    """The figure's numbers as CSV, labelled for readers of the file (`labelled`)."""
    write_rows(labelled(rows), path)


def write_rows(frame: pd.DataFrame, path: str | Path) -> None:
    """A tidy frame as CSV, whole or not at all, with the same bytes on every platform."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, lineterminator="\n")


def summary(rows: pd.DataFrame) -> str:
    """The plotted numbers as text, 2 decimals, '*' after an IMF estimate, '-' if missing."""
    lines = []
    for side in sides(rows):
        part = rows[rows["reported_by"] == side]
        lines.append(f"{side_title(part, side)} (US$ million)")
        lines.append(f"{'year':>4} {'exports':>10} {'imports':>10} {'total':>10} {'balance':>10}")
        for row in part.itertuples(index=False):
            cells = []
            for flow in ("exports", "imports", "total", "balance"):
                value = getattr(row, f"{flow}_musd")
                flag = {"exports": row.exports_estimate, "imports": row.imports_estimate}.get(
                    flow, row.exports_estimate or row.imports_estimate
                )
                text = "-" if pd.isna(value) else f"{value:.2f}{'*' if flag else ''}"
                cells.append(f"{text:>10}")
            lines.append(f"{row.year:>4} " + " ".join(cells))
    return "\n".join(lines)


def _draw(ax, rows: pd.DataFrame, home: str) -> None:
    years = rows["year"]
    # A balance built on an estimated flow is hatched, as hollow markers mark estimated points.
    hatches = ["////" if flag else "" for flag in estimated(rows, "balance_musd")]
    ax.bar(years, rows["balance_musd"], color="0.8", edgecolor="0.45", width=0.6, hatch=hatches, label="Trade balance")
    for column, (label, style, marker, grey) in SERIES.items():
        # ax.plot breaks the line at a missing year instead of bridging it.
        ax.plot(years, rows[column], color=grey, linestyle=style, label=label.format(home=home))
        flags = estimated(rows, column)
        for flag, face in ((False, grey), (True, "white")):
            keep = flags == flag
            ax.scatter(
                years[keep],
                rows.loc[keep, column],
                marker=marker,
                s=28,
                facecolors=face,
                edgecolors=grey,
                linewidths=1.0,
                zorder=3,
            )
    ax.axhline(0, color="0.2", linewidth=0.6)
    ax.set_ylabel("US$ million")
    ax.set_xlabel("")


MAIN_SIDES = ("home", "partner")


def plot(rows: pd.DataFrame, title: str, source_line: str, main_side: str = "home", years=None):
    """Two panels: `main_side` ('home' or 'partner') on top, the other reporting side below, over
    `years` (first, last; default: the rows' years), any year without data shaded and labelled."""
    if main_side not in MAIN_SIDES:
        raise ValueError(f"main_side {main_side!r}: choose one of {list(MAIN_SIDES)}")
    theme.set_theme("whitegrid")  # seaborn's set_theme(style="whitegrid", context="paper", font="DejaVu Sans")
    home = home_side(rows)
    order = sides(rows) if main_side == "home" else sides(rows)[::-1]
    fig, axes = plt.subplots(2, 1, figsize=(8, 8.2), sharex=True, sharey=True)
    for ax, side in zip(axes, order, strict=True):
        part = rows[rows["reported_by"] == side].reset_index(drop=True)
        _draw(ax, part, home)
        label = side_title(part, side)
        if part["total_musd"].isna().all():
            label += ": no data in this vintage"
        ax.set_title(label, loc="left", fontsize=10)
    first, last = years if years else (int(rows["year"].min()), int(rows["year"].max()))
    # Years the window asks for but the data do not have stay on the axis, visibly empty.
    spans = empty_spans(rows, first, last)
    for ax in axes:
        for low, high in spans:
            ax.axvspan(low - 0.5, high + 0.5, facecolor="0.93", edgecolor="0.6", hatch="..", linewidth=0, zorder=0)
            ax.text(
                (low + high) / 2,
                0.5,
                "no data in this vintage",
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                rotation=90 if high - low < 3 else 0,
                fontsize=8,
                color="0.2",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 2},
            )
        if spans:
            ax.set_xlim(first - 0.7, last + 0.7)
    years = list(range(first, last + 1))
    axes[-1].set_xticks(years)
    axes[-1].set_xticklabels([str(y) for y in years], rotation=90 if len(years) > 12 else 0)
    handles = [
        Line2D([], [], color=g, linestyle=s, marker=m, label=lab.format(home=home)) for lab, s, m, g in SERIES.values()
    ]
    handles.append(plt.Rectangle((0, 0), 1, 1, facecolor="0.8", edgecolor="0.45", label="Trade balance"))
    # The estimate key only where something is an estimate, each mark as drawn: a hollow marker for
    # an estimated point, a hatched bar for a balance built on an estimated flow.
    flagged = estimated(rows, "total_musd") & (rows["exports_musd"].notna() | rows["imports_musd"].notna())
    if flagged.any():
        handles.append(
            Line2D([], [], color="0.3", linestyle="", marker="o", markerfacecolor="white", label="IMF estimate")
        )
    if (estimated(rows, "balance_musd") & rows["balance_musd"].notna()).any():
        handles.append(
            plt.Rectangle(
                (0, 0), 1, 1, facecolor="0.8", edgecolor="0.45", hatch="////", label="Balance on an IMF estimate"
            )
        )
    fig.legend(handles=handles, loc="upper center", ncol=3, frameon=False, bbox_to_anchor=(0.5, 0.955))
    fig.suptitle(title, fontsize=12, y=0.985)
    fig.text(0.01, 0.005, source_line, fontsize=7, ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.035, 1, 0.91))
    literal_text(fig)
    return fig


def literal_text(fig) -> None:
    """Draw every title, label, legend entry and note as written: `$5 m to $10 m` in a title from the
    config is two dollar amounts, not mathematics (matplotlib's mathtext would take the text between
    two `$` as a formula), and never TeX. Tick labels are left alone: their formatters may use
    mathtext on purpose (e.g. 10^3 on a log axis)."""
    ticks = set()
    for ax in fig.axes:
        ticks.update(ax.get_xticklabels(which="both") + ax.get_yticklabels(which="both"))
        ticks.update((ax.xaxis.get_offset_text(), ax.yaxis.get_offset_text()))
    for text in fig.findobj(Text):
        if text not in ticks:
            text.set_parse_math(False)
            text.set_usetex(False)


def save(fig, png: str | Path, svg: str | Path, dpi: int = 300) -> None:
    """PNG and SVG with no timestamps or random ids, so reruns give identical bytes; texts as written."""
    literal_text(fig)
    with matplotlib.rc_context({"svg.hashsalt": "bilateral", "svg.fonttype": "path"}):
        with atomic_path(png) as tmp:
            fig.savefig(tmp, format="png", dpi=dpi, metadata={"Software": None})
        with atomic_path(svg) as tmp:
            fig.savefig(tmp, format="svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
