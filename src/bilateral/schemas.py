"""pandera schemas for the raw tidy data and the processed panel.

A value that breaks a rule stops the run with a message naming the file, the line and the
column, so a reader can open the CSV at that line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from . import tidy
from .errors import InputError
from .partners import PARTNER_KINDS

YEAR = pa.Check.in_range(1948, 2100)
NON_NEGATIVE = pa.Check.ge(0)
# inf, -inf and overflowing text such as 1e400 convert to a float but are no trade figure.
FINITE = pa.Check(np.isfinite, name="finite (not inf, -inf or an overflow such as 1e400)")

RAW = pa.DataFrameSchema(
    {
        "reporter_code": pa.Column(str),
        "reporter": pa.Column(str, pa.Check.str_length(min_value=1)),
        "partner_code": pa.Column(str),
        "partner": pa.Column(str, pa.Check.str_length(min_value=1)),
        "partner_kind": pa.Column(str, pa.Check.isin(PARTNER_KINDS)),
        "indicator": pa.Column(str, pa.Check.isin(list(tidy.INDICATORS))),
        "year": pa.Column("int64", YEAR, coerce=True),
        # Trade flows are non-negative; a balance indicator (TBG_USD) is not, so the
        # bound applies to the flows only (frame-level check below).
        "value_musd": pa.Column("float64", FINITE, nullable=False, coerce=True),
        "estimate": pa.Column(bool, pa.Check.isin([True, False])),
    },
    checks=[
        pa.Check(
            # A missing value is reported by its column's not_nullable check, not here too.
            lambda df: (
                ~df["indicator"].isin([tidy.EXPORTS, tidy.IMPORTS, "TMG_FOB_USD"])
                | (df["value_musd"] >= 0)
                | df["value_musd"].isna()
            ),
            element_wise=False,
            name="trade flows are >= 0",
        ),
    ],
    unique=["reporter", "partner", "indicator", "year"],
    strict=True,
    ordered=True,
)

_FLOW = pa.Column("float64", [NON_NEGATIVE, FINITE], nullable=True)
PANEL = pa.DataFrameSchema(
    {
        "year": pa.Column("int64", YEAR),
        "reported_by": pa.Column(str, pa.Check.str_length(min_value=1)),
        "reporter": pa.Column(str),
        "partner_code": pa.Column(str, pa.Check.str_length(min_value=1)),
        "partner": pa.Column(str),
        "exports_musd": _FLOW,
        "imports_musd": _FLOW,
        "total_musd": _FLOW,
        "balance_musd": pa.Column("float64", FINITE, nullable=True),
        "exports_estimate": pa.Column(bool),
        "imports_estimate": pa.Column(bool),
        "exports_source": pa.Column(str),
        "imports_source": pa.Column(str),
        "note": pa.Column(str),
    },
    checks=[
        # Two reporting sides: the home country's own report and the partner's mirror.
        pa.Check(
            lambda df: df["reported_by"].nunique() == 2 and (df["reported_by"] == "partner").any(),
            name="two reporting sides: the home country and 'partner'",
        ),
        # Derived columns exist exactly when both flows do: missing never becomes zero.
        pa.Check(
            lambda df: df["total_musd"].isna() == (df["exports_musd"].isna() | df["imports_musd"].isna()),
            name="total is missing exactly when a flow is missing",
        ),
        pa.Check(
            lambda df: df["balance_musd"].isna() == df["total_musd"].isna(),
            name="balance is missing exactly when total is missing",
        ),
    ],
    unique=["year", "reported_by"],
    strict=True,
    ordered=True,
)


class DataValidationError(InputError):
    """Data that break a schema rule; the message lists file, line and column."""


# What a failed check means, in the words of the file's reader (pandera's names otherwise).
CHECK_WORDS = {
    "not_nullable": "is empty or NaN, but a missing value has no row in a tidy file",
    "coerce_dtype('float64')": "is not a number",
    "coerce_dtype('int64')": "is not a whole number",
    "isin([True, False])": "is not True or False",
    "trade flows are >= 0": "fails trade flows are >= 0 (an export or import value is negative)",
    "multiple_fields_uniqueness": "has the same reporter, partner, indicator and year as another row",
}


def validate(
    frame: pd.DataFrame,
    schema: pa.DataFrameSchema,
    source: str | Path,
    limit: int = 10,
    lines: Sequence[int] | None = None,
    text: pd.DataFrame | None = None,
    place: str = "line",
):
    """Validate `frame` or raise with locations.

    `lines[i]` is the file line of row i (default: i + 2, a CSV with a one-line header), or what
    `place` calls it (an XML body's 'observation'); `text` is the frame as read, so that a message
    quotes a cell as it is written ('NaN', not nan).
    """
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise DataValidationError(describe(err.failure_cases, source, limit, lines, text, place)) from None


def describe(
    cases: pd.DataFrame,
    source: str | Path,
    limit: int,
    lines: Sequence[int] | None = None,
    text: pd.DataFrame | None = None,
    place: str = "line",
) -> str:
    cases = _without_consequences(cases)
    # A table-level check reports every column of a failing row; one line per row is enough.
    row_level = cases["schema_context"] == "DataFrameSchema"
    cases = pd.concat(
        [
            cases[~row_level].drop_duplicates(subset=["column", "check", "index"]),
            cases[row_level].drop_duplicates(subset=["check", "index"]).assign(column=None),
        ]
    )
    lines_out = [f"{source}: {len(cases)} problem(s):"]
    for case in cases.head(limit).itertuples(index=False):
        lines_out.append("  " + _case_text(case, lines, text, place))
    if len(cases) > limit:
        lines_out.append(f"  ... and {len(cases) - limit} more")
    return "\n".join(lines_out)


def _without_consequences(cases: pd.DataFrame) -> pd.DataFrame:
    """The located causes only: a bad cell also fails its column's dtype for "all lines", and a
    cell that cannot be converted fails every check on its column; those only hide the cause."""
    located = cases["index"].notna()
    bad_columns = set(cases.loc[located, "column"].dropna())
    consequence = cases["column"].isin(bad_columns) & ~located
    failed = cases["check"].astype(str).str.startswith("coerce_dtype")
    if failed.any():
        coerced = set(cases.loc[failed, "column"])
        consequence |= (cases["column"].isin(coerced) & ~failed) | ~located
    return cases[~consequence]


def _case_text(case, lines: Sequence[int] | None, text: pd.DataFrame | None, place: str) -> str:
    index = case.index
    has_row = pd.notna(index) and not isinstance(index, str)
    # CSV line = row index + 2 (line 1 is the header); whole-column checks have no row.
    where = f"{place} {lines[int(index)] if lines is not None else int(index) + 2}" if has_row else f"all {place}s"
    words = CHECK_WORDS.get(case.check, f"fails {case.check}")
    if not isinstance(case.column, str):
        return f"{where}: row {words}"
    cell = case.failure_case
    if has_row and text is not None and case.column in text.columns:
        cell = text.at[int(index), case.column]
    return f"{where}, column {case.column!r}: {cell!r} {words}"


def read_raw(path: str | Path) -> pd.DataFrame:
    """Read a tidy raw CSV and validate it; errors name the file, line and column."""
    path = Path(path)
    # Read text and let the schema convert, so a bad cell is reported with its line
    # instead of aborting the whole read.
    header, rows, lines = _read_rows(path)
    text = pd.DataFrame(rows, columns=header)
    frame = text.copy()
    frame["value_musd"] = frame["value_musd"].mask(frame["value_musd"] == "")
    frame["estimate"] = _flags(text["estimate"])
    frame = validate(frame, RAW, path, lines=lines, text=text)
    frame.attrs["source"] = str(path)  # for messages of later steps (pair.Pair.check_present)
    return frame


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Header, rows and each row's line number of a tidy CSV; the shape is checked here."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            content = handle.read()
    except UnicodeDecodeError as exc:
        raise DataValidationError(f"{path}: byte {exc.start} is not UTF-8 text; is this the tidy CSV?") from None
    if not content.strip():
        raise DataValidationError(f"{path}: the file is empty; expected the header {','.join(tidy.COLUMNS)}")
    reader = csv.reader(io.StringIO(content, newline=""))
    header, rows, lines = next(reader), [], []
    _check_header(header, path)
    try:
        for row in reader:
            _check_row(row, reader.line_num, path)
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DataValidationError(f"{path}, line {reader.line_num}: not readable as CSV ({exc})") from None
    if not rows:
        raise DataValidationError(f"{path}: only a header, no data rows; {TRUNCATED}")
    if not content.endswith("\n"):
        # The tidy writer ends every line with a newline: a file that stops mid-line was cut.
        raise DataValidationError(f"{path}, line {lines[-1]}: the last line has no newline; {TRUNCATED}")
    return header, rows, lines


TRUNCATED = "the file may be truncated: compare it with its record (sha256, rows) and restore or rebuild it"


def _check_header(header: list[str], path: Path) -> None:
    if header == tidy.COLUMNS:
        return
    missing = [name for name in tidy.COLUMNS if name not in header]
    extra = [name for name in header if name not in tidy.COLUMNS]
    found = ",".join(header)
    problems = [f"missing column(s) {missing}"] if missing else []
    problems += [f"unexpected column(s) {extra}"] if extra else []
    problems = problems or ["columns in another order"]
    raise DataValidationError(
        f"{path}, line 1 (header): {'; '.join(problems)}; expected {','.join(tidy.COLUMNS)}, found {found}"
    )


def _check_row(row: list[str], line: int, path: Path) -> None:
    if not row:
        raise DataValidationError(f"{path}, line {line}: empty line; a tidy file has none")
    if len(row) != len(tidy.COLUMNS):
        cut = f"; {TRUNCATED}" if len(row) < len(tidy.COLUMNS) else ""
        raise DataValidationError(f"{path}, line {line}: {len(row)} field(s), the header has {len(tidy.COLUMNS)}{cut}")


def _flags(cells: pd.Series) -> pd.Series:
    """The estimate column as booleans; other text stays as it is, for the schema to report with its line."""
    flags = cells.map({"True": True, "False": False})
    return flags.astype(bool) if flags.notna().all() else cells.where(flags.isna(), flags)
