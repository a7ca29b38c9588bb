"""Property tests: damaged raw files either read as valid data or stop with the project's own error.

The files are made from real rows of the committed snapshot and from the recorded IMF bodies,
then damaged: cells replaced with junk, inf or nothing, extra fields, lines cut, rows repeated.
Whatever comes out must be either a valid frame (finite values, the raw schema holds) or an
InputError (a ValueError the CLI prints as `error: ...`) naming the file: never a KeyError,
IndexError or an internal pandas/pandera error.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, SNAPSHOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imf_server import CSV, XML

from bilateral.errors import InputError
from bilateral.imts.parse import parse
from bilateral.imts.request import ImtsRequest
from bilateral.schemas import RAW, read_raw

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
LINES = SNAPSHOT.read_text(encoding="utf-8").splitlines(keepends=True)
RESPONSES = ROOT / "tests" / "fixtures" / "imf-responses"
CSV_BODY = (RESPONSES / "imts-sdmx3-sdmxcsv20-DERIVED-from-xml.csv").read_bytes()
XML_BODY = (RESPONSES / "imts-sdmx3-sdmxml30-USA-XG_FOB_USD-2023-2024.xml").read_bytes()
US = ImtsRequest(reporters=("USA",), indicators=("XG_FOB_USD",), partners=("G001", "G998"), first_year=2020)

JUNK = st.sampled_from(
    [
        "inf",
        "-inf",
        "1e400",
        "-1e400",
        "Infinity",
        "NaN",
        "nan",
        "",
        " ",
        "abc",
        "-1",
        "1e5",
        "True",
        "0x10",
        '"',
        "１２",
    ]
) | st.text(max_size=6)


def _check_frame(frame) -> None:
    """What a successful read promises: the raw schema holds and every value is a finite number."""
    RAW.validate(frame)
    assert np.isfinite(frame["value_musd"].to_numpy()).all()


def _read_or_refuse(read, where: str) -> None:
    try:
        frame = read()
    except InputError as err:
        assert where in str(err)  # the message names the file
        return
    _check_frame(frame)


# --- the raw tidy CSV ----------------------------------------------------------------------


@st.composite
def damaged_snapshots(draw) -> str:
    rows = draw(st.lists(st.integers(1, len(LINES) - 1), min_size=1, max_size=12, unique=True))
    table = [LINES[0].rstrip("\n").split(",")] + [LINES[i].rstrip("\n").split(",") for i in sorted(rows)]
    for _ in range(draw(st.integers(0, 3))):
        row = draw(st.integers(0, len(table) - 1))
        damage = draw(st.sampled_from(["value", "value", "cell", "extra", "drop", "repeat", "blank"]))
        if damage == "value" and row > 0 and len(table[row]) > 7:
            table[row][7] = draw(JUNK)  # value_musd
        elif damage == "cell" and table[row]:
            table[row][draw(st.integers(0, len(table[row]) - 1))] = draw(JUNK)
        elif damage == "extra":
            table[row].append(draw(JUNK))
        elif damage == "drop" and table[row]:
            del table[row][draw(st.integers(0, len(table[row]) - 1))]
        elif damage == "repeat":
            table.insert(row, list(table[row]))
        elif damage == "blank":
            table.insert(row + 1, [])
    text = "".join(",".join(fields) + "\n" for fields in table)
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]  # cut anywhere, even inside a line
    return text


@pytest.mark.slow
@SETTINGS
@given(damaged_snapshots())
def test_damaged_raw_files_are_read_validly_or_refused_clearly(text):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "dots.csv"
        path.write_text(text, encoding="utf-8")
        _read_or_refuse(lambda: read_raw(path), str(path))


# --- the IMTS bodies -----------------------------------------------------------------------


def _damaged(body: bytes, draw, separator: bytes) -> bytes:
    pieces = body.split(separator)
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(pieces) - 1))
        damage = draw(st.sampled_from(["value", "repeat", "drop", "bytes"]))
        if damage == "value":
            junk = draw(JUNK).encode()
            for number in (b"2019551635133", b"2065411250609", b"369756760426", b"371064529410", b"2023", b"USD"):
                if number in pieces[index]:
                    pieces[index] = pieces[index].replace(number, junk, 1)
                    break
        elif damage == "repeat":
            pieces.insert(index, pieces[index])
        elif damage == "drop":
            del pieces[index]
        else:
            pieces[index] = draw(st.binary(max_size=12))
    result = separator.join(pieces)
    if draw(st.booleans()):
        result = result[: draw(st.integers(0, len(result)))]
    return result


@st.composite
def damaged_bodies(draw) -> tuple[bytes, str]:
    if draw(st.booleans()):
        return _damaged(CSV_BODY, draw, draw(st.sampled_from([b"\n", b","]))), CSV
    return _damaged(XML_BODY, draw, draw(st.sampled_from([b">", b'"', b" "]))), XML


@pytest.mark.slow
@SETTINGS
@given(damaged_bodies())
def test_damaged_imts_bodies_are_parsed_validly_or_refused_clearly(damaged):
    body, content_type = damaged
    _read_or_refuse(lambda: parse(body, content_type, US, "response.body"), "response.body")
