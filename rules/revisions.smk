rule revision_report:
    """Two vintages side by side, series by series and year by year (built when they differ)."""
    input:
        notebook="notebooks/revision_report.ipynb",
        code=PACKAGE,
        base=panel(REVISION_BASE),
        new=panel(DATASET),
        base_provenance=provenance(REVISION_BASE),
        new_provenance=provenance(DATASET),
    output:
        expand("tables/revisions.{ext}", ext=TABLE_FORMATS),
        expand("tables/revisions_summary.{ext}", ext=TABLE_FORMATS),
        png="figures/revisions.png",
        svg="figures/revisions.svg",
        notebook="tables/revision_report.ipynb",
    params:
        values=lambda wc, input, output: papermill_params(
            {
                "base_path": input.base,
                "new_path": input.new,
                "base_label": REVISION_BASE,
                "new_label": DATASET,
                "table_stem": "tables/revisions",
                "summary_stem": "tables/revisions_summary",
                "png_path": output.png,
                "svg_path": output.svg,
            }
        ),
        kernel=config["kernel"],
    conda:
        ENVIRONMENT
    log:
        "logs/revision_report.log",
    shell:
        PAPERMILL
