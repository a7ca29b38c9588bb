rule regime_tables:
    """The pair's trade under each government and each camp, both reporting sides, and the year -> government list."""
    input:
        notebook="notebooks/regime_tables.ipynb",
        panel=PANEL_OF,
        world=HOME_WORLD_OF,
        provenance=raw_record(DATASET),
        regimes=regimes_input,
    output:
        governments=report(
            multiext("tables/{pair}regimes_by_government", ".csv", ".md", ".tex", ".html"),
            caption="../docs/captions/regimes.rst",
            category="Regime tables",
        ),
        camps=multiext("tables/{pair}regimes_by_camp", ".csv", ".md", ".tex", ".html"),
        assignment=multiext("tables/{pair}year_assignment", ".csv", ".md", ".tex", ".html"),
        notebook="tables/{pair}regime_tables.ipynb",
    log:
        "logs/{pair}regime_tables.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        parameters=regime_parameters,
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("regime_tables"),
    message:
        "Regime tables: {input.notebook} on {input.panel} and {input.regimes}"
    script:
        "../scripts/run_notebook.py"
