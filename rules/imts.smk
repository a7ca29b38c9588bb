# The IMF's IMTS API (SDMX 3.0). Only `fetch_imts` touches the network, and only for the configured
# vintage. A pulled vintage is never downloaded again: the rule exists only while that vintage is not
# on disk; once pulled, its files are plain write-protected inputs that no change of settings replaces.

if config["source"] == "imf-imts" and not Path(raw_record(DATASET)).exists():

    rule fetch_imts:
        """Download the configured vintage: the body byte-for-byte and metadata.json."""
        output:
            body=protected(f"data/raw/{DATASET}/response.{config['imts']['format']}"),
            metadata=protected(raw_record(DATASET)),
        log:
            f"logs/fetch_{DATASET}.log",
        conda:
            ENVIRONMENT
        threads: 1
        resources:
            mem_mb=500,
            runtime=10,
        params:
            request=imts_request(),
            vintage=config["vintage"],
            imts=config["imts"],
        message:
            "Downloading the IMTS vintage -> {output.body}"
        script:
            "../scripts/fetch_imts.py"


rule parse_imts:
    """A downloaded vintage -> the tidy shape (US$ millions, DOTS indicator codes)."""
    input:
        body=f"data/raw/imts-{{vintage}}/response.{config['imts']['format']}",
        metadata="data/raw/imts-{vintage}/metadata.json",
    output:
        "data/processed/imts-{vintage}/tidy.csv",
    log:
        "logs/parse_imts-{vintage}.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        request=imts_request(),
        code=PACKAGE,
    message:
        "Parsing {input.body} -> {output}"
    script:
        "../scripts/parse_imts.py"
