rule claims:
    """The paper's quantitative claims (config/claims.yaml), checked on both reporting sides."""
    input:
        notebook="notebooks/claims.ipynb",
        code=PACKAGE,
        panel=panel(DATASET),
        claims="config/claims.yaml",
        provenance=provenance(DATASET),
    output:
        csv="tables/claims.csv",
        md="tables/claims.md",
        html=report("tables/claims.html", caption="../docs/captions/claims.rst", category="Claims"),
        notebook="tables/claims.ipynb",
    params:
        values=lambda wc, input: papermill_params(
            {
                "panel_path": input.panel,
                "claims_path": input.claims,
                "provenance_path": input.provenance,
                "table_stem": "tables/claims",
            }
        ),
        kernel=config["kernel"],
    conda:
        ENVIRONMENT
    log:
        "logs/claims.log",
    shell:
        PAPERMILL
