rule figure:
    """Figures 1-3: the one parameterised notebook, run by papermill once per figure."""
    input:
        notebook="notebooks/trade_figure.ipynb",
        code=PACKAGE,
        panel=panel(DATASET),
        provenance=provenance(DATASET),
    output:
        png=report("figures/{figure}.png", caption="../docs/captions/figure.rst", category="Figures"),
        svg="figures/{figure}.svg",
        csv="figures/{figure}.csv",
        notebook="figures/{figure}.ipynb",
    params:
        values=lambda wc, input, output: papermill_params(
            {
                **config["figures"][wc.figure],
                "title": FIGURE_TITLES[wc.figure],
                "dpi": config["figure_dpi"],
                "panel_path": input.panel,
                "provenance_path": input.provenance,
                "png_path": output.png,
                "svg_path": output.svg,
                "csv_path": output.csv,
            }
        ),
        kernel=config["kernel"],
        title=lambda wc: FIGURE_TITLES[wc.figure],
    conda:
        ENVIRONMENT
    log:
        "logs/figure_{figure}.log",
    shell:
        PAPERMILL
