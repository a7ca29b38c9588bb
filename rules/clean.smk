rule clean:
    """Tidy raw data -> the pair's panel (both reporting sides) and the home country's World totals."""
    input:
        raw=raw_tidy,
    output:
        panel="data/processed/{dataset}/{pair}panel.csv",
        world="data/processed/{dataset}/{pair}home_world.csv",
        record="data/processed/{dataset}/{pair}clean.json",
    log:
        "logs/{pair}clean_{dataset}.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=5,
    params:
        settings=pair_settings,
        code=PACKAGE,
        sources=sources_of("clean"),
    message:
        "Cleaning {input.raw} -> {output.panel}"
    script:
        "../scripts/clean.py"


# The panel of the dataset in use, as the notebook rules read it: a pattern of the wildcard `pair`,
# and the first pair's file (PANEL), which the rules about the paper's pair alone read.
PANEL_OF = expand(declared(rules.clean.output.panel), dataset=DATASET, allow_missing=True)[0]
HOME_WORLD_OF = expand(declared(rules.clean.output.world), dataset=DATASET, allow_missing=True)[0]
PANEL = expand(PANEL_OF, pair=run_pairs.PRIMARY)[0]
HOME_WORLD = expand(HOME_WORLD_OF, pair=run_pairs.PRIMARY)[0]
