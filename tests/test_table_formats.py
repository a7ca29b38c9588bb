"""Each table format (Markdown, LaTeX, HTML) holds the same values as its CSV.

The tables are written with bilateral.tables.write_all, then every format is parsed back here with
plain parsers (pipe rows, longtable rows split on `&` and `\\\\`, html.parser) and compared cell by
cell with the CSV, read independently, after the documented display rules: numbers with 2 decimals
and thousands separators, booleans as yes/no, missing values as empty cells, never 0. The parsers
accept the usual escapes (Markdown `\\|`, LaTeX `\\&`, `\\%`, `\\_`, `\\$`, HTML entities), so
escaping a special character more carefully does not break them.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from bilateral import pubtables, regime_tables, regimes, tables
from bilateral.pair import named_sides
from bilateral.panel import build_world

# --- parsers -------------------------------------------------------------------------------------

_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation


def parse_markdown(text: str) -> tuple[list[str], list[list[str]]]:
    """The pipe table of a Markdown document: header and rows, cells unescaped."""
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith("|")]
    rows = []
    for line in lines:
        # Split on pipes that are not escaped; drop the empty pieces outside the outer pipes.
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        rows.append([unescape(_MD_ESCAPE.sub(r"\1", cell.strip())) for cell in cells])
    header, separator, *body = rows
    assert all(re.fullmatch(r":?-+:?", cell) for cell in separator), separator
    return header, body


_LATEX_SPECIALS = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
}


def latex_unescape(cell: str) -> str:
    for escaped, char in _LATEX_SPECIALS.items():
        cell = cell.replace(escaped, char)
    return re.sub(r"\\([&%$#_{}])", r"\1", cell)


def _latex_rows(block: str) -> list[list[str]]:
    rows = []
    for row in re.split(r"\\\\\s*(?:\n|$)", block):
        row = row.strip()
        if not row or re.fullmatch(r"\\(toprule|midrule|bottomrule|hline)", row):
            continue
        rows.append([latex_unescape(cell.strip()) for cell in re.split(r"(?<!\\)&", row)])
    return rows


def parse_latex(text: str) -> tuple[list[str], list[list[str]]]:
    """A longtable: the header of its first page and the body rows after \\endlastfoot."""
    assert text.count(r"\begin{longtable}") == 1 and r"\end{longtable}" in text
    head = text.split(r"\endfirsthead")[0]
    head = head.split(r"\toprule", 1)[1].split(r"\midrule", 1)[0]
    (header,) = _latex_rows(head)
    body = text.split(r"\endlastfoot", 1)[1].split(r"\end{longtable}", 1)[0]
    return header, _latex_rows(body)


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self.kinds: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
            self.kinds.append("")
        elif tag in ("td", "th"):
            self._cell = []
            self.kinds[-1] = tag

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse_html(text: str) -> tuple[list[str], list[list[str]]]:
    parser = _Cells()
    parser.feed(text)
    assert text.count("<table") == 1
    (header,) = [row for row, kind in zip(parser.rows, parser.kinds, strict=True) if kind == "th"]
    body = [row for row, kind in zip(parser.rows, parser.kinds, strict=True) if kind == "td"]
    return header, body


def parse_wide_html(text: str) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """A table with spanners: the spanner labels, the column labels (footnote marks dropped) and the
    body rows (tbody only: the notes in tfoot are not data). A typographic minus reads as '-'."""
    parser = _Cells()
    parser.feed(re.sub(r'<span class="gt_footnote_marks"[^>]*>[^<]*</span>', "", text))
    assert text.count("<table") == 1 and "<caption" in text
    heads = [row for row, kind in zip(parser.rows, parser.kinds, strict=True) if kind == "th"]
    spanner_row, labels = heads
    body_html = text.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    body = _Cells()
    body.feed(body_html)
    rows = [[cell.replace("\u2212", "-") for cell in row] for row in body.rows]
    n_keys = len(spanner_row) - len(re.findall(r'scope="colgroup"', text))
    # The key columns' labels span both header rows and stand in the spanners' row.
    return spanner_row[n_keys:], spanner_row[:n_keys] + labels, rows


def parse_wide_latex(text: str) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """A great-tables longtable: spanners (\\multicolumn), column labels, and the body rows."""
    assert text.count(r"\begin{longtable}") == 1 and r"\caption*{" in text
    head, body = text.split(r"\midrule", 1)
    spanners = re.findall(r"\\multicolumn\{\d+\}\{c\}\{([^}]*)\}", head)
    label_line = head.split(r"\cmidrule")[-1].split("\n", 1)[1]
    (labels,) = _latex_rows(label_line)
    body = body.split(r"\bottomrule", 1)[0].replace(r"\addlinespace[2.5pt]", "")
    return [latex_unescape(s) for s in spanners], labels, _latex_rows(body)


PARSERS = {"md": parse_markdown, "tex": parse_latex, "html": parse_html}

# --- the CSV, read independently, and the documented display rules ------------------------------

_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*\.\d{2}")  # 2 decimals, thousands separated by commas


def read_csv_cells(path) -> tuple[list[str], list[list[str]], dict[str, str]]:
    """Header, rows as text, and each column's kind: float, int, bool or text (pandas' plain inference)."""
    with open(path, newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    typed = pd.read_csv(path)
    kinds = {}
    for column in header:
        dtype = typed[column].dtype
        kinds[column] = (
            "bool"
            if pd.api.types.is_bool_dtype(dtype)
            else "float"
            if pd.api.types.is_float_dtype(dtype) and typed[column].notna().any()
            else "int"
            if pd.api.types.is_integer_dtype(dtype)
            else "text"
        )
    return header, rows, kinds


def assert_cell_shows(shown: str, raw: str, kind: str, where: str) -> None:
    if raw == "":
        assert shown == "", f"{where}: missing in the CSV but shown as {shown!r}"
        return
    if kind == "float":
        assert _NUMBER.fullmatch(shown), f"{where}: {shown!r} is not a number with 2 decimals and thousands separators"
        value = float(raw)
        assert abs(float(shown.replace(",", "")) - value) <= 0.005 + 1e-9 * abs(value), f"{where}: {shown} vs {raw}"
    elif kind == "bool":
        assert shown == {"True": "yes", "False": "no"}[raw], f"{where}: {shown!r} vs {raw!r}"
    elif kind == "int":
        assert int(shown.replace(",", "")) == int(raw), f"{where}: {shown!r} vs {raw!r}"
    else:
        assert shown == raw, f"{where}: {shown!r} vs {raw!r}"


def assert_formats_match_csv(stem, labels: dict[str, str] | None = None, formats=tuple(PARSERS)) -> None:
    header, rows, kinds = read_csv_cells(f"{stem}.csv")
    assert rows, "the CSV has no rows"
    for fmt in formats:
        parse = PARSERS[fmt]
        shown_header, shown_rows = parse(Path(f"{stem}.{fmt}").read_text(encoding="utf-8"))
        assert len(shown_header) == len(header), (fmt, shown_header)
        for column, label in (labels or {}).items():
            assert shown_header[header.index(column)] == label, (fmt, column)
        assert len(shown_rows) == len(rows), f"{fmt}: {len(shown_rows)} rows, the CSV has {len(rows)}"
        for number, (shown, raw) in enumerate(zip(shown_rows, rows, strict=True), start=1):
            assert len(shown) == len(header), f"{fmt} row {number}: {len(shown)} cells: {shown}"
            for column, cell_shown, cell_raw in zip(header, shown, raw, strict=True):
                assert_cell_shows(cell_shown, cell_raw, kinds[column], f"{stem.name}.{fmt} row {number} {column}")


# --- the regime tables of the real panel ---------------------------------------------------------

REGIMES = ROOT / "config" / "regimes.yaml"
# The CSV names each reporting side by its country; the spanners do too.
SIDES = {"Bangladesh": "Bangladesh", "USSR / Russian Federation": "USSR / Russian Federation"}
# The columns that differ between the reporting sides, in the CSV's order (README: the regime tables).
SIDE_COLUMNS = [
    "years_with_data",
    "mean_exports_musd",
    "mean_imports_musd",
    "mean_total_musd",
    "mean_balance_musd",
    "cagr_total_pct",
    "share_of_world_pct",
    "estimated_years",
]


@pytest.fixture(scope="module")
def regime_frames(raw, panel):
    governments = regimes.load(REGIMES)
    world = build_world(raw)
    camps = regimes.load_camps(REGIMES)
    return {  # as notebooks/regime_tables.ipynb makes them
        "regimes_by_government": named_sides(
            regime_tables.by_government(panel, world, governments, "plurality"), panel
        ),
        "regimes_by_camp": named_sides(regime_tables.by_camp(panel, world, governments, "plurality", camps), panel),
        "year_assignment": regime_tables.years_to_governments(panel, governments, "plurality"),
    }


def _write_regime_table(tmp_path, panel, frame, name) -> None:
    """As notebooks/regime_tables.ipynb writes it: CSV and Markdown long, HTML and LaTeX laid out."""
    caption = f"{name} & 100% of $ in_office"
    laid_out = None
    if name != "year_assignment":
        laid_out = pubtables.regime_formats(
            frame,
            name,
            caption,
            sides=SIDES,
            source="Source: IMF & co_1 *x*",
            home="Bangladesh",
            notes=pubtables.regime_notes("the rule", "Bangladesh", by_government="government_id" in frame),
        )
    paths = tables.write_all(
        frame,
        [tmp_path / f"{name}.{fmt}" for fmt in tables.FORMATS],
        caption,
        labels=regime_tables.column_labels(panel),
        laid_out=laid_out,
    )
    assert sorted(p.suffix for p in paths) == [".csv", ".html", ".md", ".tex"]


def test_year_assignment_holds_the_csv_values_in_every_format(tmp_path, panel, regime_frames):
    _write_regime_table(tmp_path, panel, regime_frames["year_assignment"], "year_assignment")
    assert_formats_match_csv(tmp_path / "year_assignment")


@pytest.mark.parametrize("name", ["regimes_by_government", "regimes_by_camp"])
def test_regime_tables_long_in_markdown_one_row_per_government_in_html_and_latex(tmp_path, panel, regime_frames, name):
    """Markdown holds the CSV row by row; HTML and LaTeX hold one row per government (or camp), and
    under each reporter's spanner exactly that side's CSV values."""
    _write_regime_table(tmp_path, panel, regime_frames[name], name)
    stem = tmp_path / name
    shown = {"share_of_world_pct": "Share of Bangladesh's world trade (%)"}
    assert_formats_match_csv(stem, shown, formats=("md",))
    header, rows, kinds = read_csv_cells(f"{stem}.csv")
    assert {row[header.index("reported_by")] for row in rows} == set(SIDES)  # both sides named by country
    key = "government_id" if name == "regimes_by_government" else "camp"
    keys = list(dict.fromkeys(row[header.index(key)] for row in rows))
    by_side = {(row[header.index(key)], row[header.index("reported_by")]): row for row in rows}
    for fmt, parse in (("html", parse_wide_html), ("tex", parse_wide_latex)):
        spanners, labels, body = parse(stem.with_suffix(f".{fmt}").read_text(encoding="utf-8"))
        assert spanners == list(SIDES.values()), (fmt, spanners)
        assert len(body) == len(keys), f"{fmt}: {len(body)} rows for {len(keys)} {key}s"
        side_columns = [c for c in SIDE_COLUMNS if c in header]  # the camp table has no growth column
        n_keys = len(labels) - len(SIDES) * len(side_columns)
        assert labels[n_keys:].count(shown["share_of_world_pct"]) == 2, (fmt, labels)
        for number, (cells, value) in enumerate(zip(body, keys, strict=True), start=1):
            first = by_side[(value, "Bangladesh")]
            if key == "camp":
                assert cells[:n_keys] == [value, first[header.index("n_years")]], (fmt, cells)
            else:
                _assert_government_cells(cells[:n_keys], dict(zip(header, first, strict=True)), fmt)
            assert len(cells) == len(labels), (fmt, cells)
            for block, side in enumerate(SIDES):
                raw_row = by_side[(value, side)]
                width = len(side_columns)
                block_cells = cells[n_keys + block * width : n_keys + (block + 1) * width]
                for column, cell in zip(side_columns, block_cells, strict=True):
                    where = f"{name}.{fmt} row {number} {side} {column}"
                    assert_cell_shows(cell, raw_row[header.index(column)], kinds[column], where)


def _assert_government_cells(cells: list[str], csv_row: dict, fmt: str) -> None:
    """Government, camp, 'Jun 1996 – Jul 2001' from the CSV's ISO dates, '1996–2001 (6)'."""
    government, camp, office, years = cells
    assert government == csv_row["government"] and camp == csv_row["camp"], (fmt, cells)
    start, _, end = csv_row["in_office"].partition(" – ")
    months = [dt.date.fromisoformat(day).strftime("%b %Y") for day in (start, end) if day != "in office"]
    expected = f"since {months[0]}" if end == "in office" else f"{months[0]} – {months[1]}"
    assert office.replace("\u00a0", " ") == expected, (fmt, office, csv_row["in_office"])
    span = csv_row["years"] or "–"
    assert years == f"{span} ({csv_row['n_years']})", (fmt, years)


def test_regime_table_csv_keeps_full_precision_and_empty_cells(tmp_path, regime_frames):
    """The comparison above is not vacuous: the CSV has unrounded numbers, thousands and empty cells."""
    tables.write_all(regime_frames["regimes_by_government"], [tmp_path / "t.csv", tmp_path / "t.md"], "caption")
    header, rows, kinds = read_csv_cells(tmp_path / "t.csv")
    means = [row[header.index("mean_total_musd")] for row in rows]
    assert kinds["mean_total_musd"] == "float"
    assert "" in means  # governments without data (e.g. Mostaq's 84 days in 1975) have empty cells
    assert any(len(m.split(".")[-1]) > 2 for m in means if m)  # the CSV is not rounded
    md = (tmp_path / "t.md").read_text()
    assert re.search(r"\| \d{1,3},\d{3}\.\d{2} ", md)  # a share or total above 1,000 shows a separator


# --- a small table with every special character and every kind of cell ---------------------------


def _tricky() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "government": ["A & B", "50% of $ (interim)", "snake_case #1 {x}", "plain"],
            "camp": ["caretaker/interim", "BNP", "military", None],
            "n_years": [3, 0, 12, 1],
            "mean_total_musd": [1234567.891, math.nan, -0.004, 999.995],
            "share_of_world_pct": [0.1234, math.nan, 12.5, 100.0],
            "uses_imf_estimates": [True, False, True, False],
        }
    )


def test_special_characters_and_kinds_of_cells_survive_every_format(tmp_path):
    tables.write_all(
        _tricky(), [tmp_path / f"tricky.{fmt}" for fmt in tables.FORMATS], "Caption with & and % and _ and $"
    )
    assert_formats_match_csv(tmp_path / "tricky")
    # By hand: 1234567.891 shows as 1,234,567.89; 999.995 rounds to 2 decimals; NaN is empty.
    _, md_rows = parse_markdown((tmp_path / "tricky.md").read_text())
    assert md_rows[0][3] == "1,234,567.89" and md_rows[1][3] == "" and md_rows[0][5] == "yes"


def test_a_pipe_in_a_cell_stays_in_its_markdown_cell(tmp_path):
    frame = pd.DataFrame({"government": ["Caretaker | military-backed"], "n_years": [2]})
    tables.write_all(frame, [tmp_path / "pipe.csv", tmp_path / "pipe.md"], "caption")
    header, rows = parse_markdown((tmp_path / "pipe.md").read_text())
    assert rows == [["Caretaker | military-backed", "2"]]


def test_the_parsers_read_escaped_cells():
    """The parsers themselves, on hand-written text with the escapes other renderers use."""
    md = "cap\n\n| A | B |\n|:--|--:|\n| x \\| y | 1,000.00 |\n| a &amp; b \\_c |  |\n"
    assert parse_markdown(md) == (["A", "B"], [["x | y", "1,000.00"], ["a & b _c", ""]])
    tex = (
        "\\begin{longtable}{ll}\n\\caption{c} \\\\\n\\toprule\nA & B \\\\\n\\midrule\n\\endfirsthead\n"
        "\\endhead\n\\endfoot\n\\bottomrule\n\\endlastfoot\n"
        "x \\& y \\% \\_ \\$ & 1.00 \\\\\n\\textbackslash{} &  \\\\\n\\end{longtable}\n"
    )
    assert parse_latex(tex) == (["A", "B"], [["x & y % _ $", "1.00"], ["\\", ""]])
    html = (
        "<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody><tr><td>x &amp; y</td><td></td></tr></tbody></table>"
    )
    assert parse_html(html) == (["A", "B"], [["x & y", ""]])


def test_a_zero_for_a_missing_value_would_be_caught():
    """The cell check fails for the right reason: a missing value shown as 0.00, a wrong rounding."""
    with pytest.raises(AssertionError, match="missing in the CSV"):
        assert_cell_shows("0.00", "", "float", "x")
    with pytest.raises(AssertionError, match="2 decimals"):
        assert_cell_shows("1234.57", "1234.567", "float", "x")
    with pytest.raises(AssertionError, match="1,234.58 vs 1234.567"):
        assert_cell_shows("1,234.58", "1234.567", "float", "x")
    assert_cell_shows("1,234.57", "1234.567", "float", "x")
    assert np.isclose(float("1,234.57".replace(",", "")), 1234.57)
