"""Figures: which points are marked as estimates, gaps stay gaps, and the plotted numbers are the raw data's."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import bangladesh_russia_by_hand, snapshot_cells
from matplotlib.colors import to_rgba

from bilateral import figures


def _rows():
    # Two years of each side; 2001's imports are missing on Bangladesh's side.
    return pd.DataFrame(
        {
            "year": [2000, 2001, 2002, 2000, 2001, 2002],
            "reported_by": ["Bangladesh"] * 3 + ["partner"] * 3,
            "reporter": ["Bangladesh"] * 3 + ["USSR"] * 3,
            "partner": ["USSR"] * 6,
            "exports_musd": [1.0, 2.0, 3.0, 1.5, 2.5, 3.5],
            "imports_musd": [4.0, math.nan, 6.0, 4.5, 5.5, 6.5],
            "total_musd": [5.0, math.nan, 9.0, 6.0, 8.0, 10.0],
            "balance_musd": [-3.0, math.nan, -3.0, -3.0, -3.0, -3.0],
            "exports_estimate": [False, False, False, False, True, False],
            "imports_estimate": [False, False, False, True, True, False],
            "exports_source": [""] * 6,
            "imports_source": [""] * 6,
            "note": [""] * 6,
        }
    )


def test_each_series_carries_its_own_estimate_flag():
    partner = _rows()[lambda r: r.reported_by == "partner"].reset_index(drop=True)
    assert list(figures.estimated(partner, "exports_musd")) == [False, True, False]
    assert list(figures.estimated(partner, "imports_musd")) == [True, True, False]
    assert list(figures.estimated(partner, "total_musd")) == [True, True, False]


def test_a_missing_year_breaks_the_line():
    fig = figures.plot(_rows(), "t", "source")
    top = fig.axes[0]
    imports_line = next(line for line in top.get_lines() if line.get_label() == "Imports of Bangladesh")
    assert math.isnan(imports_line.get_ydata()[1])  # drawn as a gap, not bridged
    plt.close(fig)


def test_summary_marks_estimates_and_missing():
    text = figures.summary(_rows())
    assert "2001       2.00          -          -          -" in text
    assert "2001      2.50*      5.50*      8.00*     -3.00*" in text


# --- The plotted numbers are the raw snapshot's, read back from the figure's artists ---------------
# Expected values: conftest.bangladesh_russia_by_hand, the raw CSV read with the csv module and the
# README's rules (succession 1992, fill_gaps, the mirror from the partner's report) applied by hand.


def _as_lists(by_hand: dict) -> dict:
    """side -> flow -> [(year, value, estimate)], years in order."""
    return {
        side: {flow: [(year, *by_year[year][flow]) for year in sorted(by_year)] for flow in FLOWS}
        for side, by_year in by_hand.items()
    }


FLOWS = ("exports", "imports", "total", "balance")


def _assert_same(plotted, expected, what):
    plotted = np.asarray(plotted, dtype=float)
    expected = np.asarray(expected, dtype=float)
    # NaN where and only where the source has no value (a gap, never a zero), equal elsewhere.
    np.testing.assert_array_equal(np.isnan(plotted), np.isnan(expected), err_msg=f"{what}: gaps differ")
    np.testing.assert_allclose(plotted, expected, rtol=1e-12, atol=0, equal_nan=True, err_msg=what)


@pytest.mark.parametrize(
    ("start", "end", "main_side"),
    [
        (1972, 1995, "home"),  # 1972 has no imports; the USSR side is empty before 1981; 1992 and 1994
        (2012, 2019, "home"),  # Figure 3's window
        (1981, 1991, "partner"),  # Figure 1's window, the partner's report on top
    ],
)
def test_plotted_numbers_are_the_snapshots(panel, start, end, main_side):
    expected = _as_lists(bangladesh_russia_by_hand(range(start, end + 1)))
    fig = figures.plot(figures.window(panel, start, end), "t", "source", main_side=main_side)
    try:
        order = ["Bangladesh", "partner"] if main_side == "home" else ["partner", "Bangladesh"]
        for ax, side in zip(fig.axes, order, strict=True):
            want = expected[side]
            title = ax.get_title(loc="left")
            assert title.startswith("As reported by Bangladesh" if side == "Bangladesh" else "Mirror"), title
            lines = {line.get_label(): line for line in ax.get_lines()}
            labels = {
                "exports": "Exports of Bangladesh",
                "imports": "Imports of Bangladesh",
                "total": "Total trade volume",
            }
            for flow, label in labels.items():
                line = lines[label]
                assert list(line.get_xdata()) == [y for y, _, _ in want[flow]], (side, flow)
                _assert_same(line.get_ydata(), [v for _, v, _ in want[flow]], f"{side} {flow}")
                # Markers: hollow (white face) exactly at the known values the IMF flagged as estimates.
                colour = to_rgba(line.get_color())
                points = {"filled": set(), "hollow": set()}
                for collection in ax.collections:
                    if tuple(collection.get_edgecolor()[0]) != colour:
                        continue
                    kind = "hollow" if tuple(collection.get_facecolor()[0]) == (1.0, 1.0, 1.0, 1.0) else "filled"
                    offsets = np.ma.getdata(collection.get_offsets())
                    points[kind] |= {int(x) for x, y in offsets if not np.isnan(y)}
                known = [(y, e) for y, v, e in want[flow] if not math.isnan(v)]
                assert points["hollow"] == {y for y, e in known if e}, (side, flow)
                assert points["filled"] == {y for y, e in known if not e}, (side, flow)
            (bars,) = ax.containers
            assert [p.get_x() + p.get_width() / 2 for p in bars] == [y for y, _, _ in want["balance"]]
            _assert_same([p.get_height() for p in bars], [v for _, v, _ in want["balance"]], f"{side} balance")
            assert [p.get_hatch() == "////" for p in bars] == [e for _, _, e in want["balance"]], side
    finally:
        plt.close(fig)


def test_the_windows_exercise_gaps_successions_and_estimates():
    """The cases above are not vacuous: by hand from the snapshot (DOTS_16.xlsx, DOTS_203.xlsx)."""
    cells = snapshot_cells()
    sides = _as_lists(bangladesh_russia_by_hand(range(1972, 1996)))
    own = {y: v for y, v, _ in sides["Bangladesh"]["total"]}
    mirror = {y: v for y, v, _ in sides["partner"]["total"]}
    assert math.isnan(own[1972])  # exports 12.17 but no imports: a gap, not 12.17
    assert all(math.isnan(mirror[y]) for y in range(1972, 1981))  # the USSR side starts in 1981
    assert ("Bangladesh", "Russian Federation", "TXG_FOB_USD", 1992) not in cells  # 1992 exports only under USSR
    assert {y: v for y, v, _ in sides["Bangladesh"]["exports"]}[1992] == cells[
        ("Bangladesh", "USSR", "TXG_FOB_USD", 1992)
    ][0]
    assert all(e for y, _, e in sides["partner"]["total"] if 1981 <= y <= 1991)  # USSR figures: IMF estimates
