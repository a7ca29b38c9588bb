rule figure:
    """Figures 1-3 (one per entry of config `figures`): the pair's trade in a window, both reporting sides."""
    input:
        notebook="notebooks/trade_figure.ipynb",
        panel=PANEL_OF,
        provenance=raw_record(DATASET),
    output:
        png=report("figures/{pair}{figure}.png", caption="../docs/captions/figure.rst", category="Figures"),
        svg="figures/{pair}{figure}.svg",
        csv="figures/{pair}{figure}.csv",
        notebook="figures/{pair}{figure}.ipynb",
    log:
        "logs/{pair}figure_{figure}.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        # One dict: Snakemake compares params as a set of values, so separate start/end would
        # not tell a swapped window from the original one.
        parameters=figure_parameters,
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("figure"),
    message:
        "{wildcards.pair}{wildcards.figure}: {input.notebook} on {input.panel} -> {output.png}"
    script:
        "../scripts/run_notebook.py"
