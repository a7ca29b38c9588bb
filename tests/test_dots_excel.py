"""The DOTS Excel importer, on the real workbooks and on small workbooks made to break it."""

from __future__ import annotations

import openpyxl
import pytest
from conftest import WORKBOOKS, needs_workbooks

from bilateral.dots_excel import DotsFormatError, read_workbook


def _value(frame, partner, indicator, year):
    rows = frame[(frame.partner == partner) & (frame.indicator == indicator) & (frame.year == year)]
    assert len(rows) == 1, (partner, indicator, year, len(rows))
    return rows.iloc[0]


@needs_workbooks
def test_bangladesh_workbook_values_and_precision():
    frame = read_workbook(WORKBOOKS / "DOTS_16.xlsx")
    assert set(frame.reporter) == {"Bangladesh"}
    # Cells read straight from the workbook (DOTS_16.xlsx, 'Exports, FOB', full precision).
    assert _value(frame, "World", "TXG_FOB_USD", 1972).value_musd == 262.42
    assert _value(frame, "Russian Federation", "TXG_FOB_USD", 1993).value_musd == 27.030448546609303
    assert _value(frame, "USSR", "TXG_FOB_USD", 1992).value_musd == 14.899973857102
    # The Imports sheet starts in 1973: no 1972 row at all, not a zero.
    assert frame[(frame.indicator == "TMG_CIF_USD") & (frame.year == 1972)].empty
    assert not frame.estimate.any()


@needs_workbooks
def test_ussr_estimates_are_flagged_and_follow_the_cif_fob_factor():
    ussr = read_workbook(WORKBOOKS / "DOTS_203.xlsx")
    bgd = read_workbook(WORKBOOKS / "DOTS_16.xlsx")
    exports = ussr[(ussr.partner == "Bangladesh") & (ussr.indicator == "TXG_FOB_USD")]
    assert list(exports.year) == list(range(1981, 1992))
    assert exports.estimate.all()
    assert _value(ussr, "Bangladesh", "TXG_FOB_USD", 1986).value_musd == 78.48  # '78.48 e'
    # The data README: USSR exports to BD = BD imports from USSR / 1.1 (rounded to cents).
    for year in range(1981, 1992):
        bd_imports = _value(bgd, "USSR", "TMG_CIF_USD", year).value_musd
        assert _value(ussr, "Bangladesh", "TXG_FOB_USD", year).value_musd == pytest.approx(bd_imports / 1.1, abs=0.006)


@needs_workbooks
def test_stray_australia_row_collapsed_and_kinds_assigned():
    frame = read_workbook(WORKBOOKS / "DOTS_162.xlsx")
    australia = frame[(frame.partner == "Australia") & (frame.indicator == "TXG_FOB_USD")]
    assert australia.year.is_unique
    kinds = frame.drop_duplicates("partner").set_index("partner").partner_kind
    assert kinds["World"] == "world"
    assert kinds["Euro Area"] == "aggregate"
    assert kinds["Bangladesh"] == "country"
    assert kinds["Countries & Areas not specified"] == "unallocated"
    assert kinds["European Union"] == "memorandum"


def _workbook(path, rows_by_sheet=None, reporter="Testland", unit="US Dollars, Millions"):
    """A workbook in the DOTS export layout with the given partner rows per sheet."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    titles = {
        "Exports, FOB": "Exports, FOB to Partner Countries",
        "Imports, CIF": "Imports, CIF from Partner Countries",
    }
    for sheet, title in titles.items():
        ws = book.create_sheet(sheet)
        ws["B2"], ws["B4"], ws["B5"] = title, reporter, unit
        ws["C7"], ws["D7"] = "1990", "1991"
        rows = (rows_by_sheet or {}).get(sheet, [("World", 10.0, 12.0)])
        for offset, (name, *values) in enumerate(rows):
            ws.cell(8 + offset, 2, name)
            for col, value in enumerate(values, start=3):
                ws.cell(8 + offset, col, value)
    book.save(path)
    return path


def test_estimate_strings_with_thousands_separator(tmp_path):
    path = _workbook(
        tmp_path / "t.xlsx",
        {
            "Exports, FOB": [
                ("World", "1,032.13 e", 1.6e-05),
                ("Memorandum Items",),
                ("Africa", 1.0, None),
            ]
        },
    )
    frame = read_workbook(path)
    world = frame[(frame.partner == "World") & (frame.indicator == "TXG_FOB_USD")].set_index("year")
    assert world.loc[1990, "value_musd"] == 1032.13 and world.loc[1990, "estimate"]
    assert world.loc[1991, "value_musd"] == 1.6e-05 and not world.loc[1991, "estimate"]
    africa = frame[frame.partner == "Africa"]
    assert list(africa.partner_kind) == ["memorandum"] and list(africa.year) == [1990]


def test_unknown_string_names_file_sheet_and_cell(tmp_path):
    path = _workbook(tmp_path / "bad.xlsx", {"Imports, CIF": [("World", 1.0, "n/a")]})
    with pytest.raises(DotsFormatError, match=r"bad\.xlsx, sheet 'Imports, CIF', cell D8: .*'n/a'"):
        read_workbook(path)


def test_conflicting_duplicate_rows_stop(tmp_path):
    path = _workbook(
        tmp_path / "dup.xlsx",
        {"Exports, FOB": [("Australia", 1.0, 2.0), ("World", 3.0, 4.0), ("Australia", 1.0, 2.5)]},
    )
    with pytest.raises(DotsFormatError, match=r"cell B10: partner 'Australia' appears again \(first in row 8\)"):
        read_workbook(path)


def test_identical_duplicate_rows_kept_once(tmp_path):
    path = _workbook(
        tmp_path / "dup.xlsx",
        {"Exports, FOB": [("Australia", 1.0, 2.0), ("World", 3.0, 4.0), ("Australia", 1.0, 2.0)]},
    )
    frame = read_workbook(path)
    assert len(frame[(frame.partner == "Australia") & (frame.indicator == "TXG_FOB_USD")]) == 2


def test_wrong_unit_is_refused(tmp_path):
    path = _workbook(tmp_path / "unit.xlsx", unit="US Dollars")
    with pytest.raises(DotsFormatError, match=r"cell B5: expected unit 'US Dollars, Millions'"):
        read_workbook(path)


def test_not_a_workbook(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not excel")
    with pytest.raises(DotsFormatError, match="not a readable Excel workbook"):
        read_workbook(path)
