"""Many pairs (issue 12) against a user's mistakes and the data's quirks: every error names the file
and line or the config key, before any work; the workbooks' repeated reporter is read once."""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from conftest import ROOT, WORKBOOKS, needs_workbooks
from project_copy import BIN, tracked_copy
from snakemake.utils import validate
from workbook_subset import subset

from bilateral import dots_cache, pair_sources, pairs, pairs_shape
from bilateral.dots_index import read_index
from bilateral.errors import InputError
from bilateral.pair import Pair, PairError
from bilateral.provenance import remove_stale_pairs
from bilateral.settings import further_regimes_files

SCHEMA = str(ROOT / "config" / "schema.yaml")
NAMES_FILE = ROOT / "config" / "dots_names.csv"
HEADER = "file,reporter,exports_first_year,exports_last_year,imports_first_year,imports_last_year,sha256\n"
SHA = "0" * 64


def _config(**overlay) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text()) | overlay
    validate(config, SCHEMA, set_default=True)
    return config


def _names() -> dict[str, str]:
    return dots_cache.name_of_code(dots_cache.load_names(NAMES_FILE))


def _index(folder: Path, lines: list[str], header: str = HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "INDEX.csv").write_text(header + "".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def _line(file: str, reporter: str, sha: str = SHA) -> str:
    return f'{file},"{reporter}",1960,2020,1960,2020,{sha}'


# A small workbook folder's index: the reporters of the South Asia x Russia run, no Pakistan.
REPORTERS = {"DOTS_16.xlsx": "Bangladesh", "DOTS_162.xlsx": "Russian Federation", "DOTS_203.xlsx": "USSR"}
REPORTERS |= {"DOTS_90.xlsx": "India", "DOTS_180.xlsx": "Sri Lanka"}


def _xlsx_source(tmp_path: Path) -> pair_sources.SourceCodes:
    folder = _index(tmp_path / "xlsx", [_line(f, r) for f, r in REPORTERS.items()])
    config = _config(source="dots-2022-xlsx")
    return pair_sources.source_codes(config, dots_cache.load_names(NAMES_FILE), str(folder))


# --- 1. a reporter listed twice in INDEX.csv -----------------------------------------------------


def _cells(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def _nicaragua() -> list[str]:
    with open(WORKBOOKS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle) if row["reporter"] == "Nicaragua"]


@needs_workbooks
def test_the_shared_index_lists_nicaragua_twice_with_equal_cells():
    files = _nicaragua()
    assert files == ["DOTS_143.xlsx", "DOTS_144.xlsx"]
    first, second = (WORKBOOKS / name for name in files)
    assert first.read_bytes() != second.read_bytes()  # different files (sha256) ...
    assert _cells(first) == _cells(second)  # ... with the same value in every cell


@needs_workbooks
def test_nicaragua_is_read_once_and_the_repeat_is_recorded(tmp_path, caplog):
    folder = subset(tmp_path / "xlsx", _nicaragua())
    with caplog.at_level(logging.INFO, logger="bilateral.dots_cache"):
        data, record = dots_cache.build(folder, NAMES_FILE, processes=1)
    assert "DOTS_144.xlsx repeats the reporter 'Nicaragua' of DOTS_143.xlsx" in caplog.text
    keys = ["reporter", "partner", "indicator", "year"]
    assert not data.duplicated(keys).any()
    # As many values as DOTS_143.xlsx has non-empty cells from column C, row 9 on (row 8 is the
    # stray copy of the Australia row the README describes), counted with openpyxl directly.
    expected = sum(
        value is not None and value != ""
        for rows in _cells(WORKBOOKS / "DOTS_143.xlsx").values()
        for row in rows[8:]
        for value in row[2:]
    )
    assert len(data) == expected
    assert record["repeated_workbooks"] == [{"file": "DOTS_144.xlsx", "kept": "DOTS_143.xlsx", "reporter": "Nicaragua"}]
    assert record["extract"]["reporters"] == 1 and len(record["source_workbooks"]) == 2


@needs_workbooks
def test_a_repeated_reporter_with_other_values_stops_naming_both_files_and_the_cell(tmp_path):
    first, second = _nicaragua()
    folder = tmp_path / "xlsx"
    folder.mkdir()
    (folder / first).symlink_to(WORKBOOKS / first)
    # One number of the copy's second sheet changed in the sheet's XML itself (saving with openpyxl
    # would rewrite other floats' last digits): the first numeric cell below the stray Australia row.
    with zipfile.ZipFile(WORKBOOKS / second) as source, zipfile.ZipFile(folder / second, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                text = content.decode("utf-8")
                cells = re.finditer(r'<c r="([A-Z]+)(\d+)"(?![^>]*t="s")[^>]*><v>([^<]+)</v>', text)
                found = next(m for m in cells if int(m.group(2)) >= 9 and m.group(1) != "B")
                where = (int(found.group(2)), found.group(1))
                changed = found.group(0).replace(f"<v>{found.group(3)}</v>", f"<v>{float(found.group(3)) + 1}</v>")
                content = (text[: found.start()] + changed + text[found.end() :]).encode("utf-8")
            target.writestr(item, content)
    assert (
        _cells(folder / second)["Imports, CIF"][where[0] - 1]
        != _cells(WORKBOOKS / second)["Imports, CIF"][where[0] - 1]
    )
    from bilateral.checksums import sha256_file

    lines = (WORKBOOKS / "INDEX.csv").read_text(encoding="utf-8").splitlines()
    kept = next(line for line in lines if line.startswith(first + ","))
    changed = next(line for line in lines if line.startswith(second + ","))
    changed = changed.rsplit(",", 1)[0] + "," + sha256_file(folder / second)
    (folder / "INDEX.csv").write_text("\n".join([lines[0], kept, changed]) + "\n", encoding="utf-8")
    with pytest.raises(dots_cache.CacheError) as caught:
        dots_cache.build(folder, NAMES_FILE, processes=1)
    message = str(caught.value)
    assert first in message and second in message
    assert f"sheet 'Imports, CIF', row {where[0]}, column {where[1]}" in message


# --- 2. pairs against the source's reporters, at load ------------------------------------------


def test_a_code_the_workbooks_have_no_reporter_for_is_named_with_close_codes(tmp_path):
    source = _xlsx_source(tmp_path)
    config = _config(source="dots-2022-xlsx", pairs=["IND-RUS", {"home": "PAK", "partner": "RUS"}])
    with pytest.raises(PairError, match=r"config pairs\[1\]\.home: .*INDEX.csv has no reporter with code 'PAK'"):
        pairs.configured(config, _names(), source)
    # PAK is in the mapping (Pakistan) but not in this index; close codes from the index's reporters.
    with pytest.raises(PairError, match=r"close codes: .*\(Sri Lanka\)"):
        pairs.configured(_config(source="dots-2022-xlsx", pairs=["LKB-RUS"]), _names(), source)
    found = pairs.configured(_config(source="dots-2022-xlsx", pairs=["IND-RUS", "LKA-RUS"]), _names(), source)
    assert list(found) == ["", "IND-RUS/", "LKA-RUS/"]


def test_a_partner_the_snapshot_has_no_reports_of_is_refused_naming_its_record():
    config = _config(pairs={"homes": ["BGD"], "partner": "CHN"})
    source = pair_sources.source_codes(config, dots_cache.load_names(NAMES_FILE), "unused")
    # The snapshot's record lists three reporters: Bangladesh, the Russian Federation, the USSR.
    record = json.loads((ROOT / pair_sources.SNAPSHOT_RECORD).read_text())
    assert {entry["reporter"] for entry in record["source_workbooks"]} == {"Bangladesh", "Russian Federation", "USSR"}
    with pytest.raises(PairError) as refused:
        pairs.configured(config, _names(), source)
    # The key as the user wrote it (the compact form's partner), and the way out: the workbooks' source.
    assert str(refused.value).startswith("config pairs.partner: data/raw/dots-2022/provenance.json has no reporter")
    assert "Bangladesh, Russian Federation, USSR only" in str(refused.value)
    assert "set source: dots-2022-xlsx" in str(refused.value) and "close codes" not in str(refused.value)
    with pytest.raises(PairError, match=r"^config pairs\.homes\[0\]: data/raw/dots-2022/provenance.json"):
        pairs.configured(_config(pairs={"homes": ["IND"], "partner": "RUS"}), _names(), source)
    assert len(pairs.configured(_config(pairs=["BGD-SUN"]), _names(), source)) == 2


@pytest.mark.parametrize("code", ["G001", "G163", "G998"])
def test_a_group_of_countries_is_refused_as_not_a_country(tmp_path, code):
    config = _config(source="dots-2022-xlsx", pairs=[f"IND-{code}"])
    with pytest.raises(PairError, match=rf"config pairs\[0\]\.partner: '{code}' is .*group of countries"):
        pairs.configured(config, _names(), _xlsx_source(tmp_path))


def _dry_run(tmp_path: Path, overlay: dict, xlsx: Path | None = None):
    import subprocess

    project = tracked_copy(tmp_path / "project")
    (project / "overlay.yaml").write_text(yaml.safe_dump(overlay))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    if xlsx:
        env["BILATERAL_DOTS_XLSX"] = str(xlsx)
    args = ["snakemake", "-n", "--quiet", "--configfile", "config/config.yaml", "overlay.yaml"]
    result = subprocess.run(args, cwd=project, env=env, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr  # Snakemake prints load errors on stdout


@pytest.mark.slow
def test_the_workflow_refuses_a_bad_pair_at_load_naming_the_key(tmp_path):
    xlsx = _index(tmp_path / "xlsx", [_line(f, r) for f, r in REPORTERS.items()])
    code, output = _dry_run(tmp_path, {"source": "dots-2022-xlsx", "pairs": ["IND-RUS", "PAK-RUS"]}, xlsx)
    assert code != 0
    assert "config pairs[1].home" in output and "no reporter with code 'PAK'" in output
    # Nothing was built: no cache, no panel.
    assert not (tmp_path / "project" / "data" / "processed" / "dots-2022-xlsx").exists()


@pytest.mark.slow
def test_a_malformed_pair_is_named_by_its_key_before_the_schema_speaks(tmp_path):
    code, output = _dry_run(tmp_path, {"pairs": ["IND-RUS", {"home": "IND", "partner": "RUS", "colour": "red"}]})
    assert code != 0
    assert "config pairs[1].colour: unknown key" in output
    assert "is not valid under any of the given schemas" not in output


# --- 3. the shape of config `pairs` ------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("IND-RUS", r"^config pairs: a list of pairs .*not a str"),
        ([{"partner": "RUS"}], r"^config pairs\[0\]\.home: missing"),
        (["IND-RUS", {"home": "IND", "partner": "RUS", "colour": 1}], r"^config pairs\[1\]\.colour: unknown key"),
        ([7], r"^config pairs\[0\]: .*not a int"),
        (["IND-RUS", "IND_RUS"], r"^config pairs\[1\]: 'IND_RUS' is not HOME-PARTNER"),
        ([{"home": {"code": "IND"}, "partner": "RUS"}], r"^config pairs\[0\]\.home\.name: missing"),
        ([{"home": "ind", "partner": "RUS"}], r"^config pairs\[0\]\.home: 'ind' is not an IMTS code"),
        ([{"home": "IND", "partner": ["RUS"]}], r"^config pairs\[0\]\.partner: a code"),
        ({"homes": ["IND", "india"], "partner": "RUS"}, r"^config pairs\.homes\[1\]: 'india'"),
        ({"homes": ["IND"]}, r"^config pairs\.partner: missing"),
        ({"homes": ["IND"], "partner": "RUS", "home": "PAK"}, r"^config pairs\.home: unknown key"),
        (
            [{"home": "IND", "partner": "RUS", "predecessor": {"code": "SUN", "name": "USSR"}}],
            r"^config pairs\[0\]\.predecessor\.successor: missing",
        ),
    ],
)
def test_a_malformed_pairs_entry_is_named_by_its_key_path(section, message):
    with pytest.raises(PairError, match=message):
        pairs_shape.check(section)


def test_well_formed_pairs_pass_the_shape_check():
    for example in sorted((ROOT / "config" / "examples").glob("*.yaml")):
        pairs_shape.check(yaml.safe_load(example.read_text())["pairs"])
    pairs_shape.check([])
    pairs_shape.check(None)


def test_pair_from_config_names_the_key_it_was_given():
    with pytest.raises(PairError, match=r"^config pairs\[2\]\.partner: missing"):
        Pair.from_config({"home": {"code": "IND", "name": "India"}}, where="pairs[2]")
    with pytest.raises(PairError, match=r"^config pairs\[2\]\.home\.name: missing"):
        Pair.from_config({"home": {"code": "IND"}, "partner": {"code": "RUS", "name": "R"}}, where="pairs[2]")
    with pytest.raises(PairError, match=r"^config pair\.partner: missing"):
        Pair.from_config({"home": {"code": "IND", "name": "India"}})


# --- 4. a pair listed twice --------------------------------------------------------------------


def test_an_exact_repeat_is_noted_and_kept_once():
    notes = []
    found = pairs.configured(
        _config(pairs=["IND-RUS", "PAK-RUS", {"home": "IND", "partner": "RUS"}]), _names(), notes=notes
    )
    assert list(found) == ["", "IND-RUS/", "PAK-RUS/"]
    assert notes == ["config pairs[2] repeats pairs[0] (IND-RUS): kept once"]
    notes = []
    pairs.configured(_config(pairs={"homes": ["BGD", "IND"], "partner": "RUS"}), _names(), notes=notes)
    assert notes == ["config pairs.homes[0] repeats pair (BGD-RUS): kept once"]


def test_a_pair_listed_twice_with_other_details_is_refused_naming_both():
    india = {"home": {"code": "IND", "name": "Republic of India"}, "partner": "RUS"}
    with pytest.raises(PairError, match=r"config pairs\[2\] and pairs\[0\] are both IND-RUS but differ"):
        pairs.configured(_config(pairs=["IND-RUS", "PAK-RUS", india]), _names())
    bangladesh = {"home": {"code": "BGD", "name": "People's Republic of Bangladesh"}, "partner": "RUS"}
    with pytest.raises(PairError, match=r"config pairs\[0\] and pair are both BGD-RUS but differ"):
        pairs.configured(_config(pairs=[bangladesh]), _names())


# --- 5. the panels and logs of a pair dropped from the config ------------------------------------


def test_panels_and_logs_of_pairs_no_longer_configured_are_removed(tmp_path):
    files = [
        "data/processed/dots-2022-xlsx/IND-RUS/panel.csv",
        "data/processed/dots-2022-xlsx/IND-RUS/clean.json",
        "data/processed/dots-2022/IND-RUS/panel.csv",
        "data/processed/dots-2022-xlsx/PAK-RUS/panel.csv",
        "data/processed/dots-2022-xlsx/panel.csv",
        "data/processed/dots-2022-xlsx/dots.parquet",
        "data/processed/README.md",
        "logs/IND-RUS/clean_dots-2022-xlsx.log",
        "logs/PAK-RUS/history.log",
        "logs/provenance.log",
    ]
    for name in files:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    removed = remove_stale_pairs({"PAK-RUS"}, tmp_path)
    gone = [name for name in files if "IND-RUS" in name]
    assert removed == sorted(gone)
    assert all(not (tmp_path / name).exists() for name in gone)
    assert all((tmp_path / name).exists() for name in files if name not in gone)
    assert not (tmp_path / "logs/IND-RUS").exists() and not (tmp_path / "data/processed/dots-2022/IND-RUS").exists()


# --- 6. a malformed INDEX.csv ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "lines", "message"),
    [
        (
            HEADER,
            [_line("DOTS_1.xlsx", "A"), _line("DOTS_2.xlsx", "B"), _line("DOTS_1.xlsx", "A")],
            r"line 4: DOTS_1.xlsx is listed again \(first on line 2\)",
        ),
        (HEADER, [], r"INDEX.csv: no workbook listed \(header only\)"),
        (
            HEADER.replace(",sha256", ""),
            [_line("DOTS_1.xlsx", "A").rsplit(",", 1)[0]],
            r"INDEX.csv, line 1: no column sha256",
        ),
        (
            HEADER,
            [_line("DOTS_1.xlsx", "A"), _line("DOTS_2.xlsx", "")],
            r"INDEX.csv, line 3: empty cell in column reporter",
        ),
        (HEADER, [_line("DOTS_1.xlsx", "A", sha="")], r"INDEX.csv, line 2: empty cell in column sha256"),
        (HEADER, [_line("DOTS_1.xlsx", "A", sha="abc")], r"INDEX.csv, line 2: column sha256 'abc'"),
        (HEADER, [_line("DOTS_1.xlsx", "A") + ",extra"], r"INDEX.csv, line 2: 7 columns expected"),
    ],
    ids=["duplicate", "header-only", "missing-column", "empty-reporter", "empty-sha256", "bad-sha256", "extra-field"],
)
def test_a_malformed_index_is_named_by_file_and_line(tmp_path, header, lines, message):
    folder = _index(tmp_path / "xlsx", lines, header)
    with pytest.raises(InputError, match=message) as caught:
        read_index(folder)
    assert str(folder / "INDEX.csv") in str(caught.value)
    # The cache build and the check at workflow load read it the same way.
    with pytest.raises(InputError, match=message):
        dots_cache.build(folder, NAMES_FILE, processes=1)
    with pytest.raises(InputError, match=message):
        pair_sources.source_codes(_config(source="dots-2022-xlsx"), dots_cache.load_names(NAMES_FILE), str(folder))


# --- 7. a name the mapping lacks -----------------------------------------------------------------


@needs_workbooks
@pytest.mark.parametrize("name", ["India", "Bangladesh"])
def test_a_name_the_mapping_lacks_is_located_in_the_workbook(tmp_path, name):
    folder = subset(tmp_path / "xlsx", ["DOTS_16.xlsx"])
    names = tmp_path / "names.csv"
    names.write_text(
        "".join(line for line in NAMES_FILE.read_text().splitlines(True) if not line.startswith(f"{name},"))
    )
    # Where the name first stands in column B, found with openpyxl directly: Bangladesh is the
    # reporter (B4), India a partner row of the first sheet.
    rows = _cells(WORKBOOKS / "DOTS_16.xlsx")["Exports, FOB"]
    row = next(number for number, values in enumerate(rows, start=1) if values[1] == name)
    with pytest.raises(dots_cache.CacheError) as caught:
        dots_cache.build(folder, names, processes=1)
    message = str(caught.value)
    assert f"DOTS_16.xlsx, sheet 'Exports, FOB', cell B{row}, row {row}, column B" in message
    assert f"names not in {names}: ['{name}']" in message and f"add each to {names}" in message


# --- year rule and camp: only for the pairs with a regimes file -------------------------------


def test_only_configured_pairs_regimes_files_are_checked():
    config = _config(
        pairs=["IND-RUS"], pair_outputs={"regimes": {"IND": "india.yaml", "PAK": "missing.yaml", "BGD": "x"}}
    )
    found = pairs.configured(config, _names())
    # Pakistan is in no pair: its file is not read; Bangladesh's is regimes.file.
    assert further_regimes_files(config, found.values(), "BGD") == {"IND": "india.yaml"}
    assert further_regimes_files(_config(pair_outputs={"regimes": {"PAK": "missing.yaml"}}), [], "BGD") == {}


def test_a_null_predecessor_means_none_and_a_missing_one_inherits():
    config = _config(pairs=[{"home": "IND", "partner": "RUS", "predecessor": None}, "PAK-RUS"])
    found = pairs.configured(config, _names())
    assert found["IND-RUS/"].predecessor is None and found["PAK-RUS/"].predecessor.code == "SUN"


def test_once_the_workbooks_are_gone_the_caches_record_lists_the_reporters(tmp_path, monkeypatch):
    # The cache needs the workbooks only to be built: afterwards its record answers.
    monkeypatch.chdir(tmp_path)
    record = Path(pair_sources.XLSX_CACHE_RECORD)
    record.parent.mkdir(parents=True)
    listed = [{"file": f, "reporter": r, "sha256": SHA} for f, r in REPORTERS.items()]
    record.write_text(json.dumps({"source_workbooks": listed}))
    config = _config(source="dots-2022-xlsx", pairs=["PAK-RUS"])
    source = pair_sources.source_codes(config, dots_cache.load_names(NAMES_FILE), str(tmp_path / "no-such-folder"))
    assert source.source == pair_sources.XLSX_CACHE_RECORD and "IND" in source.reporters
    with pytest.raises(PairError, match=r"config pairs\[0\]\.home: data/processed/dots-2022-xlsx/provenance.json has"):
        pairs.configured(config, _names(), source)
