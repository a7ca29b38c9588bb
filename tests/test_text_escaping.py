"""Text is text: a cell, label or caption is shown as written in every output format.

Each format is read back by a reader written here from that format's rules (GitHub-flavoured
Markdown tables, LaTeX's special characters, HTML parsed by html.parser), not from the escaping code.
"""

from __future__ import annotations

import re
import string
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.text import Text

from bilateral import figures, report, tables

HOSTILE = ["a|b", "x\ny", "50% & $5_000 {}", "<script>alert(1)</script>", "back\\slash ~^#", "*not* _em_ `code` [l](u)"]
LABEL = "Name | <b>\n$x$ & 5_000"
CAPTION = "Trade of $5 m to $10 m | 50% & <i>under_score</i>"


def _frame() -> pd.DataFrame:
    return pd.DataFrame({LABEL: HOSTILE, "value": [1.5] * len(HOSTILE)})


# --- Markdown (GFM pipe tables, CommonMark backslash escapes) ---------------------------------------

# Characters that would start markup if left bare: HTML, entity, maths (Jupyter), code, emphasis, link.
MARKUP = set("<&$`*_~[")


def _markdown_cells(line: str) -> list[str]:
    """One pipe-table row as its cells' text: `\\` + punctuation is that character, `<br>` a line
    break, a bare `|` ends a cell. A bare markup character fails: a Markdown reader would not show it."""
    assert line.startswith("|") and line.endswith("|"), line
    cells, cell, body, i = [], [], line[1:-1], 0
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body) and body[i + 1] in string.punctuation:
            cell.append(body[i + 1])
            i += 2
        elif body.startswith("<br>", i):
            cell.append("\n")
            i += 4
        elif body[i] == "|":
            cells.append("".join(cell).strip(" "))
            cell, i = [], i + 1
        else:
            assert body[i] not in MARKUP, f"bare {body[i]!r} in {line!r}"
            cell.append(body[i])
            i += 1
    return [*cells, "".join(cell).strip(" ")]


def test_markdown_cells_read_back_as_written():
    text = tables.render(_frame(), "md", CAPTION)
    caption, blank, header, rule, *rows = text.rstrip("\n").split("\n")
    assert blank == ""
    assert re.fullmatch(r"\|(:-+\|)+", rule)
    assert _markdown_cells(header) == [LABEL, "value"]
    assert [_markdown_cells(row) for row in rows] == [[cell, "1.50"] for cell in HOSTILE]
    assert _markdown_cells(f"|{caption}|") == [CAPTION]


# --- LaTeX ------------------------------------------------------------------------------------------

# What LaTeX prints for each text-mode command; anything else starting with a backslash is not text.
LATEX_TEXT = {
    r"\&": "&",
    r"\%": "%",
    r"\$": "$",
    r"\#": "#",
    r"\_": "_",
    r"\{": "{",
    r"\}": "}",
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\textless{}": "<",
    r"\textgreater{}": ">",
    r"\textbar{}": "|",
}
# Bare, these change meaning (or, with the default OT1 encoding, the glyph).
LATEX_SPECIAL = set("&%$#_{}~^\\<>|")


def _latex_cells(line: str) -> list[str]:
    """One longtable row (`a & b \\\\`) as the text LaTeX prints in each cell."""
    assert line.endswith(r" \\"), line
    cells, cell = [], []
    for token in re.findall(r"\\[a-z]+\{\}|\\.|.", line[: -len(r" \\")]):
        if token == "&":
            cells.append("".join(cell).strip(" "))
            cell = []
        else:
            assert token in LATEX_TEXT or token not in LATEX_SPECIAL and not token.startswith("\\"), token
            cell.append(LATEX_TEXT.get(token, token))
    return [*cells, "".join(cell).strip(" ")]


def test_latex_cells_and_caption_are_escaped():
    lines = tables.render(_frame(), "tex", CAPTION).split("\n")
    # A line break in a cell is printed as a space (an l column cannot break a line).
    printed = [text.replace("\n", " ") for text in HOSTILE]
    rows = lines[lines.index(r"\endlastfoot") + 1 : lines.index(r"\end{longtable}")]
    assert [_latex_cells(row) for row in rows] == [[cell, "1.50"] for cell in printed]
    assert _latex_cells(lines[lines.index(r"\toprule") + 1]) == [LABEL.replace("\n", " "), "value"]
    caption = next(line for line in lines if line.startswith(r"\caption{"))
    assert _latex_cells(caption.removeprefix(r"\caption{").replace(r"} \\", r" \\")) == [CAPTION]


# --- HTML -------------------------------------------------------------------------------------------


class _Cells(HTMLParser):
    """The text of each th/td and caption, `<br>` as a line break; any other tag is recorded."""

    STRUCTURE = {"caption", "span", "table", "thead", "tbody", "tr", "th", "td", "br"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.cells, self.tags, self._open = [], set(), None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("th", "td", "caption"):
            self._open = []
        elif tag == "br" and self._open is not None:
            self._open.append("\n")

    def handle_endtag(self, tag):
        if tag in ("th", "td", "caption"):
            self.cells.append("".join(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._open.append(data)


def _html_cells(text: str) -> _Cells:
    parser = _Cells()
    parser.feed(text)
    parser.close()
    return parser


def test_html_cells_and_caption_read_back_as_written():
    parsed = _html_cells(tables.render(_frame(), "html", CAPTION))
    assert parsed.tags <= _Cells.STRUCTURE  # no <script>, <b> or <i> became a tag
    expected = [CAPTION, LABEL, "value"] + [text for cell in HOSTILE for text in (cell, "1.50")]
    assert parsed.cells == expected


def test_tab_in_a_cell_stays_a_tab_in_html():
    # pandas' to_html prints a tab as the two characters `\t` unless it is escaped first.
    parsed = _html_cells(tables.render(pd.DataFrame({"a": ["x\ty"]}), "html", "c"))
    assert parsed.cells == ["c", "a", "x\ty"]


def test_report_template_escapes_every_value():
    hostile = '<script>alert(1)</script> & "quoted"'
    page = report.TEMPLATE.render(
        heading=hostile,
        dataset=hostile,
        data={key: hostile for key in ("title", "producer", "vintage", "citation", "licence")},
        figures=[
            {"name": "f", "title": hostile, "png": "", "program": hostile, "parameters": hostile, "sides": hostile}
        ],
        claims=None,
        regime_tables=[],
        revisions=None,
        fingerprint=hostile,
        records=[{"item": hostile, "program": hostile, "params": hostile, "outputs": {hostile: hostile}}],
        raw_files=[{"file": hostile, "sha256": hostile}],
    )
    assert "<script>" not in page
    # Each value escaped once (not twice: no "&amp;lt;"), wherever the template uses it: heading 2 (title,
    # h1), dataset 1, data 5, figure 5 (alt, caption, program, parameters, sides), fingerprint 1,
    # provenance row 5, raw file 2.
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quoted&#34;") == 21
    assert "&amp;lt;" not in page


# --- Figures ----------------------------------------------------------------------------------------


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [2000, 2001, 2000, 2001],
            "reported_by": ["Bangladesh", "Bangladesh", "partner", "partner"],
            "reporter": ["Bangladesh", "Bangladesh", "USSR", "USSR"],
            "partner": ["USSR"] * 4,
            "exports_musd": [1.0, 2.0, 1.5, 2.5],
            "imports_musd": [4.0, 5.0, 4.5, 5.5],
            "total_musd": [5.0, 7.0, 6.0, 8.0],
            "balance_musd": [-3.0, -3.0, -3.0, -3.0],
            "exports_estimate": [False] * 4,
            "imports_estimate": [False] * 4,
            "exports_source": [""] * 4,
            "imports_source": [""] * 4,
            "note": [""] * 4,
        }
    )


@pytest.mark.parametrize("title", ["Trade of $5 m to $10 m", r"$\alpha$ and \$"])
def test_figure_title_and_source_are_drawn_as_written(title):
    fig = figures.plot(_rows(), title, "Source: $1 = $1")
    drawn = {text.get_text(): text for text in fig.findobj(Text)}
    for written in (title, "Source: $1 = $1"):
        # _preprocess_math is where matplotlib decides: (text, False) means plain text, unchanged.
        assert drawn[written]._preprocess_math(written) == (written, False)
    plt.close(fig)


def test_mathtext_would_have_been_used_without_the_fix():
    # The check above can fail: a default Text takes "$5 m to $" as a formula.
    text = Text(text="Trade of $5 m to $10 m")
    assert text._preprocess_math(text.get_text())[1] is True
