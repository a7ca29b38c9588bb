"""Bad input stops with a message naming the file, the place in it and what to do (issue 7).

Each test damages a copy of the committed snapshot (never the snapshot itself) at a known line
and checks that the message points there.
"""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import ROOT, SNAPSHOT
from imf_server import CSV, XML

from bilateral import snapshot
from bilateral.checksums import sha256_file
from bilateral.errors import InputError
from bilateral.imts.parse import ImtsFormatError, parse
from bilateral.imts.request import ImtsRequest
from bilateral.inputs import check_before_work
from bilateral.pair import Pair, PairError
from bilateral.panel import build_panel
from bilateral.schemas import DataValidationError, read_raw

LINES = SNAPSHOT.read_text(encoding="utf-8").splitlines(keepends=True)
HEADER = LINES[0]


def _copy_of_snapshot(tmp_path, text: str | None = None):
    """data/raw/dots-2022 copied to tmp_path, with dots.csv replaced by `text` if given."""
    folder = tmp_path / "dots-2022"
    shutil.copytree(SNAPSHOT.parent, folder)
    if text is not None:
        (folder / "dots.csv").write_text(text, encoding="utf-8")
    return folder


def _with_cell(line: int, column: int, value: str) -> str:
    """The snapshot with one cell (1-based file line, 0-based column) replaced."""
    lines = list(LINES)
    fields = lines[line - 1].rstrip("\n").split(",")
    fields[column] = value
    lines[line - 1] = ",".join(fields) + "\n"
    return "".join(lines)


def _read(tmp_path, text: str) -> str:
    path = tmp_path / "dots.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_raw(path)
    message = str(err.value)
    assert str(path) in message
    return message


# --- 1. the committed raw file against its record ------------------------------------------


def test_the_committed_snapshot_matches_its_record():
    record = snapshot.check_record(SNAPSHOT.parent)
    assert record["rows"] == len(LINES) - 1


def test_an_edited_snapshot_is_refused_with_both_checksums_and_the_remedy(tmp_path):
    folder = _copy_of_snapshot(tmp_path, _with_cell(7, 7, "1.5"))
    recorded = json.loads((folder / "provenance.json").read_text())["extract"]["sha256"]
    with pytest.raises(snapshot.RecordError) as err:
        snapshot.check_record(folder)
    message = str(err.value)
    assert str(folder / "dots.csv") in message and recorded in message
    assert sha256_file(folder / "dots.csv") in message
    assert "git checkout -- " in message and "make snapshot" in message


def test_a_snapshot_cut_at_a_line_boundary_names_the_row_counts(tmp_path):
    folder = _copy_of_snapshot(tmp_path, "".join(LINES[:1001]))
    with pytest.raises(snapshot.RecordError, match=f"1000 data rows, {len(LINES) - 1} recorded"):
        snapshot.check_record(folder)


def test_a_missing_record_is_refused(tmp_path):
    folder = _copy_of_snapshot(tmp_path)
    (folder / "provenance.json").unlink()
    with pytest.raises(InputError, match=r"provenance.json: missing; restore"):
        snapshot.check_record(folder)


# --- 2. every value finite -----------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "-inf", "1e400", "Infinity", "-Infinity", "NaN", "nan", ""])
def test_a_value_that_is_no_finite_number_is_located(tmp_path, value):
    message = _read(tmp_path, _with_cell(12, 7, value))
    assert f"line 12, column 'value_musd': {value!r}" in message


def test_junk_in_a_value_cell_is_located_without_follow_on_noise(tmp_path):
    message = _read(tmp_path, _with_cell(40, 7, "12,5".replace(",", ";")))
    assert "1 problem(s)" in message and "line 40, column 'value_musd': '12;5' is not a number" in message


# --- 3. read errors made clear ------------------------------------------------------------


def test_an_empty_file(tmp_path):
    assert "the file is empty; expected the header reporter_code," in _read(tmp_path, "")


def test_a_header_only_file(tmp_path):
    message = _read(tmp_path, HEADER)
    assert "only a header, no data rows" in message and "truncated" in message


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER.replace("estimate", "estimate,comment"), "unexpected column(s) ['comment']"),
        (HEADER.replace("value_musd", "value"), "missing column(s) ['value_musd']; unexpected column(s) ['value']"),
        (HEADER.replace(",partner_kind", ""), "missing column(s) ['partner_kind']"),
    ],
)
def test_a_changed_header_names_the_columns_expected_and_found(tmp_path, header, expected):
    message = _read(tmp_path, header + "".join(LINES[1:20]))
    assert "line 1 (header)" in message and expected in message
    assert "expected reporter_code,reporter,partner_code" in message and f"found {header.strip()}" in message


def test_an_extra_field_on_one_line(tmp_path):
    lines = list(LINES)
    lines[99] = lines[99].rstrip("\n") + ",x\n"
    assert "line 100: 10 field(s), the header has 9" in _read(tmp_path, "".join(lines))


def test_a_file_cut_mid_line(tmp_path):
    text = "".join(LINES[:500])[:-8]  # line 500 loses its last 8 characters and its newline
    message = _read(tmp_path, text)
    assert "line 500" in message and "truncated" in message


def test_a_file_cut_inside_the_last_value(tmp_path):
    # Cut inside the last value ("1.25" -> "1.2"): all fields are there, only the final newline is gone.
    text = "".join(LINES[:300]).rstrip("\n")
    assert "line 300: the last line has no newline" in _read(tmp_path, text)


def test_a_blank_line(tmp_path):
    assert "line 51: empty line" in _read(tmp_path, "".join(LINES[:50]) + "\n" + "".join(LINES[50:60]))


def test_an_exact_duplicate_row_is_located(tmp_path):
    message = _read(tmp_path, "".join(LINES[:30]) + LINES[10])
    assert "line 11: row has the same reporter, partner, indicator and year as another row" in message
    assert "line 31: row has the same" in message


def test_a_duplicate_spelled_with_another_partner_name_is_named(tmp_path):
    # The same flow once more under code RUS but the name 'Russia': the names differ, so only
    # the pair's code-or-name matching sees two values for one year.
    number, line = next(
        (i + 1, text) for i, text in enumerate(LINES) if text.startswith("BGD,Bangladesh,RUS,Russian Federation,")
    )
    path = tmp_path / "dots.csv"
    path.write_text("".join(LINES) + line.replace(",Russian Federation,", ",Russia,"), encoding="utf-8")
    with pytest.raises(PairError) as err:
        build_panel(read_raw(path))
    message = str(err.value)
    assert str(path) in message and f"line {number}:" in message and f"line {len(LINES) + 1}:" in message
    assert "'Russia'" in message and "more than one value a year" in message


def test_a_file_cut_at_a_line_boundary_is_not_blamed_on_the_config_alone(tmp_path):
    # The snapshot is sorted by reporter: cut before the Russian Federation's first row as
    # Bangladesh's partner, nothing names the partner any more.
    first = next(i for i, text in enumerate(LINES) if ",Russian Federation," in text)
    path = tmp_path / "dots-2022" / "dots.csv"
    path.parent.mkdir()
    path.write_text("".join(LINES[:first]), encoding="utf-8")
    with pytest.raises(PairError) as err:
        Pair().check_present(read_raw(path), str(path))
    message = str(err.value)
    assert str(path) in message and "the data file lacks that country" in message and "truncated" in message
    assert "git checkout -- data/raw/dots-2022/dots.csv" in message


def test_the_projects_errors_are_value_errors_the_cli_prints():
    assert issubclass(DataValidationError, InputError) and issubclass(InputError, ValueError)
    assert issubclass(PairError, InputError) and issubclass(snapshot.RecordError, InputError)


# --- IMTS bodies: every value finite, lines of the body ------------------------------------

RESPONSES = ROOT / "tests" / "fixtures" / "imf-responses"
CSV_BODY = (RESPONSES / "imts-sdmx3-sdmxcsv20-DERIVED-from-xml.csv").read_bytes()
XML_BODY = (RESPONSES / "imts-sdmx3-sdmxml30-USA-XG_FOB_USD-2023-2024.xml").read_bytes()
US = ImtsRequest(reporters=("USA",), indicators=("XG_FOB_USD",), partners=("G001", "G998"), first_year=2020)
# Line 4 of the CSV body (the third observation) is US exports to the EU (G998) in 2023.
EU_2023 = b"369756760426"


@pytest.mark.parametrize("value", [b"Infinity", b"-Infinity", b"inf", b"1e400", b"sNaN"])
def test_an_imts_value_that_is_no_finite_number_is_located(value):
    with pytest.raises(ImtsFormatError, match=f"response.csv, line 4: OBS_VALUE '{value.decode()}' is not a finite"):
        parse(CSV_BODY.replace(EU_2023, value), CSV, US, "response.csv")


def test_an_empty_imts_value_stays_missing():
    rows = parse(CSV_BODY.replace(EU_2023, b""), CSV, US, "response.csv")
    assert len(rows) == 3 and 2023 not in set(rows[rows.partner_code == "G998"].year)


def test_a_negative_imts_flow_is_located_in_the_body():
    message = r"response.csv: 1 problem\(s\):\n  line 4: row fails trade flows are >= 0 \(an export or import"
    with pytest.raises(ImtsFormatError, match=message):
        parse(CSV_BODY.replace(EU_2023, b"-" + EU_2023), CSV, US, "response.csv")


def test_a_duplicated_imts_observation_is_located_in_the_body():
    lines = CSV_BODY.split(b"\n")
    with pytest.raises(ImtsFormatError) as err:
        parse(CSV_BODY + lines[3] + b"\n", CSV, US, "response.csv")
    assert "line 4: row has the same reporter" in str(err.value) and "line 6: row has the same" in str(err.value)


def test_an_xml_body_is_located_by_observation():
    with pytest.raises(
        ImtsFormatError, match="response.xml: 1 problem.*\n  observation 3: row fails trade flows are >= 0"
    ):
        parse(XML_BODY.replace(EU_2023, b"-" + EU_2023), XML, US, "response.xml")


# --- the load-time hook --------------------------------------------------------------------


def _config() -> dict:
    import yaml
    from snakemake.utils import validate

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    validate(config, str(ROOT / "config" / "schema.yaml"), set_default=True)
    return config


def _project_inputs(tmp_path):
    """A copy of what check_before_work reads: the snapshot and config/."""
    shutil.copytree(SNAPSHOT.parent, tmp_path / "data" / "raw" / "dots-2022")
    shutil.copytree(ROOT / "config", tmp_path / "config")
    return tmp_path


def test_the_load_time_check_passes_on_the_committed_inputs():
    check_before_work(_config(), ROOT)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (("data/raw/dots-2022/dots.csv", "614.9", "614.8"), "not the extract recorded in"),
        (("config/regimes.yaml", "end: 1975-08-15\n", "end: 1975-13-01\n"), r"governments\[0\].end"),
        (("config/claims.yaml", "min_change_pct: 20", "min_change_pct: -20"), r"claims\[0\].min_change_pct"),
    ],
)
def test_the_load_time_check_stops_on_a_damaged_input(tmp_path, damage, message):
    root = _project_inputs(tmp_path)
    name, old, new = damage
    text = (root / name).read_text(encoding="utf-8")
    assert old in text
    (root / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError, match=message) as err:
        check_before_work(_config(), root)
    assert name in str(err.value)
