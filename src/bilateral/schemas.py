"""pandera schemas for the raw tidy data and the processed panel.

A value that breaks a rule stops the run with a message naming the file, the line and the
column, so a reader can open the CSV at that line.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from . import tidy
from .partners import PARTNER_KINDS

YEAR = pa.Check.in_range(1948, 2100)
NON_NEGATIVE = pa.Check.ge(0)

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
        "value_musd": pa.Column("float64", nullable=False, coerce=True),
        "estimate": pa.Column(bool, pa.Check.isin([True, False])),
    },
    checks=[
        pa.Check(
            lambda df: ~df["indicator"].isin([tidy.EXPORTS, tidy.IMPORTS, "TMG_FOB_USD"]) | (df["value_musd"] >= 0),
            element_wise=False,
            name="trade flows are >= 0",
        ),
    ],
    unique=["reporter", "partner", "indicator", "year"],
    strict=True,
    ordered=True,
)

_FLOW = pa.Column("float64", NON_NEGATIVE, nullable=True)
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
        "balance_musd": pa.Column("float64", nullable=True),
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


class DataValidationError(ValueError):
    """Data that break a schema rule; the message lists file, line and column."""


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, source: str | Path, limit: int = 10):
    """Validate `frame` (as read from CSV `source`, default index) or raise with locations."""
    try:
        return schema.validate(frame, lazy=True)
    except SchemaErrors as err:
        raise DataValidationError(describe(err.failure_cases, source, limit)) from None


def describe(cases: pd.DataFrame, source: str | Path, limit: int) -> str:
    # A table-level check reports every column of a failing row; one line per row is enough.
    row_level = cases["schema_context"] == "DataFrameSchema"
    cases = pd.concat(
        [
            cases[~row_level].drop_duplicates(subset=["column", "check", "index"]),
            cases[row_level].drop_duplicates(subset=["check", "index"]).assign(column=None),
        ]
    )
    lines = [f"{source}: {len(cases)} problem(s):"]
    for case in cases.head(limit).itertuples(index=False):
        index = case.index
        # CSV line = row index + 2 (line 1 is the header); whole-column checks have no row.
        where = f"line {int(index) + 2}" if pd.notna(index) else "all lines"
        if isinstance(case.column, str):
            lines.append(f"  {where}, column {case.column!r}: {case.failure_case!r} fails {case.check}")
        else:
            lines.append(f"  {where}: row fails {case.check}")
    if len(cases) > limit:
        lines.append(f"  ... and {len(cases) - limit} more")
    return "\n".join(lines)


def read_raw(path: str | Path) -> pd.DataFrame:
    """Read a tidy raw CSV and validate it; errors name the file, line and column."""
    # Read text and let the schema convert, so a bad cell is reported with its line
    # instead of aborting the whole read.
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["value_musd"] = frame["value_musd"].mask(frame["value_musd"] == "")
    flags = frame["estimate"].map({"True": True, "False": False})
    frame["estimate"] = flags if flags.notna().all() else frame["estimate"].where(flags.isna(), flags)
    return validate(frame, RAW, path)
