"""Write one table as CSV, Markdown, LaTeX and HTML, with deterministic bytes."""

from __future__ import annotations

import re
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


# Every text field (cells, column labels, captions) is escaped for the format it is written in, so
# that a `|`, a newline, `$` or `<script>` in a name or a claim is shown as written and never
# breaks the table or turns into markup, mathematics or code.
_NEWLINE = re.compile(r"\r\n|\r|\n")

# LaTeX's special characters; `<`, `>` and `|` too, which the default OT1 font encoding would
# print as other glyphs (¡, ¿, —).
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
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def latex_escape(text: str) -> str:
    """Text as LaTeX prints it. A line break becomes a space: the table's `l` columns cannot break
    lines, and an empty line (a paragraph break) inside a cell would not compile."""
    return "".join(_LATEX.get(char, char) for char in _NEWLINE.sub(" ", text))


# Characters that end a cell (`|`), or start markup in GitHub's or Jupyter's Markdown: HTML (`<`),
# entities (`&`), mathematics (`$`, which Jupyter renders with MathJax), code, emphasis, links,
# strike-through, and the backslash itself. CommonMark lets a backslash escape any of them.
_MARKDOWN = frozenset("\\|<&$`*_~[]")


def markdown_escape(text: str) -> str:
    """Text for a Markdown table cell or caption that a Markdown reader shows as written.

    A line break becomes `<br>`, which GitHub and Jupyter render as a line break inside a table cell;
    a space would lose it, and since a literal `<` is escaped, `<br>` can only mean a line break."""
    escaped = "".join(f"\\{char}" if char in _MARKDOWN else char for char in text)
    return _NEWLINE.sub("<br>", escaped)


def html_escape(text: str) -> str:
    """Text for HTML element content: `<`, `>`, `&` as entities, a line break as `<br>` (HTML would
    show a space), a tab as `&#9;` (pandas' to_html would print a literal `\\t`)."""
    return _NEWLINE.sub("<br>", escape(text, quote=False)).replace("\t", "&#9;")


_ESCAPES = {"md": markdown_escape, "tex": latex_escape, "html": html_escape}


def _rounded(frame: pd.DataFrame, decimals: int, labels: dict | None = None) -> pd.DataFrame:
    shown = frame.copy()
    for column in shown.select_dtypes("bool").columns:
        shown[column] = shown[column].map({True: "yes", False: "no"})
    for column in shown.select_dtypes("float").columns:
        shown[column] = shown[column].map(lambda v: "" if pd.isna(v) else f"{v:,.{decimals}f}")
    return shown.fillna("").rename(columns=LABELS | (labels or {}))


def render(frame: pd.DataFrame, fmt: str, caption: str, decimals: int = 2, labels: dict | None = None) -> str:
    """The table as text; CSV keeps full precision, the others show `decimals` places and the
    column labels (LABELS, with `labels` taking precedence), every cell, label and the caption escaped."""
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\n")
    if fmt not in _ESCAPES:
        raise ValueError(f"unknown table format {fmt!r}; choose one of {FORMATS}")
    text = _ESCAPES[fmt]
    shown = _rounded(frame, decimals, labels)
    # Escaped here, once, so that pandas and tabulate only lay out text that is already safe. Number
    # columns have nothing to escape and stay numbers, so LaTeX still right-aligns them.
    for column in shown.select_dtypes(exclude="number").columns:
        shown[column] = shown[column].map(lambda value: text(str(value)))
    shown = shown.rename(columns=lambda label: text(str(label)))
    if fmt == "md":
        return f"{text(caption)}\n\n{shown.to_markdown(index=False, disable_numparse=True)}\n"
    if fmt == "tex":
        return shown.to_latex(index=False, caption=text(caption), longtable=True, escape=False)
    body = shown.to_html(index=False, border=0, classes="table", justify="left", escape=False)
    # The caption inside the table (<caption>), where screen readers and browsers look for it.
    opening = body.index(">", body.index("<table")) + 1
    return f"{body[:opening]}\n<caption><span>{text(caption)}</span></caption>{body[opening:]}\n"


def write_all(
    frame: pd.DataFrame,
    paths,
    caption: str,
    labels: dict | None = None,
    decimals: int = 2,
    laid_out: dict[str, str] | None = None,
) -> list[Path]:
    """Write the table to each path, in the format its suffix names (.csv, .md, .tex, .html).

    `laid_out` holds the text of formats laid out for readers elsewhere (bilateral.pubtables: the
    regime and claims tables in HTML and LaTeX); the CSV is always the tidy, long `frame`."""
    written = []
    for path in map(Path, paths):
        fmt = path.suffix.lstrip(".")
        text = (laid_out or {}).get(fmt)
        write_text(path, text if text is not None else render(frame, fmt, caption, decimals=decimals, labels=labels))
        written.append(path)
    return written
