rule thesis:
    """The thesis test: camps and governments compared on the share of world trade and on log trade with a time control (HAC), and by a permutation test over government spells."""
    input:
        notebook="notebooks/thesis.ipynb",
        panel=PANEL,
        world=HOME_WORLD,
        provenance=raw_record(DATASET),
        regimes=config["regimes"]["file"],
    output:
        table=report(
            multiext("tables/thesis", ".csv", ".md", ".tex", ".html"),
            caption="../docs/captions/thesis.rst",
            category="Thesis test",
        ),
        camps=multiext("tables/thesis_share_by_camp", ".csv", ".md", ".tex", ".html"),
        governments=multiext("tables/thesis_share_by_government", ".csv", ".md", ".tex", ".html"),
        notebook="tables/thesis.ipynb",
    log:
        "logs/thesis.log",
    # First of the notebooks once the panel is there: the claims wait for its table, so starting it
    # early lets the claims run beside the figures instead of after them (a shorter cold run).
    priority: 1
    conda:
        ENVIRONMENT
    params:
        parameters={
            "year_rule": config["regimes"]["year_rule"],
            "camp_of": config["regimes"]["camp_of"],
            **config["thesis"],
        },
        kernel=KERNEL,
        code=PACKAGE,
    message:
        "Thesis test: {input.notebook} on {input.panel} and {input.regimes}"
    script:
        "../scripts/run_notebook.py"
