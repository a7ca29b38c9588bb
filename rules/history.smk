rule history:
    """The whole history: the pair's full series, both reporting sides, each government a band; log scale and share of world trade."""
    input:
        notebook="notebooks/history_figure.ipynb",
        panel=PANEL_OF,
        world=HOME_WORLD_OF,
        provenance=raw_record(DATASET),
        regimes=regimes_input,
    output:
        png=report("figures/{pair}history.png", caption="../docs/captions/history.rst", category="Figures"),
        svg="figures/{pair}history.svg",
        csv="figures/{pair}history.csv",
        notebook="figures/{pair}history.ipynb",
    log:
        "logs/{pair}history.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        parameters=history_parameters,
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("history"),
    message:
        "{wildcards.pair}the whole history: {input.notebook} on {input.panel} -> {output.png}"
    script:
        "../scripts/run_notebook.py"
