rule clean:
    """Tidy raw data -> the Bangladesh-USSR/Russia panel (both reporting sides) and Bangladesh-World."""
    input:
        raw=raw_tidy,
        code=PACKAGE,
    output:
        panel="data/processed/{dataset}/panel.csv",
        world="data/processed/{dataset}/bgd_world.csv",
    params:
        panel=config["panel"],
        last_year=(f"--last-year {config['panel']['last_year']}" if config["panel"]["last_year"] else ""),
    conda:
        ENVIRONMENT
    log:
        "logs/clean_{dataset}.log",
    shell:
        "python -m bilateral -v clean {input.raw} --panel {output.panel} --world {output.world}"
        " --first-year {params.panel[first_year]}"
        " {params.last_year}"
        " --succession-year {params.panel[succession_year]}"
        " --successor-rule {params.panel[successor_rule]} 2> {log}"
