rule provenance:
    """One manifest: every output with its inputs' sha256, program, parameters, code, packages, data."""
    input:
        products=[path for path in PRODUCT_OUTPUTS if not path.startswith("report/")],
        fingerprinted=FINGERPRINTED,
    output:
        "report/provenance.json",
    params:
        # A function: strings in params are wildcard patterns, and a title may hold "{home}".
        config=lambda wc: shlex.quote(json.dumps(config, sort_keys=True)),
    conda:
        ENVIRONMENT
    log:
        "logs/provenance.log",
    shell:
        "python -m bilateral provenance --config {params.config} --out {output} 2> {log}"


rule html_report:
    """The reviewer's page: figures, regime tables, claim verdicts, provenance, citation."""
    input:
        products=rules.provenance.input.products,
        fingerprinted=FINGERPRINTED,
        provenance="report/provenance.json",
    output:
        "report/index.html",
    params:
        # A function: strings in params are wildcard patterns, and a title may hold "{home}".
        config=lambda wc: shlex.quote(json.dumps(config, sort_keys=True)),
    conda:
        ENVIRONMENT
    log:
        "logs/html_report.log",
    shell:
        "python -m bilateral report --config {params.config} --provenance {input.provenance} --out {output} 2> {log}"
