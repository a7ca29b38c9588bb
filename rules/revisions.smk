rule revision_report:
    """Two vintages side by side, series by series and year by year (built when they differ)."""
    input:
        notebook="notebooks/revision_report.ipynb",
        base=expand(declared(rules.clean.output.panel), dataset=REVISION_BASE, pair=run_pairs.PRIMARY)[0],
        new=PANEL,
        base_provenance=raw_record(REVISION_BASE),
        new_provenance=raw_record(DATASET),
    output:
        revisions=multiext("tables/revisions", ".csv", ".md", ".tex", ".html"),
        summary=multiext("tables/revisions_summary", ".csv", ".md", ".tex", ".html"),
        png="figures/revisions.png",
        svg="figures/revisions.svg",
        notebook="tables/revision_report.ipynb",
    log:
        "logs/revision_report.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        parameters={"base_label": REVISION_BASE, "new_label": DATASET},
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("revision_report"),
    message:
        "Revisions: {input.notebook}, {input.new} against {input.base}"
    script:
        "../scripts/run_notebook.py"
