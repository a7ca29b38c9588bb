"""Write the source notebooks (without outputs) from the cell texts below.

Run once after editing a cell: `python tools/make_notebooks.py`. Keeping the cells here makes
reviews read as code diffs rather than JSON diffs.
"""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SETUP = """\
import json

import pandas as pd
from IPython.display import Image, Markdown, display

from bilateral import project

project.chdir_root()  # every path below is relative to the project root
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 20)"""


def parameters(text: str):
    """The tagged cell papermill injects its parameters after."""
    return new_code_cell(text, id="parameters", metadata={"tags": ["parameters"]})


def setup(modules: str):
    return new_code_cell(SETUP + f"\n\nfrom bilateral import {modules}", id="setup")


FIGURE = [
    new_markdown_cell(
        "# The pair's trade: Bangladesh with the USSR / Russian Federation\n\n"
        "One parameterised notebook makes each of the paper's Figures 1-3 (section 3). "
        "Snakemake runs it with papermill, once per figure, with the window, title and paths "
        'from `config/config.yaml`. By default (`main_side = "home"`) the top panel shows the '
        "home country's own report (Bangladesh's); the bottom panel the partner's report of the same "
        "flows (the mirror), so the gap between the two sources stays visible. Hollow markers are "
        "IMF estimates.",
        id="intro",
    ),
    parameters(
        'panel_path = "data/processed/dots-2022/panel.csv"\n'
        'provenance_path = "data/raw/dots-2022/provenance.json"\n'
        "start = 1981\n"
        "end = 1991\n"
        'title = "Figure 1: Bangladesh–Soviet bilateral trade, 1981–1991"\n'
        'main_side = "home"  # or "partner": the reporting side drawn on top\n'
        "dpi = 300\n"
        "png_path = None  # None: show the figure without saving it\n"
        "svg_path = None\n"
        "csv_path = None"
    ),
    setup("figures, sources"),
    new_markdown_cell("## The numbers plotted\n\nThe figure's CSV holds exactly these rows.", id="numbers-md"),
    new_code_cell(
        "panel = pd.read_csv(panel_path)\n"
        "rows = figures.window(panel, int(start), int(end))\n"
        "source_line = sources.source_line(provenance_path)\n"
        "if csv_path:\n"
        "    figures.write_csv(rows, csv_path)",
        id="load",
    ),
    new_code_cell(
        "# NBVAL_CHECK_OUTPUT\nprint(figures.summary(rows))",
        id="key-numbers",
    ),
    new_markdown_cell("## The figure", id="figure-md"),
    new_code_cell(
        "fig = figures.plot(rows, title, source_line, main_side)\n"
        "if png_path:\n"
        "    figures.save(fig, png_path, svg_path, dpi=int(dpi))\n"
        "    display(Image(filename=png_path, width=720))",
        id="plot",
    ),
]

TABLES = [
    new_markdown_cell(
        "# The relationship under each of the home country's governments\n\n"
        "The paper compares Bangladesh's policy towards the USSR / Russia across governments "
        "(sections 2, 4 and 5). This notebook gives the pair's trade record for each government in "
        "`config/regimes.yaml`, and for each camp, from both reporting sides. A calendar year "
        "belongs to one government by the rule `year_rule` (default: the government in office "
        "for most of the year).",
        id="intro",
    ),
    parameters(
        'panel_path = "data/processed/dots-2022/panel.csv"\n'
        'world_path = "data/processed/dots-2022/home_world.csv"\n'
        'provenance_path = "data/raw/dots-2022/provenance.json"\n'
        'regimes_path = "config/regimes.yaml"\n'
        'year_rule = "plurality"\n'
        "governments_stem = None  # e.g. tables/regimes_by_government; None: do not write\n"
        "camps_stem = None\n"
        "assignment_path = None"
    ),
    setup("pair, regime_tables, regimes, sources, tables"),
    new_code_cell(
        "panel = pd.read_csv(panel_path)\n"
        "world = pd.read_csv(world_path)\n"
        "governments = regimes.load(regimes_path)\n"
        "source_line = sources.source_line(provenance_path)\n"
        "assignment = regime_tables.year_assignment(panel, governments, year_rule)\n"
        "by_government = regime_tables.by_government(panel, world, governments, year_rule)\n"
        "by_camp = regime_tables.by_camp(panel, world, governments, year_rule, regimes.load_camps(regimes_path))\n"
        "rule_text = regimes.YEAR_RULES[year_rule]\n"
        "label = pair.panel_label(panel)\n"
        "labels = regime_tables.column_labels(panel)\n"
        "captions = {\n"
        "    'government': f'{label} trade by government (year rule: {rule_text}). {source_line}',\n"
        "    'camp': f'{label} trade by camp (year rule: {rule_text}). {source_line}',\n"
        "}\n"
        "if governments_stem:\n"
        "    tables.write_all(by_government, governments_stem, captions['government'], labels=labels)\n"
        "if camps_stem:\n"
        "    tables.write_all(by_camp, camps_stem, captions['camp'], labels=labels)\n"
        "if assignment_path:\n"
        "    tables.write_all(assignment, assignment_path, 'Calendar year -> government')",
        id="compute",
    ),
    new_markdown_cell("## By government", id="gov-md"),
    new_code_cell(
        "# NBVAL_CHECK_OUTPUT\n"
        "display(Markdown(tables.render(by_government, 'md', captions['government'], labels=labels)))\n"
        "print(regime_tables.key_numbers(by_government))",
        id="by-government",
    ),
    new_markdown_cell("## By camp", id="camp-md"),
    new_code_cell(
        "# NBVAL_CHECK_OUTPUT\n"
        "display(Markdown(tables.render(by_camp, 'md', captions['camp'], labels=labels)))\n"
        "print(regime_tables.key_numbers(by_camp, key='camp'))",
        id="by-camp",
    ),
]

REVISIONS = [
    new_markdown_cell(
        "# Revision report: two vintages of the IMF figures\n\n"
        "The IMF revises historical trade figures. This notebook sets the panel built from one "
        "vintage (`base`, by default the early-2022 DOTS snapshot close to the paper's) beside the "
        "panel from another (`new`, e.g. a later IMTS pull), series by series and year by year: "
        "both values, the revision in US$ million and in per cent of the base value, and the years "
        "that only one vintage has. Read a row as: *for this reporting side and flow, in this year, "
        "the new vintage says X where the base said Y*.",
        id="intro",
    ),
    parameters(
        'base_path = "data/processed/dots-2022/panel.csv"\n'
        'new_path = "data/processed/dots-2022/panel.csv"\n'
        'base_label = "dots-2022"\n'
        'new_label = "dots-2022"\n'
        "table_stem = None  # e.g. tables/revisions; None: do not write\n"
        "summary_stem = None\n"
        "png_path = None\n"
        "svg_path = None"
    ),
    setup("pair, revisions, tables"),
    new_code_cell(
        "new_panel = pd.read_csv(new_path)\n"
        "table = revisions.compare(pd.read_csv(base_path), new_panel)\n"
        "summary = revisions.summary(table)\n"
        "label = pair.panel_label(new_panel)\n"
        "caption = f'Revisions of the {label} panel: {new_label} against {base_label} (US$ million)'\n"
        "if table_stem:\n"
        "    tables.write_all(table, table_stem, caption)\n"
        "if summary_stem:\n"
        "    tables.write_all(summary, summary_stem, caption + ', per series')\n"
        "if png_path:\n"
        "    revisions.write_figure(table, base_label, new_label, png_path, svg_path)\n"
        "    display(Image(filename=png_path, width=720))",
        id="compare",
    ),
    new_markdown_cell("## Per series", id="summary-md"),
    new_code_cell("# NBVAL_CHECK_OUTPUT\nprint(summary.to_string(index=False))", id="summary"),
    new_markdown_cell("## Every revised value, and the years only one vintage has", id="detail-md"),
    new_code_cell(
        "changed = table[(table.revision_musd.abs() > 1e-9) | (table.present_in != 'both')]\n"
        "print(changed.to_string(index=False) if len(changed) else 'No differences.')",
        id="detail",
    ),
]

CLAIMS = [
    new_markdown_cell(
        "# The paper's quantitative claims, checked\n\n"
        "Each statement of the paper about the trade figures is encoded in `config/claims.yaml` "
        "as a check (with the reading we chose where the text is vague) and evaluated here on "
        "both reporting sides: Bangladesh's own report and the partner's (the mirror). A verdict "
        "is `holds`, `does not hold` or `not covered by this vintage`, with the numbers used.",
        id="intro",
    ),
    parameters(
        'panel_path = "data/processed/dots-2022/panel.csv"\n'
        'claims_path = "config/claims.yaml"\n'
        'provenance_path = "data/raw/dots-2022/provenance.json"\n'
        "table_stem = None  # e.g. tables/claims; None: do not write"
    ),
    setup("claims, sources, tables"),
    new_code_cell(
        "verdicts = claims.evaluate(claims.load(claims_path), pd.read_csv(panel_path))\n"
        "caption = f'The paper\\'s claims checked against the data. {sources.source_line(provenance_path)}'\n"
        "if table_stem:\n"
        "    tables.write_all(verdicts, table_stem, caption, formats=('csv', 'md', 'html'))",
        id="evaluate",
    ),
    new_code_cell(
        "# NBVAL_CHECK_OUTPUT\n"
        "for row in verdicts.itertuples():\n"
        "    print(f'{row.id:<30} {row.reported_by:<10} {row.verdict}')",
        id="verdicts",
    ),
    new_code_cell("display(Markdown(tables.render(verdicts, 'md', caption)))", id="table"),
]


def write(cells, path: Path) -> None:
    notebook = new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(notebook)
    path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")


if __name__ == "__main__":
    here = Path(__file__).resolve().parent.parent / "notebooks"
    write(FIGURE, here / "trade_figure.ipynb")
    write(TABLES, here / "regime_tables.ipynb")
    write(REVISIONS, here / "revision_report.ipynb")
    write(CLAIMS, here / "claims.ipynb")
