"""Write one table as CSV, Markdown, LaTeX and HTML, with deterministic bytes."""

from __future__ import annotations

from html import escape
from pathlib import Path

import pandas as pd

from .atomic import write_text

FORMATS = ("csv", "md", "tex", "html")
# Column names are identifiers in CSV; readers of the other formats get words.
LABELS = {
    "government_id": "Id",
    "government": "Government",
    "camp": "Camp",
    "in_office": "In office",
    "years": "Years assigned (in the data)",
    "n_years": "N years",
    "reported_by": "Reported by",
    "years_with_data": "Years with data",
    "mean_exports_musd": "Mean exports (US$ m)",
    "mean_imports_musd": "Mean imports (US$ m)",
    "mean_total_musd": "Mean total trade (US$ m)",
    "mean_balance_musd": "Mean balance (US$ m)",
    "cagr_total_pct": "CAGR of total trade (%)",
    "share_of_world_pct": "Share of the home country's world trade (%)",
    "estimated_years": "Years with IMF estimates",
    "flow": "Flow",
    "year": "Year",
    "partner": "Partner",
    "value_musd_base": "Base vintage (US$ m)",
    "value_musd_new": "New vintage (US$ m)",
    "revision_musd": "Revision (US$ m)",
    "revision_pct": "Revision (%)",
    "present_in": "Present in",
    "years_in_both": "Years in both",
    "years_revised": "Years revised",
    "largest_abs_revision_musd": "Largest revision (US$ m)",
    "base_only": "Years in base only",
    "new_only": "Years in new only",
    "id": "Claim",
    "section": "Section",
    "quote": "The paper says",
    "series": "Series",
    "check": "Check",
    "numbers_used": "Numbers used (US$ m)",
    "uses_imf_estimates": "Uses IMF estimates",
    "verdict": "Verdict",
    "reason": "Why",
    "reading": "Our reading",
}


# LaTeX's special characters; pandas escapes the cells but not the caption.
_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX.get(char, char) for char in text)


def _rounded(frame: pd.DataFrame, decimals: int, labels: dict | None = None) -> pd.DataFrame:
    shown = frame.copy()
    for column in shown.select_dtypes("bool").columns:
        shown[column] = shown[column].map({True: "yes", False: "no"})
    for column in shown.select_dtypes("float").columns:
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.{decimals}f}")
    return shown.fillna("").rename(columns=LABELS | (labels or {}))


def render(frame: pd.DataFrame, fmt: str, caption: str, decimals: int = 2, labels: dict | None = None) -> str:
    """The table as text; CSV keeps full precision, the others show `decimals` places and the
    column labels (LABELS, with `labels` taking precedence)."""
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n")
    shown = _rounded(frame, decimals, labels)
    if fmt == "md":
        return f"{caption}\n\n{shown.to_markdown(index=False, disable_numparse=True)}\n"
    if fmt == "tex":
        return shown.to_latex(index=False, caption=latex_escape(caption), longtable=True, escape=True)
    if fmt == "html":
        body = shown.to_html(index=False, border=0, classes="table", justify="left")
        return f"<figure>\n<figcaption>{escape(caption)}</figcaption>\n{body}\n</figure>\n"
    raise ValueError(f"unknown table format {fmt!r}; choose one of {FORMATS}")


def write_all(frame: pd.DataFrame, paths, caption: str, labels: dict | None = None, decimals: int = 2) -> list[Path]:
    """Write the table to each path, in the format its suffix names (.csv, .md, .tex, .html)."""
    written = []
    for path in map(Path, paths):
        write_text(path, render(frame, path.suffix.lstrip("."), caption, decimals=decimals, labels=labels))
        written.append(path)
    return written
