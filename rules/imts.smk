# The IMF's IMTS API (SDMX 3.0). Only `fetch_imts` touches the network, and only for the configured
# vintage: one request for one pair, one per reporter for many pairs (IMTS_PLAN, rules/common.smk).
# A pulled vintage is never downloaded again: the rule exists only while that vintage is not on disk
# (an interrupted pull waits in data/raw/.imts-<vintage>.part/, which no rule reads); once pulled, its files are plain write-protected inputs that no change of settings replaces.

if config["source"] == "imf-imts" and not Path(raw_record(DATASET)).exists():

    rule fetch_imts:
        """Download the configured vintage: each answer byte-for-byte and metadata.json (one request for
        one pair; one per reporter for many, within the API's rate limit, resumable)."""
        output:
            bodies=protected([f"data/raw/{DATASET}/{name}" for name in IMTS_PLAN]),
            metadata=protected(raw_record(DATASET)),
        log:
            f"logs/fetch_{DATASET}.log",
        conda:
            ENVIRONMENT
        threads: 1
        resources:
            mem_mb=500,
            runtime=10 + len(IMTS_PLAN),  # minutes: about 2 requests a second at most
        params:
            plan=IMTS_PLAN,
            homes=sorted({pair.home.code for pair in PAIRS.values()}),
            vintage=config["vintage"],
            imts=config["imts"],
        message:
            "Downloading the IMTS vintage -> {output.metadata}"
        script:
            "../scripts/fetch_imts.py"


rule parse_imts:
    """A downloaded vintage, all its answers -> the tidy shape (US$ millions, DOTS indicator codes)."""
    input:
        bodies=[f"data/raw/imts-{{vintage}}/{name}" for name in IMTS_PLAN],
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
        plan=IMTS_PLAN,
        code=PACKAGE,
    message:
        "Parsing {input.metadata} and its answers -> {output}"
    script:
        "../scripts/parse_imts.py"
