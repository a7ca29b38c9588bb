rule figure:
    """Figures 1-3 (one per entry of config `figures`): the pair's trade in a window, both reporting sides."""
    input:
        notebook="notebooks/trade_figure.ipynb",
        panel=PANEL,
        provenance=raw_record(DATASET),
    output:
        png=report("figures/{figure}.png", caption="../docs/captions/figure.rst", category="Figures"),
        svg="figures/{figure}.svg",
        csv="figures/{figure}.csv",
        notebook="figures/{figure}.ipynb",
    log:
        "logs/figure_{figure}.log",
    conda:
        ENVIRONMENT
    params:
        # One dict: Snakemake compares params as a set of values, so separate start/end would
        # not tell a swapped window from the original one.
        parameters=figure_parameters,
        kernel=KERNEL,
        code=PACKAGE,
    message:
        "{wildcards.figure}: {input.notebook} on {input.panel} -> {output.png}"
    script:
        "../scripts/run_notebook.py"
