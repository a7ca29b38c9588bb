"""The tidy long shape every raw source is converted to (DOTS snapshot, IMTS pulls)."""

from __future__ import annotations

import pandas as pd

# One row per reporter x partner x indicator x year that has a value; a year without a
# value has no row (as in the IMF API), and becomes NaN, never zero, once a panel is built.
COLUMNS = [
    "reporter_code",
    "reporter",
    "partner_code",
    "partner",
    "partner_kind",
    "indicator",
    "year",
    "value_musd",
    "estimate",
]
SORT_KEY = ["reporter", "indicator", "partner", "year"]

EXPORTS = "TXG_FOB_USD"  # exports FOB to partner
IMPORTS = "TMG_CIF_USD"  # imports CIF from partner
INDICATORS = {
    EXPORTS: "Exports, FOB",
    IMPORTS: "Imports, CIF",
    "TMG_FOB_USD": "Imports, FOB",
    "TBG_USD": "Trade balance",
}


def finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Order rows and columns canonically so that equal data give equal bytes."""
    frame = frame[COLUMNS].copy()
    frame["year"] = frame["year"].astype("int64")
    frame["value_musd"] = frame["value_musd"].astype("float64")
    frame["estimate"] = frame["estimate"].astype(bool)
    frame = frame.fillna({"partner_code": "", "reporter_code": ""})
    return frame.sort_values(SORT_KEY, kind="stable").reset_index(drop=True)


def to_csv(frame: pd.DataFrame) -> str:
    # pandas writes floats with repr(), i.e. the shortest text that round-trips exactly.
    return finish(frame).to_csv(index=False, lineterminator="\n")
