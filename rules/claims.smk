rule claims:
    """The paper's quantitative claims (config/claims.yaml), checked on both reporting sides."""
    input:
        notebook="notebooks/claims.ipynb",
        panel=PANEL,
        claims="config/claims.yaml",
        provenance=raw_record(DATASET),
        # The claims about camps and governments need these (README: "The whole history and the thesis test").
        world=HOME_WORLD,
        regimes=config["regimes"]["file"],
        thesis=expand(declared(rules.thesis.output.table[0]), pair=run_pairs.PRIMARY)[0],
    output:
        table=report(
            multiext("tables/claims", ".csv", ".md", ".html"),
            caption="../docs/captions/claims.rst",
            category="Claims",
        ),
        notebook="tables/claims.ipynb",
    log:
        "logs/claims.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        parameters={
            "year_rule": config["regimes"]["year_rule"],
            "camp_of": config["regimes"]["camp_of"],
            "alpha": config["thesis"]["alpha"],
        },
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("claims"),
    message:
        "Claims: {input.notebook} on {input.panel} and {input.claims}"
    script:
        "../scripts/run_notebook.py"
