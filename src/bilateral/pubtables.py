"""Tables for readers (HTML and LaTeX), laid out by great-tables; CSV and Markdown stay tidy and long.

A regime table has one row per government (or camp) and the two reporting sides side by side under
spanners that name the reporter, so the two sources are compared across a row. The claims table
groups the two sides of a claim under the claim and says each check in words.

great-tables 1.1.0 renders no HTML <caption> (its title is a table row) and no footnotes in LaTeX,
so `html` adds the caption and `latex` prints the footnotes as notes under the table.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

import pandas as pd
from great_tables import GT, loc, style
from great_tables import html as raw_html

# The columns of the long regime tables that differ between the two reporting sides.
SIDE_COLUMNS = (
    "years_with_data",
    "mean_exports_musd",
    "mean_imports_musd",
    "mean_total_musd",
    "mean_balance_musd",
    "cagr_total_pct",
    "share_of_world_pct",
    "estimated_years",
)
# Short labels under a side's spanner (the table's notes say what each means).
SIDE_LABELS = {
    "years_with_data": "Years with data",
    "mean_exports_musd": "Exports",
    "mean_imports_musd": "Imports",
    "mean_total_musd": "Total",
    "mean_balance_musd": "Balance",
    "cagr_total_pct": "Growth of total (% a year)",
    "share_of_world_pct": "Share of world trade (%)",
    "estimated_years": "Years with IMF estimates",
}
KEY_LABELS = {
    "government": "Government",
    "camp": "Camp",
    "in_office": "In office",
    "years": "Years assigned",
    "n_years": "Years assigned",
}
_SEP = "::"  # side::column in the wide frame; no column or side name holds it


def wide(long: pd.DataFrame, keys: list[str], sides: dict[str, str]) -> pd.DataFrame:
    """One row per `keys[0]` (in the long table's order), the side columns once per reporting side
    (in the order of `sides`, named `side::column`)."""
    key = keys[0]
    order = list(dict.fromkeys(long[key]))
    rows = long.drop_duplicates(key).set_index(key)[keys[1:]]
    for side in sides:
        part = long[long["reported_by"] == side].set_index(key)
        present = [c for c in SIDE_COLUMNS if c in long.columns]
        rows = rows.join(part[present].rename(columns=lambda c, s=side: f"{s}{_SEP}{c}"))
    return rows.loc[order].reset_index()


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def in_office(text: str) -> str:
    """'1996-06-23 – 2001-07-15' -> 'Jun 1996 – Jul 2001'; an open end -> 'since Jan 2009'.
    Months, not years only: some governments held office for weeks."""
    start, _, end = (part.strip() for part in str(text).partition(" – "))

    def month(iso: str) -> str:
        day = dt.date.fromisoformat(iso)
        return f"{_MONTHS[day.month - 1]}\u00a0{day.year}"

    if not end or end == "in office":
        return f"since {month(start)}"
    return f"{month(start)}\u00a0– {month(end)}"


def _side_columns(frame: pd.DataFrame, side: str, kind: str) -> list[str]:
    return [c for c in frame.columns if c.startswith(f"{side}{_SEP}") and c.endswith(kind)]


def regime_table(
    long: pd.DataFrame,
    table_id: str,
    sides: dict[str, str],
    source: str,
    notes: dict[str, str],
    home: str,
    for_latex: bool = False,
) -> GT:
    """The regime table (by government when `long` has `government_id`, else by camp) for readers.

    `sides` maps each reported_by value to the spanner's label (the reporter's name); `notes` are the
    footnotes: `year_rule`, `estimates`, `means`, `share` (each placed on the column it explains;
    for LaTeX, which great-tables 1.1.0 gives no footnotes, notes under the table)."""
    by_government = "government_id" in long.columns
    keys = (
        ["government_id", "government", "camp", "in_office", "years", "n_years"]
        if by_government
        else ["camp", "n_years"]
    )
    frame = wide(long, keys, sides)
    if by_government:
        frame = frame.drop(columns="government_id")
        frame["in_office"] = frame["in_office"].map(in_office)
        # "1996–2001 (6)": the years span and their number in one compact cell.
        frame["years"] = [
            f"{span} ({n})" if isinstance(span, str) and span else f"– ({n})"
            for span, n in zip(frame["years"], frame["n_years"], strict=True)
        ]
        frame = frame.drop(columns="n_years")
    table = GT(frame, id=table_id)
    for side, label in sides.items():
        table = table.tab_spanner(label, columns=[c for c in frame.columns if c.startswith(f"{side}{_SEP}")])
    labels = {c: KEY_LABELS[c] for c in frame.columns if c in KEY_LABELS}
    labels |= {c: SIDE_LABELS[c.split(_SEP)[1]] for c in frame.columns if _SEP in c}
    share = [c for c in frame.columns if c.endswith("share_of_world_pct")]
    labels |= {c: f"Share of {home}'s world trade (%)" for c in share}
    table = table.cols_label(cases=labels)
    numbers = [c for side in sides for kind in ("_musd", "_pct") for c in _side_columns(frame, side, kind)]
    counts = [
        c for side in sides for kind in ("years_with_data", "estimated_years") for c in _side_columns(frame, side, kind)
    ]
    table = (
        table.fmt_number(columns=numbers, decimals=2)
        .fmt_integer(columns=counts)
        .sub_missing(columns=numbers, missing_text="")
        .cols_align("left", columns=[c for c in frame.columns if _SEP not in c and frame[c].dtype == object])
        .tab_source_note(_note(source, for_latex))
        .tab_options(table_font_size="13px", data_row_padding="3px", column_labels_padding="3px")
    )
    placed = {
        "growth": [c for c in frame.columns if c.endswith("cagr_total_pct")],
        "year_rule": ["years"] if by_government else ["n_years"],
        "means": [c for c in frame.columns if c.endswith("mean_total_musd")],
        "share": share,
        "estimates": [c for c in frame.columns if c.endswith("estimated_years")],
    }
    if not for_latex:  # great-tables 1.1.0 has no styles in LaTeX (and warns)
        table = table.tab_style(
            style.text(whitespace="nowrap"),
            locations=loc.body(columns=[c for c in ("in_office", "years") if c in frame]),
        )
    for name, text in notes.items():
        if for_latex:
            table = table.tab_source_note(_note(text, for_latex))
        else:
            table = table.tab_footnote(text, locations=loc.column_labels(columns=placed[name]))
    return table


def _note(text: str, for_latex: bool):
    """A source note as written: great-tables reads a plain string as Markdown in HTML (an `_` or
    `*` would become emphasis), so HTML gets it escaped; LaTeX escapes plain strings itself."""
    return text if for_latex else raw_html(escape(text, quote=False))


def regime_notes(rule_text: str, home: str, by_government: bool) -> dict[str, str]:
    """The footnotes of a regime table, each on the column it explains."""
    notes = {
        "year_rule": (
            f"Years assigned: the calendar years given to the government by the year rule, {rule_text}; "
            "their number in brackets."
            if by_government
            else f"Years assigned: the calendar years of the camp's governments, by the year rule, {rule_text}."
        ),
        "means": (
            "Exports, imports, total and balance: mean annual values, US$ million, over the years where both "
            "flows are known (so exports - imports = balance); an empty cell means no data, never zero."
        ),
        "growth": "Compound annual growth of total trade between the first and the last year with data.",
        "share": (
            f"The pair's total trade summed over the years, over {home}'s trade with the World summed over the "
            f"same years; the World total is {home}'s own report on both sides."
        ),
        "estimates": (
            "Years whose exports or imports are IMF estimates, not the reporter's own figures: over those "
            "years the two sides are not independent sources."
        ),
    }
    if not by_government:
        notes.pop("growth")  # a camp's years are not one spell: no growth column
    return notes


def regime_formats(long: pd.DataFrame, table_id: str, caption: str, **settings) -> dict[str, str]:
    """The HTML and LaTeX texts of a regime table (tables.write_all writes them for .html and .tex)."""
    return {
        "html": html(regime_table(long, table_id, **settings), caption),
        "tex": latex(regime_table(long, table_id, **settings, for_latex=True), caption),
    }


VERDICT_MARKS = {
    "holds": "✓",
    "supported": "✓",
    "does not hold": "✗",
    "not supported": "✗",
    "inconclusive": "?",
    "not covered by this vintage": "–",
}


def verdict_text(verdict: str) -> str:
    """'✓ holds': a symbol and the word, so a verdict reads without colour (and in greyscale)."""
    return f"{VERDICT_MARKS.get(verdict, '')} {verdict}".strip()


def unbroken(text: str) -> str:
    """Ranges and units that must not break across lines: '38.88->86.33' -> '38.88 → 86.33' with
    no-break spaces, '+122.0 %' with a no-break space."""
    text = re.sub(r"\s*->\s*", "\u00a0→\u00a0", str(text))
    return text.replace(" %", "\u00a0%")


ESTIMATES_NOTE = (
    "IMF estimates: whether a number used is, or is computed from, an IMF estimate rather than the "
    "reporter's own figure; where it is, agreement of the two sides is not independent confirmation."
)
CLAIM_LABELS = {
    "claim": "Claim",
    "reported_by": "Reported by",
    "verdict": "Verdict",
    "check_text": "What is checked",
    "numbers_used": "Numbers used (US$ m)",
    "uses_imf_estimates": "IMF estimates",
    "reason": "Why",
}


def claims_frame(verdicts: pd.DataFrame, describe, sides: dict[str, str]) -> pd.DataFrame:
    """The verdicts as readers see them: the claim as a heading, the check in words, the verdict
    with a symbol, ranges that do not break. `describe(id)` says the check of a claim in words."""
    shown = pd.DataFrame(
        {
            # The claim and our reading of it head its rows (one per reporting side).
            "claim": [
                f"{section}: “{quote}” ({claim_id}). Our reading: {reading}"
                for section, quote, claim_id, reading in zip(
                    verdicts["section"], verdicts["quote"], verdicts["id"], verdicts["reading"], strict=True
                )
            ],
            "reported_by": verdicts["reported_by"].map(lambda side: sides.get(side, side)),
            # The verdict next to the side, so that it is in view on a narrow screen.
            "verdict": verdicts["verdict"].map(verdict_text),
            "check_text": verdicts["id"].map(describe),
            "numbers_used": verdicts["numbers_used"].fillna("").map(unbroken),
            "uses_imf_estimates": verdicts["uses_imf_estimates"].map({True: "yes", False: "no"}),
            "reason": verdicts["reason"].fillna("").map(unbroken),
        }
    )
    return shown


def claims_table(shown: pd.DataFrame, table_id: str, source: str, estimates_note: str) -> GT:
    """One group of rows per claim (its section, quote and id), one row per reporting side."""
    return (
        GT(shown, id=table_id, groupname_col="claim")
        .cols_label(cases=CLAIM_LABELS)
        .cols_align("left")
        .tab_source_note(_note(source, False))
        .tab_footnote(estimates_note, locations=loc.column_labels(columns=["uses_imf_estimates"]))
        .tab_style(style.text(whitespace="nowrap"), locations=loc.body(columns=["verdict"]))
        .tab_options(table_font_size="13px", data_row_padding="3px", row_group_background_color="#f2f2f2")
    )


_TABLE_TAG = re.compile(r"<table\b[^>]*>")
# Cells that span the whole table: notes, and the claim over its rows.
_NOTE_CELL = re.compile(r'(<(td|th) class="gt_(?:footnote|sourcenote|group_heading)"[^>]*>)(.*?)(</\2>)', re.DOTALL)


def html(table: GT, caption: str) -> str:
    """The table as an HTML fragment with a <caption> (read by screen readers and the page's test)."""
    text = table.as_raw_html()
    opening = _TABLE_TAG.search(text)
    if opening is None:
        raise ValueError("great-tables wrote no <table>")
    caption_html = f'<caption class="gt_caption"><span>{escape(caption, quote=False)}</span></caption>'
    text = f"{text[: opening.end()]}\n{caption_html}{text[opening.end() :]}"
    # Each note (and claim heading) in a box of its own, which a page can keep in view while a wide
    # table scrolls sideways.
    return _NOTE_CELL.sub(r"\1<div>\3</div>\4", text).rstrip() + "\n"


def latex(table: GT, caption: str) -> str:
    """The table (built with for_latex=True) as a LaTeX longtable under its caption."""
    return table.tab_header(caption).as_latex(use_longtable=True).rstrip() + "\n"
