"""Many pairs in one run (issue 12): the config's forms, the workbooks' name mapping and cache,
and an end-to-end run of South Asian homes x Russia checked against the workbooks by hand."""

from __future__ import annotations

import csv
import html
import json
import math
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import ROOT, WORKBOOKS, needs_workbooks, skip_or_fail
from project_copy import run, tracked_copy
from snakemake.utils import validate
from workbook_subset import file_of, of_reporters, subset

from bilateral import dots_cache, pairs
from bilateral.notebooks import parameters_for
from bilateral.pair import PairError

SCHEMA = str(ROOT / "config" / "schema.yaml")
NAMES = ROOT / "config" / "dots_names.csv"
MEMORANDUM = "Memorandum Items"


def _config(**overlay) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text()) | overlay
    validate(config, SCHEMA, set_default=True)
    return config


def _names() -> dict[str, str]:
    return dots_cache.name_of_code(dots_cache.load_names(NAMES))


# --- config forms -------------------------------------------------------------------------------


def test_default_config_has_one_pair_at_the_papers_paths():
    found = pairs.configured(_config(), _names())
    assert list(found) == [""]  # the wildcard value of the paper's paths
    assert found[""].home.code == "BGD" and found[""].predecessor.code == "SUN"


def test_compact_and_list_forms_give_the_same_pairs():
    compact = pairs.configured(_config(pairs={"homes": ["IND", "PAK", "BGD"], "partner": "RUS"}), _names())
    listed = pairs.configured(_config(pairs=["IND-RUS", {"home": "PAK", "partner": "RUS"}]), _names())
    assert list(compact) == list(listed) == ["", "IND-RUS/", "PAK-RUS/"]  # BGD-RUS is the first pair: once
    india = compact["IND-RUS/"]
    # Names from config/dots_names.csv as the workbooks print them; Russia's predecessor inherited.
    assert (india.home.name, india.partner.name) == ("India", "Russian Federation")
    assert india.predecessor.code == "SUN" and compact == listed
    # A partner without a predecessor in the first pair gets none; an explicit one is kept.
    china = pairs.configured(_config(pairs=["IND-CHN"]), _names())["IND-CHN/"]
    assert china.predecessor is None and china.partner.name == "China, P.R.: Mainland"


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (["XXX-RUS"], r"pairs\[0\]\.home: 'XXX' is not an IMTS code"),
        ([{"home": "IND", "partner": "ZZZ"}], r"pairs\[0\]\.partner: 'ZZZ'"),
        (["IND-IND"], r"pairs\[0\]: .*three different codes"),
    ],
)
def test_a_wrong_pair_is_named(section, message):
    with pytest.raises(PairError, match=message):
        pairs.configured(_config(pairs=section), _names())


def test_schema_refuses_a_malformed_pair():
    with pytest.raises(Exception, match=r"instance\['pairs'\]"):
        _config(pairs=["India-Russia"])


@pytest.mark.parametrize("example", sorted((ROOT / "config" / "examples").glob("*.yaml")), ids=lambda p: p.name)
def test_example_configs_are_valid_and_name_known_countries(example):
    overlay = yaml.safe_load(example.read_text())
    config = _config(**overlay)
    found = pairs.configured(config, _names())
    assert len(found) > 1 and config["source"] == "dots-2022-xlsx"
    assert all(re.fullmatch(pairs.PATTERN, key) for key in found)


def test_a_missing_optional_input_is_none_for_the_notebook():
    # A pair whose home country has no regimes file: its notebooks see regimes_path = None.
    assert parameters_for({}, {"regimes": []}, {})["regimes_path"] is None
    assert parameters_for({}, {"regimes": "config/regimes.yaml"}, {})["regimes_path"] == "config/regimes.yaml"


# --- the workbooks' names and cache ------------------------------------------------------------


def _column_b(path: Path) -> list[dict[int, str | None]]:
    """Row number -> value of column B, for each sheet of a workbook, read from the XLSX file's XML
    directly: neither openpyxl nor the project's reader, and over ten times faster than openpyxl
    for the 235 workbooks (test_the_plain_reader_agrees_with_openpyxl checks it against openpyxl)."""
    with zipfile.ZipFile(path) as book:
        files = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in files:
            xml = book.read("xl/sharedStrings.xml")
            # What this plain reader does not handle (empty items, phonetic runs, prefixed tags)
            # would shift or garble names: none is in the 235 workbooks, and it must stay so.
            assert not re.search(rb"<si\s*/>|<rPh\b|<\w+:si\b", xml), f"{path}: shared strings this reader cannot read"
            shared = [_text(item) for item in _SHARED.findall(xml)]
            assert len(shared) == int(re.search(rb'uniqueCount="(\d+)"', xml).group(1)), path
        sheets = sorted((n for n in files if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), key=_sheet_number)
        columns = []
        for sheet in sheets:
            cells = {}
            xml = book.read(sheet)
            for attributes, body in _CELL_IN_B.findall(xml):
                found = dict(_ATTRIBUTE.findall(attributes))
                value = _VALUE.search(body or b"")
                kind = found.get(b"t")
                if kind == b"s":
                    cells[int(found[b"r"][1:])] = shared[int(value.group(1))]
                elif kind == b"inlineStr":
                    cells[int(found[b"r"][1:])] = _text(body)
                else:
                    cells[int(found[b"r"][1:])] = html.unescape(value.group(1).decode()) if value else None
            # Every cell of column B read: as many as the sheet has references to it.
            assert len(cells) == len(re.findall(rb'\sr="B\d+"', xml)), f"{path} {sheet}: a cell in B missed"
            columns.append(cells)
        return columns


_SHARED = re.compile(rb"<si>(.*?)</si>", re.S)
_TEXT = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_CELL_IN_B = re.compile(rb'<c\s(?=[^>]*\br="B\d+")([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_ATTRIBUTE = re.compile(rb'(\w+)="([^"]*)"')
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)


def _text(xml: bytes) -> str:
    return html.unescape(b"".join(_TEXT.findall(xml)).decode())


def _sheet_number(name: str) -> int:
    return int(re.search(r"(\d+)\.xml$", name).group(1))


def _workbook_names(path: Path) -> set[str]:
    """Reporter (B4) and partner names (column B from row 8, above the memorandum block) of both sheets."""
    names = set()
    for column in _column_b(path):
        names.add(str(column[4]).strip())
        for number in sorted(n for n in column if n >= 8 and column[n] is not None):
            if str(column[number]).strip() == MEMORANDUM:
                break
            names.add(str(column[number]).strip())
    return names


@needs_workbooks
@pytest.mark.parametrize("reporter", ["Bangladesh", "USSR", "Nicaragua", "Russian Federation"])
def test_the_plain_reader_agrees_with_openpyxl(reporter):
    path = WORKBOOKS / file_of(reporter)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        by_openpyxl = []
        for sheet in book.worksheets:
            rows = sheet.iter_rows(min_col=2, max_col=2, values_only=True)
            by_openpyxl.append({number: value for number, (value,) in enumerate(rows, start=1)})
    finally:
        book.close()
    plain = _column_b(path)
    assert len(plain) == len(by_openpyxl) == 2
    for ours, theirs in zip(plain, by_openpyxl, strict=True):
        # openpyxl lists empty rows as None; the XML has no cell there.
        assert {row: value for row, value in theirs.items() if value is not None} == {
            row: value for row, value in ours.items() if value is not None
        }
    assert reporter in _workbook_names(path)


@pytest.mark.slow
@needs_workbooks
def test_every_name_in_the_workbooks_maps_to_a_code_or_is_a_group():
    with open(WORKBOOKS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        files = [row["file"] for row in csv.DictReader(handle)]
    assert len(files) == 235
    seen = set()
    for name in files:
        seen |= _workbook_names(WORKBOOKS / name)
    with open(NAMES, newline="", encoding="utf-8") as handle:
        rows = {row["name"]: row for row in csv.DictReader(handle)}
    missing = sorted(seen - set(rows))
    assert not missing, f"names of the workbooks not in {NAMES}: {missing}"
    countries = [row for row in rows.values() if row["kind"] == "country"]
    assert all(re.fullmatch(r"[A-Z]{3}", row["code"]) for row in countries)
    codes = [row["code"] for row in rows.values() if row["code"]]
    assert len(codes) == len(set(codes)), "a code is given to two names"
    groups = {"World", "Advanced Economies", "Emerging and Developing Asia", "Euro Area", "Sub-Saharan Africa"}
    assert all(rows[name]["kind"] == "aggregate" for name in groups)
    assert {rows[n]["code"] for n in ("Bangladesh", "Russian Federation", "USSR", "World")} == {
        "BGD",
        "RUS",
        "SUN",
        "G001",
    }


@needs_workbooks
def test_cache_keeps_every_value_its_flag_and_is_byte_identical(tmp_path):
    folder = subset(tmp_path / "xlsx", [file_of("Bangladesh"), file_of("USSR")])
    first = dots_cache.write(folder, tmp_path / "a", NAMES, processes=2)
    again = dots_cache.write(folder, tmp_path / "b", NAMES, processes=1)
    assert first.read_bytes() == again.read_bytes()
    cache = pd.read_parquet(first)
    # Bangladesh's exports to the USSR, 1992, as the workbook has it (the 14.90 the README names).
    exports = cache[cache.indicator == "TXG_FOB_USD"]
    row = exports[(exports.reporter == "Bangladesh") & (exports.partner == "USSR") & (exports.year == 1992)]
    assert row.value_musd.round(2).tolist() == [14.90] and row.partner_code.tolist() == ["SUN"]
    # The USSR's figures for Bangladesh, 1981-1991, are IMF estimates ('78.48 e'): all flagged; and as
    # many flagged values as the workbook has estimate strings (row 8, the stray Australia copy, aside).
    ussr = cache[cache.reporter_code == "SUN"]
    for_bangladesh = ussr[ussr.partner_code == "BGD"]
    assert for_bangladesh.estimate.all() and set(for_bangladesh.year) == set(range(1981, 1992))
    book = openpyxl.load_workbook(WORKBOOKS / file_of("USSR"), read_only=True, data_only=True)
    strings = sum(
        isinstance(cell, str) and cell.endswith(" e")
        for sheet in book.worksheets
        for row in sheet.iter_rows(min_row=9, min_col=3, values_only=True)
        for cell in row
    )
    book.close()
    assert strings > 0 and int(ussr.estimate.sum()) == strings
    # Memorandum rows keep no code; no row without a value (a missing value has no row).
    assert (cache.loc[cache.partner_kind == "memorandum", "partner_code"] == "").all()
    assert cache.value_musd.notna().all()
    record = json.loads((tmp_path / "a" / "provenance.json").read_text())
    assert record["extract"]["reporters"] == 2 and len(record["source_workbooks"]) == 2


@needs_workbooks
def test_cache_stops_on_a_name_the_mapping_lacks(tmp_path):
    folder = subset(tmp_path / "xlsx", [file_of("Bangladesh")])
    names = tmp_path / "names.csv"
    names.write_text("".join(line for line in NAMES.read_text().splitlines(True) if not line.startswith("India,")))
    with pytest.raises(dots_cache.CacheError, match=r"names not in .*\['India'\]"):
        dots_cache.build(folder, names, processes=1)
    assert not (tmp_path / "out").exists()


# --- South Asia x Russia, end to end -----------------------------------------------------------

HOMES = {"IND": "India", "PAK": "Pakistan", "LKA": "Sri Lanka"}


def _sheet_values(reporter: str, sheet: str, partner: str) -> dict[int, tuple[float, bool]]:
    """One row of a workbook by hand: year -> (value, IMF estimate); an empty cell gives no year."""
    book = openpyxl.load_workbook(WORKBOOKS / file_of(reporter), read_only=True, data_only=True)
    try:
        rows = list(book[sheet].iter_rows(values_only=True))
    finally:
        book.close()
    years = {col: int(text) for col, text in enumerate(rows[6]) if col >= 2 and text}
    row = next((r for r in rows[7:] if r[1] == partner), None)
    values = {}
    if row is None:  # the partner has no row in this workbook: no year has a value
        return values
    for col, year in years.items():
        cell = row[col]
        if isinstance(cell, str):
            values[year] = (float(cell.removesuffix(" e").replace(",", "")), True)
        elif cell is not None:
            values[year] = (float(cell), False)
    return values


@pytest.fixture(scope="module")
def south_asia(tmp_path_factory):
    if not (WORKBOOKS / "INDEX.csv").exists():
        skip_or_fail(f"IMF DOTS workbooks not found in {WORKBOOKS} (set BILATERAL_DOTS_XLSX to their folder)")
    base = tmp_path_factory.mktemp("south-asia")
    folder = of_reporters(base / "xlsx", ["Bangladesh", "Russian Federation", "USSR", *HOMES.values()])
    project = tracked_copy(base / "project")
    overlay = project / "south-asia.yaml"
    overlay.write_text(yaml.safe_dump({"source": "dots-2022-xlsx", "pairs": {"homes": list(HOMES), "partner": "RUS"}}))
    command = ["snakemake", "--cores", "2", "--configfile", "config/config.yaml", str(overlay)]
    run(command, project, env={"BILATERAL_DOTS_XLSX": str(folder)})
    return project


@pytest.mark.slow
@pytest.mark.xdist_group("south-asia")
def test_every_pair_has_its_figures_and_only_bangladesh_its_regime_tables(south_asia):
    for code in HOMES:
        folder = f"{code}-RUS"
        for name in ("figure1", "figure2", "figure3", "history"):
            assert (south_asia / "figures" / folder / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert not (south_asia / "tables" / folder).exists()  # no regimes file for the home country
    assert (south_asia / "tables/thesis.csv").exists() and (south_asia / "figures/figure1.png").exists()
    india = pd.read_csv(south_asia / "figures/IND-RUS/history.csv")
    assert set(india.reporter[india.reported_by == "India"]) == {"India"} and india.government_id.isna().all()


@pytest.mark.slow
@pytest.mark.xdist_group("south-asia")
def test_comparison_numbers_are_the_workbooks(south_asia):
    table = pd.read_csv(south_asia / "tables/comparison.csv")
    assert list(dict.fromkeys(table.pair)) == ["BGD-RUS", "IND-RUS", "PAK-RUS", "LKA-RUS"]
    for code, name in HOMES.items():
        own = table[(table.pair == f"{code}-RUS") & (table.side == "home")].set_index("year")
        mirror = table[(table.pair == f"{code}-RUS") & (table.side == "partner")].set_index("year")
        # panel.successor_rule fill_gaps (the default): from 1992, a year the home country books
        # under the USSR and not under Russia counts for Russia (India's 1993, for example).
        exports = _sheet_values(name, "Exports, FOB", "USSR") | _sheet_values(
            name, "Exports, FOB", "Russian Federation"
        )
        imports = _sheet_values(name, "Imports, CIF", "USSR") | _sheet_values(
            name, "Imports, CIF", "Russian Federation"
        )
        world_x = _sheet_values(name, "Exports, FOB", "World")
        world_m = _sheet_values(name, "Imports, CIF", "World")
        rus_m = _sheet_values("Russian Federation", "Imports, CIF", name)
        rus_x = _sheet_values("Russian Federation", "Exports, FOB", name)
        for year in range(1992, 2021):
            world = world_x[year][0] + world_m[year][0] if year in world_x and year in world_m else None
            if year in exports and year in imports and world:
                expected = (exports[year][0] + imports[year][0]) / world * 100
                assert own.loc[year, "share_pct"] == pytest.approx(expected, rel=1e-12), (code, year)
                assert bool(own.loc[year, "estimate"]) == (exports[year][1] or imports[year][1])
            else:  # a missing flow or World total: the share stays missing, never zero
                assert math.isnan(own.loc[year, "share_pct"]), (code, year)
            if year in rus_m and year in rus_x and world:
                expected = (rus_m[year][0] + rus_x[year][0]) / world * 100
                assert mirror.loc[year, "share_pct"] == pytest.approx(expected, rel=1e-12), (code, year)
            else:
                assert math.isnan(mirror.loc[year, "share_pct"]), (code, year)
        # Who reported each row: the home country its own rows; the partner (USSR, then Russia) the
        # mirror rows, which are about the home country.
        assert set(own.reporter) == {name} and set(mirror.partner) == {name}
        assert set(mirror.partner_code) == {code} and set(own.partner_code) <= {"SUN", "RUS"}
        assert set(mirror.reporter) <= {"USSR", "Russian Federation"}, set(mirror.reporter)
        # The USSR's side 1981-1991 is the IMF's estimate from the home country's report: flagged.
        ussr = mirror.loc[1981:1991]
        assert ussr.loc[ussr.share_pct.notna(), "estimate"].all() and ussr.share_pct.notna().any()


@pytest.mark.xdist_group("south-asia")
def test_report_and_record_cover_every_pair(south_asia):
    page = (south_asia / "report/index.html").read_text()
    assert 'id="comparison"' in page and 'id="pairs-table"' in page
    assert 'href="../figures/IND-RUS/history.png"' in page
    record = json.loads((south_asia / "report/provenance.json").read_text())
    assert set(record["pairs"]) == {"IND-RUS", "PAK-RUS", "LKA-RUS"}
    labelled = {item["pair"] for item in record["products"] if "pair" in item}
    assert labelled == {"IND-RUS", "PAK-RUS", "LKA-RUS"}
    assert any(item["rule"] == "comparison" for item in record["products"])
    assert record["data_provenance"]["dataset"] == "dots-2022-xlsx"


@pytest.mark.slow
@pytest.mark.xdist_group("south-asia")
def test_back_to_the_default_config_leaves_the_papers_outputs_only(south_asia, tmp_path):
    project = tmp_path / "again"
    shutil.copytree(south_asia, project, symlinks=True)
    run(["snakemake", "--cores", "2"], project)
    assert not list((project / "figures").glob("*-RUS")) and not (project / "tables/comparison.csv").exists()
    # The further pairs' panels and logs went with them (the south-asia run made them).
    assert list((south_asia / "data/processed/dots-2022-xlsx").glob("*-RUS/panel.csv"))
    assert not list((project / "data/processed").glob("*/*-RUS")) and not list((project / "logs").glob("*-RUS"))
    from bilateral.verify import MANIFEST, read_manifest

    expected = read_manifest(project / MANIFEST)
    from bilateral.checksums import sha256_file

    # The paper's outputs at the paper's paths, byte for byte (CHECKSUMS.sha256), after the many-pairs run.
    stale = [name for name, digest in expected.items() if sha256_file(project / name) != digest]
    assert stale == [], stale


def test_many_pairs_from_an_imts_pull_are_accepted(tmp_path, monkeypatch):
    # One request per reporter (tests/test_imts_batch.py); a vintage on disk must answer the run's
    # requests, checked there. With no vintage on disk yet there is nothing to refuse.
    from bilateral.settings import check_pairs

    monkeypatch.chdir(tmp_path)
    config = _config(source="imf-imts", vintage="2026-01-01", pairs=["IND-RUS"])
    check_pairs(config, pairs.configured(config, _names()))
    check_pairs(_config(source="imf-imts", vintage="2026-01-01"), {"": None})  # one pair: fine


def test_a_pair_with_no_trade_at_all_still_gets_its_figures(panel, tmp_path):
    # Some reporters x Russia have no figure on either side (Curaçao): the whole history and the
    # comparison draw an empty, labelled axis instead of stopping the run.
    from bilateral import comparison, figures, history, regime_tables

    empty = panel.copy()
    for column in ("exports_musd", "imports_musd", "total_musd", "balance_musd"):
        empty[column] = float("nan")
    world = pd.DataFrame({"year": sorted(empty.year.unique()), "total_musd": 100.0, "estimate": False})
    rows = history.series(empty, world, regime_tables.years_to_governments(empty, [], "plurality"))
    assert history.span(rows) == (int(empty.year.min()), int(empty.year.max()))
    fig = history.plot(rows, history.bands([], *history.span(rows)), [], "t", "s")
    figures.save(fig, tmp_path / "h.png", tmp_path / "h.svg")
    table = comparison.table(["BGD-RUS"], [empty], [world])
    assert table.share_pct.isna().all() and comparison.summary(table)["Years with a share"].eq("none").all()
    figures.save(comparison.plot(table, "Russia", "s"), tmp_path / "c.png", tmp_path / "c.svg")
    assert (tmp_path / "h.png").stat().st_size and (tmp_path / "c.png").stat().st_size
