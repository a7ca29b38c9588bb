"""The README's "Adding a figure, a table, a claim", step by step, in a temporary copy of the project."""

from __future__ import annotations

import csv
import json
import re

import nbformat
import pandas as pd
import pytest
from conftest import ROOT
from project_copy import built_copy, run

# Builds the workflow: slow, and one worker runs the module so its build is made once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("extending")]


def own_totals() -> dict[int, float]:
    """Bangladesh's total trade with the Russian Federation by year, its own report (exports FOB +
    imports CIF), read straight from the raw snapshot: the years both flows are known."""
    flows: dict[str, dict[int, float]] = {"TXG_FOB_USD": {}, "TMG_CIF_USD": {}}
    with open(ROOT / "data/raw/dots-2022/dots.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["reporter"] == "Bangladesh" and row["partner"] == "Russian Federation" and row["value_musd"]:
                flows[row["indicator"]][int(row["year"])] = float(row["value_musd"])
    years = flows["TXG_FOB_USD"].keys() & flows["TMG_CIF_USD"].keys()
    return {year: flows["TXG_FOB_USD"][year] + flows["TMG_CIF_USD"][year] for year in years}


def readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text.split("## Adding a figure, a table, a claim", 1)[1].split("\n## ", 1)[0]


def code_blocks(section: str, after: str) -> list[str]:
    """The fenced blocks of the README section that follow the sentence starting with `after`."""
    part = section.split(after, 1)[1]
    return re.findall(r"```\w*\n(.*?)```", part, flags=re.S)


@pytest.fixture(scope="module")
def extended(shared_build, tmp_path_factory):
    # A built project, as the README's reader has: the build adds the new figure, table and claim.
    project = built_copy(shared_build, tmp_path_factory.mktemp("extended"))
    section = readme_section()

    # 1. A figure: one config entry, as the README writes it.
    figure_entry = code_blocks(section, "**A figure**")[0]
    config = project / "config/config.yaml"
    text = config.read_text()
    config.write_text(text.replace("figure_dpi:", figure_entry.rstrip() + "\nfigure_dpi:", 1))

    # 2. A table: a notebook, its rule file and two lines in the Snakefile and common.smk.
    rule_text, include_line, job_line = code_blocks(section, "**A table**")[:3]
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# The five largest years of total trade on each reporting side"),
        nbformat.v4.new_code_cell(
            'panel_path = "data/processed/dots-2022/panel.csv"\ntable_paths = []', metadata={"tags": ["parameters"]}
        ),
        nbformat.v4.new_code_cell(
            "import pandas as pd\n\nfrom bilateral import project, tables\n\nproject.chdir_root()\n"
            "panel = pd.read_csv(panel_path)\n"
            "columns = ['year', 'reported_by', 'total_musd']\n"
            "top = panel.sort_values('total_musd', ascending=False).groupby('reported_by').head(5)[columns]\n"
            "tables.write_all(top, table_paths, 'The five largest years of total trade')"
        ),
    ]
    nbformat.write(notebook, project / "notebooks/top_years.ipynb")
    (project / "rules/top_years.smk").write_text(rule_text)
    snakefile = project / "Snakefile"
    snakefile.write_text(
        snakefile.read_text().replace(
            'include: "rules/report.smk"', include_line.strip() + '\ninclude: "rules/report.smk"'
        )
    )
    common = project / "rules/common.smk"
    anchor = "    jobs = pair_jobs(run_pairs.PRIMARY)\n"
    common.write_text(common.read_text().replace(anchor, anchor + job_line))

    # 3. A claim: one entry at the end of config/claims.yaml.
    claim = code_blocks(section, "**A claim**")[0]
    claims = project / "config/claims.yaml"
    claims.write_text(claims.read_text().rstrip() + "\n" + claim)

    run(["snakemake", "--cores", "2"], project)
    return project


def test_the_new_figure_is_built_and_recorded(extended):
    rows = pd.read_csv(extended / "figures/figure4.csv")
    assert sorted(rows.year.unique()) == list(range(1972, 2021))
    record = json.loads((extended / "report/provenance.json").read_text())
    figure4 = next(item for item in record["products"] if "figures/figure4.png" in item["outputs"])
    assert figure4["parameters"]["start"] == 1972
    assert 'id="figure4"' in (extended / "report/index.html").read_text()


def test_the_new_table_is_built_and_recorded(extended):
    top = pd.read_csv(extended / "tables/top_years.csv")
    own = top[top.reported_by == "Bangladesh"].reset_index(drop=True)
    totals = own_totals()
    largest = sorted(totals, key=totals.get, reverse=True)
    # From 1992 on, as the USSR years before are not the Russian Federation's rows in the raw file.
    assert own.year.iloc[0] == largest[0] and own.total_musd.iloc[0] == pytest.approx(totals[largest[0]])
    for suffix in ("md", "tex", "html"):
        assert (extended / f"tables/top_years.{suffix}").stat().st_size > 0
    record = json.loads((extended / "report/provenance.json").read_text())
    assert any("tables/top_years.csv" in item["outputs"] for item in record["products"])
    page = (extended / "report/index.html").read_text()
    assert 'id="other"' in page and "The five largest years of total trade" in page


def test_the_new_claim_is_checked(extended):
    verdicts = pd.read_csv(extended / "tables/claims.csv")
    mine = verdicts[verdicts.id == "total-2019-above-900"]
    # The verdict on Bangladesh's side follows from the raw file's 2019 exports + imports.
    expected = "holds" if own_totals()[2019] >= 900 else "does not hold"
    assert set(mine.verdict) <= {"holds", "does not hold"} and len(mine) == 2
    assert mine[mine.reported_by == "Bangladesh"].verdict.item() == expected
