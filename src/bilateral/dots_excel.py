"""Read one IMF DOTS Excel export (data.imf.org, early-2022 vintage) into the tidy shape.

Layout (see ../shared/data/imf-dots-2022-xlsx/README.md): two sheets, title in B2,
reporter in B4, unit in B5, years as strings from C7, partner names in column B from row 8,
a 'Memorandum Items' block at the end, IMF estimates as strings with a trailing ' e'.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import tidy
from .partners import CODE_BY_NAME, MEMORANDUM_HEADER, partner_kind

log = logging.getLogger(__name__)

SHEETS = {"Exports, FOB": tidy.EXPORTS, "Imports, CIF": tidy.IMPORTS}
TITLES = {
    "Exports, FOB": "Exports, FOB to Partner Countries",
    "Imports, CIF": "Imports, CIF from Partner Countries",
}
UNIT = "US Dollars, Millions"
TITLE_ROW, REPORTER_ROW, UNIT_ROW, YEAR_ROW, FIRST_DATA_ROW = 2, 4, 5, 7, 8
NAME_COL, FIRST_YEAR_COL = 2, 3  # B, C
# The only two string shapes across all 235 workbooks: '78.48 e' and '1,032.13 e'.
ESTIMATE_RE = re.compile(r"^(-?\d{1,3}(?:,\d{3})*(?:\.\d+)?|-?\d+(?:\.\d+)?) e$")


class DotsFormatError(ValueError):
    """A workbook does not have the layout or values this importer knows."""


@dataclass(frozen=True)
class Cell:
    path: Path
    sheet: str
    row: int
    col: int

    def __str__(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.path.name}, sheet '{self.sheet}', cell {get_column_letter(self.col)}{self.row}"


def parse_value(raw: object, where: Cell) -> tuple[float, bool] | None:
    """Return (value, is_estimate), or None for an empty cell (no data)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if isinstance(raw, bool):
        raise DotsFormatError(f"{where}: expected a number, found boolean {raw!r}")
    if isinstance(raw, int | float):
        return float(raw), False
    if isinstance(raw, str):
        match = ESTIMATE_RE.match(raw)
        if match:
            return float(match.group(1).replace(",", "")), True
    raise DotsFormatError(f"{where}: expected a number or an IMF estimate such as '78.48 e', found {raw!r}")


def _expect(actual: object, expected: str, where: Cell, what: str) -> None:
    if actual != expected:
        raise DotsFormatError(f"{where}: expected {what} {expected!r}, found {actual!r}")


def _read_sheet(path: Path, sheet: str, rows: list[tuple]) -> tuple[str, list[dict]]:
    def cell(row: int, col: int) -> object:
        values = rows[row - 1] if row - 1 < len(rows) else ()
        return values[col - 1] if col - 1 < len(values) else None

    _expect(cell(TITLE_ROW, NAME_COL), TITLES[sheet], Cell(path, sheet, TITLE_ROW, NAME_COL), "title")
    _expect(cell(UNIT_ROW, NAME_COL), UNIT, Cell(path, sheet, UNIT_ROW, NAME_COL), "unit")
    reporter = cell(REPORTER_ROW, NAME_COL)
    if not isinstance(reporter, str) or not reporter.strip():
        raise DotsFormatError(f"{Cell(path, sheet, REPORTER_ROW, NAME_COL)}: no reporter name")

    header = rows[YEAR_ROW - 1] if len(rows) >= YEAR_ROW else ()
    years: dict[int, int] = {}
    for col in range(FIRST_YEAR_COL, len(header) + 1):
        text = header[col - 1]
        if text is None:
            continue
        if not re.fullmatch(r"\d{4}", str(text)):
            raise DotsFormatError(f"{Cell(path, sheet, YEAR_ROW, col)}: expected a year, found {text!r}")
        years[col] = int(text)
    if not years:
        raise DotsFormatError(f"{Cell(path, sheet, YEAR_ROW, FIRST_YEAR_COL)}: no year header")

    indicator = SHEETS[sheet]
    seen: dict[tuple[str, bool], tuple[int, dict]] = {}
    records: list[dict] = []
    in_memo = False
    for row in range(FIRST_DATA_ROW, len(rows) + 1):
        name = cell(row, NAME_COL)
        if name is None:
            continue
        name = str(name).strip()
        if name == MEMORANDUM_HEADER:
            in_memo = True
            continue
        values: dict[int, tuple[float, bool]] = {}
        for col, year in years.items():
            parsed = parse_value(cell(row, col), Cell(path, sheet, row, col))
            if parsed is not None:
                values[year] = parsed
        key = (name, in_memo)
        if key in seen:
            first_row, first_values = seen[key]
            if first_values != values:
                raise DotsFormatError(
                    f"{Cell(path, sheet, row, NAME_COL)}: partner {name!r} appears again "
                    f"(first in row {first_row}) with different values; refusing to choose"
                )
            # Every sheet opens with a stray copy of the Australia row (README); drop copies.
            log.info(
                "%s, sheet %r: row %d repeats row %d (%s) exactly; kept once",
                path.name,
                sheet,
                row,
                first_row,
                name,
            )
            continue
        seen[key] = (row, values)
        kind = partner_kind(name, in_memo)
        for year, (value, estimate) in values.items():
            records.append(
                {
                    "reporter_code": CODE_BY_NAME.get(reporter, ""),
                    "reporter": reporter,
                    "partner_code": CODE_BY_NAME.get(name, "") if not in_memo else "",
                    "partner": name,
                    "partner_kind": kind,
                    "indicator": indicator,
                    "year": year,
                    "value_musd": value,
                    "estimate": estimate,
                }
            )
    return reporter, records


def read_workbook(path: str | Path) -> pd.DataFrame:
    """Read both sheets of one DOTS workbook into the tidy shape (rows with a value only)."""
    path = Path(path)
    try:
        import openpyxl  # here: the workflow imports this module to plan, which reads no workbook

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types on bad input
        raise DotsFormatError(f"{path}: not a readable Excel workbook ({exc})") from exc
    try:
        missing = [s for s in SHEETS if s not in book.sheetnames]
        if missing:
            raise DotsFormatError(f"{path.name}: missing sheet(s) {missing}; found {book.sheetnames}")
        records: list[dict] = []
        reporters = set()
        for sheet in SHEETS:
            rows = list(book[sheet].iter_rows(values_only=True))
            reporter, sheet_records = _read_sheet(path, sheet, rows)
            reporters.add(reporter)
            records.extend(sheet_records)
    finally:
        book.close()
    if len(reporters) != 1:
        raise DotsFormatError(f"{path.name}: sheets name different reporters {sorted(reporters)}")
    return tidy.finish(pd.DataFrame.from_records(records, columns=tidy.COLUMNS))


def _sheets(path: Path) -> dict[str, list[tuple]]:
    """Every sheet's cell values, row by row, as openpyxl reads them."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types on bad input
        raise DotsFormatError(f"{path}: not a readable Excel workbook ({exc})") from exc
    try:
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}
    finally:
        book.close()


def first_difference(first: str | Path, second: str | Path) -> str | None:
    """Where two workbooks' cell values first differ ('sheet ..., cell C9: 1.5 in A, 2.0 in B'), or
    None when every sheet holds the same values (the files may still differ in zip timestamps)."""
    first, second = Path(first), Path(second)
    a, b = _sheets(first), _sheets(second)
    if list(a) != list(b):
        return f"the sheets differ: {list(a)} in {first.name}, {list(b)} in {second.name}"
    for sheet, rows_a in a.items():
        rows_b = b[sheet]
        for row in range(1, max(len(rows_a), len(rows_b)) + 1):
            values_a = rows_a[row - 1] if row <= len(rows_a) else ()
            values_b = rows_b[row - 1] if row <= len(rows_b) else ()
            for col in range(1, max(len(values_a), len(values_b)) + 1):
                value_a = values_a[col - 1] if col <= len(values_a) else None
                value_b = values_b[col - 1] if col <= len(values_b) else None
                if value_a != value_b:
                    from openpyxl.utils import get_column_letter

                    cell = Cell(first, sheet, row, col)
                    return (
                        f"{cell} (sheet '{sheet}', row {row}, column {get_column_letter(col)}) is {value_a!r} "
                        f"in {first.name} but {value_b!r} in {second.name}"
                    )
    return None


def locate_name(path: str | Path, name: str) -> Cell | None:
    """The first cell of column B (from the first data row) holding `name`: where a partner or the
    reporter is printed, to point a user at it."""
    path = Path(path)
    for sheet, rows in _sheets(path).items():
        for row, values in enumerate(rows, start=1):
            value = values[NAME_COL - 1] if len(values) >= NAME_COL else None
            if (row == REPORTER_ROW or row >= FIRST_DATA_ROW) and value is not None and str(value).strip() == name:
                return Cell(path, sheet, row, NAME_COL)
    return None
