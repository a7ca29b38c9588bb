rule clean:
    """Tidy raw data -> the pair's panel (both reporting sides) and the home country's World totals."""
    input:
        raw=raw_tidy,
    output:
        panel="data/processed/{dataset}/panel.csv",
        world="data/processed/{dataset}/home_world.csv",
        record="data/processed/{dataset}/clean.json",
    log:
        "logs/clean_{dataset}.log",
    conda:
        ENVIRONMENT
    params:
        settings={"pair": config["pair"], "panel": config["panel"]},
        code=PACKAGE,
    message:
        "Cleaning {input.raw} -> {output.panel}"
    script:
        "../scripts/clean.py"


# The panel of the dataset in use, as the notebook rules read it.
PANEL = expand(rules.clean.output.panel, dataset=DATASET)[0]
HOME_WORLD = expand(rules.clean.output.world, dataset=DATASET)[0]
