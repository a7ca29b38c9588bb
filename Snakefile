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
include: "rules/claims.smk"


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
        "tables/claims.csv",
        "tables/claims.md",
        "tables/claims.ipynb",
        revision_outputs(),
