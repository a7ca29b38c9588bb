# Regenerates the paper's Figures 1-3 and the regime comparison tables from the IMF data.
# Run with `make` (creates the environment) or `snakemake --cores all`.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "rules/common.smk"
include: "rules/imts.smk"
include: "rules/clean.smk"
include: "rules/figures.smk"
include: "rules/tables.smk"
include: "rules/revisions.smk"


def revision_outputs():
    """The revision report exists only when the data differ from the base vintage."""
    if DATASET == REVISION_BASE:
        return []
    tables = expand("tables/{t}.{ext}", t=["revisions", "revisions_summary"], ext=TABLE_FORMATS)
    return tables + ["figures/revisions.png", "figures/revisions.svg", "tables/revision_report.ipynb"]


rule all:
    default_target: True
    input:
        expand(
            "figures/{figure}.{ext}",
            figure=list(config["figures"]),
            ext=["png", "svg", "csv", "ipynb"],
        ),
        expand("tables/{table}.{ext}", table=TABLES, ext=TABLE_FORMATS),
        "tables/regime_tables.ipynb",
        revision_outputs(),
