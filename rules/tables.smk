rule regime_tables:
    """The regime comparison tables (by government, by camp) and the year -> government list."""
    input:
        notebook="notebooks/regime_tables.ipynb",
        code=PACKAGE,
        panel=panel(DATASET),
        world=f"data/processed/{DATASET}/home_world.csv",
        provenance=provenance(DATASET),
        regimes=config["regimes"]["file"],
    output:
        [path for path in expand("tables/{table}.{ext}", table=TABLES, ext=TABLE_FORMATS) if not path.endswith(".html")],
        html=[
            report(f"tables/{table}.html", caption="../docs/captions/regimes.rst", category="Regime tables")
            for table in TABLES
        ],
        notebook="tables/regime_tables.ipynb",
    params:
        values=lambda wc, input: papermill_params(
            {
                "panel_path": input.panel,
                "world_path": input.world,
                "provenance_path": input.provenance,
                "regimes_path": input.regimes,
                "year_rule": config["regimes"]["year_rule"],
                "governments_stem": "tables/regimes_by_government",
                "camps_stem": "tables/regimes_by_camp",
                "assignment_path": "tables/year_assignment",
            }
        ),
        kernel=config["kernel"],
    conda:
        ENVIRONMENT
    log:
        "logs/regime_tables.log",
    shell:
        PAPERMILL
