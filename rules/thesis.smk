rule thesis:
    """The thesis test: camps and governments compared on the share of world trade and on log trade with a time control (HAC), and by a permutation test over government spells."""
    input:
        notebook="notebooks/thesis.ipynb",
        panel=PANEL_OF,
        world=HOME_WORLD_OF,
        provenance=raw_record(DATASET),
        regimes=regimes_input,
    output:
        table=report(
            multiext("tables/{pair}thesis", ".csv", ".md", ".tex", ".html"),
            caption="../docs/captions/thesis.rst",
            category="Thesis test",
        ),
        camps=multiext("tables/{pair}thesis_share_by_camp", ".csv", ".md", ".tex", ".html"),
        governments=multiext("tables/{pair}thesis_share_by_government", ".csv", ".md", ".tex", ".html"),
        notebook="tables/{pair}thesis.ipynb",
    log:
        "logs/{pair}thesis.log",
    # First of the notebooks once the panel is there: the claims wait for its table, so starting it
    # early lets the claims run beside the figures instead of after them (a shorter cold run).
    priority: 1
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=15,
    params:
        parameters=thesis_parameters,
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("thesis"),
    message:
        "Thesis test: {input.notebook} on {input.panel} and {input.regimes}"
    script:
        "../scripts/run_notebook.py"
