rule clean:
    """Tidy raw data -> the pair's panel (both reporting sides) and the home country's World totals."""
    input:
        raw=raw_tidy,
        code=PACKAGE,
    output:
        panel="data/processed/{dataset}/panel.csv",
        world="data/processed/{dataset}/home_world.csv",
    params:
        panel=config["panel"],
        pair=lambda wc: shlex.quote(json.dumps(config["pair"], sort_keys=True)),
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
        " --successor-rule {params.panel[successor_rule]} --pair {params.pair} 2> {log}"
