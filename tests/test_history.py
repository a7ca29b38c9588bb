"""The whole-history figure (src/bilateral/history.py): bands against config/regimes.yaml, the
plotted numbers against the raw CSV, the log scale and the greyscale-readable camps."""

from __future__ import annotations

import datetime as dt
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import yaml
from conftest import ROOT, bangladesh_russia_by_hand, bangladesh_world_by_hand
from matplotlib.colors import to_rgba

from bilateral import history, regime_tables, regimes
from bilateral.panel import build_world

REGIMES = ROOT / "config/regimes.yaml"


@pytest.fixture(scope="module")
def drawn(raw, panel):
    governments = regimes.load(REGIMES)
    rows = history.series(panel, build_world(raw), regime_tables.years_to_governments(panel, governments, "plurality"))
    first, last = history.span(rows)
    bands = history.bands(governments, first, last)
    fig = history.plot(rows, bands, list(regimes.load_camps(REGIMES)), "t", "source")
    yield rows, fig, (first, last)
    plt.close(fig)


def _position(day: dt.date) -> float:
    """A day as a decimal year, computed here: 1 January = the year itself."""
    return day.year + (day.timetuple().tm_yday - 1) / (366 if day.year % 4 == 0 else 365)


def test_the_figure_spans_first_to_latest_year(drawn):
    rows, fig, (first, last) = drawn
    assert (first, last) == (1972, 2020)  # Bangladesh's exports start in 1972; the snapshot ends in 2020
    assert fig.axes[1].get_xlim() == (1972.0, 2021.0)


def test_band_spans_are_the_regimes_file_dates(drawn):
    _, fig, (first, last) = drawn
    document = yaml.safe_load(REGIMES.read_text())
    for ax in fig.axes[:2]:
        patches = {p.get_gid(): p for p in ax.patches if (p.get_gid() or "").startswith("band-")}
        expected = {}
        for entry in document["governments"]:
            start = _position(entry["start"])
            end = _position(entry["end"]) if entry["end"] else math.inf
            if start < last + 1 and end > first:  # held office within the figure's years
                expected[f"band-{entry['id']}"] = (max(start, first), min(end, last + 1))
        assert set(patches) == set(expected)
        assert "band-tarique" not in patches and "band-mujib" in patches  # after 2020: not drawn
        for gid, (start, end) in expected.items():
            band = patches[gid]  # axvspan: a rectangle in data x, axes y
            assert (band.get_x(), band.get_x() + band.get_width()) == pytest.approx((start, end), abs=1e-9), gid


def test_each_band_is_labelled_and_camps_differ_in_greyscale(drawn):
    _, fig, _ = drawn
    document = yaml.safe_load(REGIMES.read_text())
    camp_of = {e["id"]: e["camp"] for e in document["governments"]}
    top = fig.axes[0]
    labels = {t.get_text() for t in top.texts}
    looks = {}
    for patch in top.patches:
        gid = patch.get_gid() or ""
        if not gid.startswith("band-"):
            continue
        government = gid.removeprefix("band-")
        assert government in labels
        r, g, b, _ = to_rgba(patch.get_facecolor())
        assert r == g == b  # grey, so nothing rests on colour
        looks.setdefault(camp_of[government], set()).add((round(r, 3), patch.get_hatch() or ""))
    assert all(len(style) == 1 for style in looks.values())  # one look per camp
    assert len({next(iter(s)) for s in looks.values()}) == len(document["camps"])  # four camps, four looks


def test_log_scale_and_share_panel(drawn):
    _, fig, _ = drawn
    top, bottom = fig.axes[:2]
    assert top.get_yscale() == "log" and bottom.get_yscale() == "linear"
    low, high = top.get_ylim()
    assert low <= 3 and high >= 2100  # values from about 3 to over 2,100 US$ million fit


def test_plotted_numbers_are_the_raw_csv(drawn):
    rows, _, _ = drawn
    years = range(1972, 2021)
    sides = bangladesh_russia_by_hand(years)
    world = bangladesh_world_by_hand(years)
    plotted = rows.set_index(["reported_by", "year"])
    for side, values in sides.items():
        for year in years:
            total = values[year]["total"][0]
            got = plotted.loc[(side, year)]
            if math.isnan(total):
                # Missing stays missing: 1972 (no imports), the partner before 1981.
                assert np.isnan(got["total_musd"]) and np.isnan(got["share_pct"])
            else:
                assert got["total_musd"] == pytest.approx(total, rel=1e-12)
                assert got["share_pct"] == pytest.approx(total / world[year] * 100, rel=1e-12)
            assert bool(got["exports_estimate"] or got["imports_estimate"]) == values[year]["total"][1]
    assert plotted.loc[("partner", 1972), "government_id"] == "mujib"


def test_title_placeholders(tmp_path):
    from bilateral import settings

    config = {
        "pair": yaml.safe_load((ROOT / "config/config.yaml").read_text())["pair"],
        "history": {"title": "{home}–{partner}, {start}–{end}"},
    }
    title = settings.history_title(config)
    assert title == "Bangladesh–USSR / Russian Federation, {start}–{end}"
    assert title.format(start=1972, end=2020).endswith("1972–2020")
    config["history"]["title"] = "{nation}"
    with pytest.raises(ValueError, match="history.title"):
        settings.history_title(config)
