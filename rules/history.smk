rule history:
    """The whole history: the pair's full series, both reporting sides, each government a band; log scale and share of world trade."""
    input:
        notebook="notebooks/history_figure.ipynb",
        panel=PANEL,
        world=HOME_WORLD,
        provenance=raw_record(DATASET),
        regimes=config["regimes"]["file"],
    output:
        png=report("figures/history.png", caption="../docs/captions/history.rst", category="Figures"),
        svg="figures/history.svg",
        csv="figures/history.csv",
        notebook="figures/history.ipynb",
    log:
        "logs/history.log",
    conda:
        ENVIRONMENT
    params:
        parameters={
            "title_pattern": HISTORY_TITLE,
            "year_rule": config["regimes"]["year_rule"],
            "camp_of": config["regimes"]["camp_of"],
            "dpi": config["figure_dpi"],
        },
        kernel=KERNEL,
        code=PACKAGE,
    message:
        "The whole history: {input.notebook} on {input.panel} and {input.regimes} -> {output.png}"
    script:
        "../scripts/run_notebook.py"
