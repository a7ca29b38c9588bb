# Regenerates the paper's Figures 1-3 and the regime comparison tables from the IMF data.
# Run with `make` (creates the environment) or `snakemake --cores all`.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "docs/captions/workflow.rst"


include: "rules/common.smk"
include: "rules/imts.smk"
include: "rules/clean.smk"
include: "rules/figures.smk"
include: "rules/tables.smk"
include: "rules/revisions.smk"
include: "rules/claims.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        PRODUCT_OUTPUTS,
