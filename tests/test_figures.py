"""Figure helpers: which points are marked as estimates, and gaps stay gaps."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

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
