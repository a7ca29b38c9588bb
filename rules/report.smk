rule provenance:
    """One manifest: every output with its inputs' sha256, program, the parameters it was run with, code, packages, data."""
    input:
        products=lambda wc: files_of(notebook_jobs()),
        # Each pair's cleaning record, the first pair's first.
        clean=lambda wc: expand(declared(rules.clean.output.record), dataset=DATASET, pair=list(PAIRS)),
        raw=settings.raw_files(config, list(IMTS_PLAN)),
        raw_record=raw_record(DATASET),
    output:
        "report/provenance.json",
    log:
        "logs/provenance.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=800,
        runtime=10,
    params:
        jobs=lambda wc: notebook_jobs(),
        dataset=DATASET,
        # The config files this run read: an overlay (make CONFIG=...) is part of what made the outputs.
        config_files=settings.config_files(workflow.configfiles),
        # The code and data the outputs were computed with: any edit re-runs the record.
        # A raw file this run makes (the workbooks' Parquet cache) is not there yet when Snakemake
        # evaluates params up front (conda, a storage provider): it counts once it exists; a missing
        # one that no rule makes is already an error, as an input above.
        fingerprint=lambda wc: code_fingerprint(
            [name for name in settings.raw_files(config, list(IMTS_PLAN)) if Path(name).exists()]
        ),
    message:
        "Provenance record -> {output}"
    script:
        "../scripts/provenance.py"


rule html_report:
    """The reviewer's page: figures, regime tables, claim verdicts, provenance, citation."""
    input:
        products=rules.provenance.input.products,
        provenance=declared(rules.provenance.output[0]),
    output:
        "report/index.html",
    log:
        "logs/html_report.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=600,
        runtime=5,
    params:
        pair=config["pair"],
        pairs=lambda wc: [run_pairs.label(key, PAIR) for key in PAIRS],
        code=PACKAGE,
    message:
        "Reviewer's page -> {output}"
    script:
        "../scripts/html_report.py"
