rule regime_tables:
    """The pair's trade under each government and each camp, both reporting sides, and the year -> government list."""
    input:
        notebook="notebooks/regime_tables.ipynb",
        panel=PANEL,
        world=HOME_WORLD,
        provenance=raw_record(DATASET),
        regimes=config["regimes"]["file"],
    output:
        governments=report(
            multiext("tables/regimes_by_government", ".csv", ".md", ".tex", ".html"),
            caption="../docs/captions/regimes.rst",
            category="Regime tables",
        ),
        camps=multiext("tables/regimes_by_camp", ".csv", ".md", ".tex", ".html"),
        assignment=multiext("tables/year_assignment", ".csv", ".md", ".tex", ".html"),
        notebook="tables/regime_tables.ipynb",
    log:
        "logs/regime_tables.log",
    conda:
        ENVIRONMENT
    params:
        parameters={"year_rule": config["regimes"]["year_rule"], "camp_of": config["regimes"]["camp_of"]},
        kernel=KERNEL,
        code=PACKAGE,
    message:
        "Regime tables: {input.notebook} on {input.panel} and {input.regimes}"
    script:
        "../scripts/run_notebook.py"
