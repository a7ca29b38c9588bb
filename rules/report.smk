rule provenance:
    """One manifest: every output with its inputs' sha256, program, the parameters it was run with, code, packages, data."""
    input:
        products=lambda wc: files_of(notebook_jobs()),
        clean=expand(rules.clean.output.record, dataset=DATASET),
        raw=settings.raw_files(config),
    output:
        "report/provenance.json",
    params:
        jobs=lambda wc: notebook_jobs(),
        dataset=DATASET,
        raw_record=raw_record(DATASET),
        # The code and data the outputs were computed with: any edit re-runs the record.
        fingerprint=lambda wc: code_fingerprint(settings.raw_files(config)),
    log:
        "logs/provenance.log",
    conda:
        ENVIRONMENT
    script:
        "../scripts/provenance.py"


rule html_report:
    """The reviewer's page: figures, regime tables, claim verdicts, provenance, citation."""
    input:
        products=rules.provenance.input.products,
        provenance=rules.provenance.output[0],
    output:
        "report/index.html",
    params:
        pair=config["pair"],
        code=PACKAGE,
    log:
        "logs/html_report.log",
    conda:
        ENVIRONMENT
    script:
        "../scripts/html_report.py"
