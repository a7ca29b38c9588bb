"""Figure windows say what the data cover: `earliest`/`latest`, years past the data drawn empty with a
warning, a window with no data refused before any notebook runs."""

from __future__ import annotations

import copy
import csv
import json

import matplotlib
import pandas as pd
import pytest
import yaml
from conftest import ROOT, SNAPSHOT
from project_copy import built_copy, run
from snakemake.utils import validate

from bilateral import figures, settings


@pytest.fixture(scope="module")
def config():
    loaded = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    validate(loaded, str(ROOT / "config/schema.yaml"), set_default=True)
    return loaded


def with_figure(config, **figure):
    changed = copy.deepcopy(config)
    changed["figures"]["extra"] = {"title": "{home}–{partner}, {start}–{end}", "main_side": "home", **figure}
    return changed


def pair_years_by_hand() -> list[int]:
    """Years with any value between Bangladesh and the USSR (to 1991) or Russia (from 1992), either
    side reporting, read from the raw snapshot with the csv module."""
    years = set()
    with open(SNAPSHOT, newline="") as handle:
        for row in csv.DictReader(handle):
            year = int(row["year"])
            partner = "USSR" if year < 1992 else "Russian Federation"
            pair = {row["reporter"], row["partner"]} == {"Bangladesh", partner}
            if pair and row["value_musd"] and year >= 1972:
                years.add(year)
    return sorted(years)


def test_the_coverage_is_the_pairs_years_in_the_raw_file(config):
    years = pair_years_by_hand()
    assert settings.data_coverage(config, SNAPSHOT) == {"with_data": [years[0], years[-1]]}
    assert (years[0], years[-1]) == (1972, 2020)  # dots-2022 ends in 2020 (its README)


def test_the_kept_coverage_is_the_computed_one_and_follows_the_raw_file(config, tmp_path):
    """The workflow keeps the coverage in .snakemake/ (a no-op need not re-read the raw file): the kept
    answer is the one computed from the file, and an edit of the file or of the settings recomputes it."""
    years = pair_years_by_hand()
    cache, raw = tmp_path / "coverage.json", tmp_path / "dots.csv"
    raw.write_bytes(SNAPSHOT.read_bytes())
    assert settings.data_coverage(config, raw, cache=cache) == {"with_data": [years[0], years[-1]]}
    assert len(json.loads(cache.read_text())) == 1
    assert settings.data_coverage(config, raw, cache=cache) == {"with_data": [years[0], years[-1]]}
    assert len(json.loads(cache.read_text())) == 1  # read back, not computed and kept again
    # Without the 2020 rows of the pair the data end in 2019: same size of cache key, new answer.
    lines = raw.read_text().splitlines(keepends=True)
    kept = [line for line in lines if not (",2020," in line and "Bangladesh" in line and "Russian" in line)]
    assert len(kept) < len(lines)
    raw.write_text("".join(kept))
    assert settings.data_coverage(config, raw, cache=cache) == {"with_data": [years[0], 2019]}
    later = copy.deepcopy(config)
    later["panel"]["first_year"] = 1980
    assert settings.data_coverage(later, raw, cache=cache) == {"with_data": [1980, 2019]}
    assert len(json.loads(cache.read_text())) == 3


def test_earliest_and_latest_resolve_from_the_data(config):
    changed = with_figure(config, start="earliest", end="latest")
    coverage = {"with_data": [1972, 2020]}
    assert settings.resolve_window(changed, "extra", coverage, "dots-2022") == (1972, 2020, None)
    # Before an IMTS vintage is pulled the data are unknown: the notebook resolves them from the panel.
    assert settings.resolve_window(changed, "extra", None, "imts-2026-11-28") == ("earliest", "latest", None)


def test_a_window_partly_past_the_data_is_kept_with_a_warning(config):
    start, end, warning = settings.resolve_window(
        with_figure(config, start=2018, end=2024), "extra", {"with_data": [1972, 2020]}, "dots-2022"
    )
    assert (start, end) == (2018, 2024)
    assert "figures.extra: 2018–2024 reaches past the data: dots-2022 has no data for 2021–2024" in warning


def test_a_window_wholly_past_the_data_is_refused_naming_key_window_and_coverage(config):
    with pytest.raises(ValueError, match="config figures.extra: 2021–2024 has no data; dots-2022 covers 1972–2020"):
        settings.resolve_window(
            with_figure(config, start=2021, end=2024), "extra", {"with_data": [1972, 2020]}, "dots-2022"
        )


def test_a_literal_title_that_names_other_years_is_flagged():
    warning = settings.title_years_warning("figure3", "Trade, 2012–2019", 2018, 2024)
    assert "names 2012–2019, but the window is 2018–2024" in warning
    assert settings.title_years_warning("figure3", "Trade, 2018–2024", 2018, 2024) is None
    assert settings.title_years_warning("figure3", "Trade", 2018, 2024) is None


def test_empty_spans_are_the_runs_of_years_without_any_flow():
    rows = pd.DataFrame(
        {
            "year": [2000, 2001, 2002, 2003, 2000, 2001, 2002, 2003],
            "exports_musd": [1.0, None, None, 2.0, None, None, None, None],
            "imports_musd": [None, None, None, None, 3.0, None, None, None],
        }
    )
    # 2001-2002 have no value on either side; 2004-2005 have no rows at all.
    assert figures.empty_spans(rows, 2000, 2005) == [(2001, 2002), (2004, 2005)]


def test_the_empty_span_is_drawn_and_labelled(panel):
    rows = figures.window(panel, 2018, 2024)
    fig = figures.plot(rows, "t", "source", years=(2018, 2024))
    for ax in fig.axes[:2]:
        labels = [text.get_text() for text in ax.texts]
        assert labels == ["no data in this vintage"]
        spans = [p for p in ax.patches if isinstance(p, matplotlib.patches.Rectangle) and p.get_hatch() == ".."]
        assert len(spans) == 1 and spans[0].get_x() == pytest.approx(2020.5)
        assert ax.get_xlim()[1] > 2024
    assert [int(t.get_text()) for t in fig.axes[1].get_xticklabels()] == list(range(2018, 2025))


@pytest.mark.slow
def test_windows_past_the_data_build_or_stop_as_the_issue_asks(shared_build, tmp_path):
    project = built_copy(shared_build, tmp_path)
    overlay = project / "overlay.yaml"
    overlay.write_text(yaml.safe_dump({"figures": {"figure3": {"start": 2018, "end": 2024, "title": "{start}–{end}"}}}))
    built = run(["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "overlay.yaml"], project)
    assert "figures.figure3: 2018–2024 reaches past the data" in built.stderr
    assert sorted(pd.read_csv(project / "figures/figure3.csv").year.unique()) == [2018, 2019, 2020]

    overlay.write_text(yaml.safe_dump({"figures": {"figure5": {"start": 2021, "end": 2024, "title": "t"}}}))
    (project / "figures/figure1.png").unlink()  # work is pending, yet nothing may run
    refused = run(
        ["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "overlay.yaml"], project, check=False
    )
    assert refused.returncode != 0
    assert "config figures.figure5: 2021–2024 has no data; dots-2022 covers 1972–2020" in refused.stderr
    assert not (project / "figures/figure1.png").exists() and not list(project.glob("figures/figure5.*"))


def _legend(fig) -> list[str]:
    return [text.get_text() for text in fig.legends[0].get_texts()]


def test_the_estimate_key_shows_only_where_there_are_estimates(panel):
    # 1981-1991: the USSR's side is all IMF estimates (README), balances included.
    fig1 = figures.plot(figures.window(panel, 1981, 1991), "t", "s")
    assert "IMF estimate" in _legend(fig1) and "Balance on an IMF estimate" in _legend(fig1)
    hatched = [h for h in fig1.legends[0].legend_handles if getattr(h, "get_hatch", lambda: None)() == "////"]
    assert len(hatched) == 1
    # 2012-2019: no value of either side is flagged in the raw file.
    rows = figures.window(panel, 2012, 2019)
    assert not (rows.exports_estimate | rows.imports_estimate).any()
    fig3 = figures.plot(rows, "t", "s")
    assert not [label for label in _legend(fig3) if "estimate" in label]
