# The IMF's IMTS API (SDMX 3.0). Only `fetch_imts` touches the network, and only for the
# configured vintage. The rule exists only while that vintage is not on disk: once pulled, the
# files are plain (write-protected) inputs, and no change of settings can download them again.

if SOURCE == "imf-imts" and not os.path.exists(f"data/raw/{DATASET}/metadata.json"):

    rule fetch_imts:
        """Download the configured vintage: the body byte-for-byte and metadata.json."""
        output:
            body=protected(f"data/raw/{DATASET}/response.{config['imts']['format']}"),
            metadata=protected(f"data/raw/{DATASET}/metadata.json"),
        params:
            request=lambda wc: imts_request(),
            vintage=config["vintage"],
            folder=f"data/raw/{DATASET}",
            imts=config["imts"],
            contact=(f"--contact {shlex.quote(config['imts']['contact'])}" if config["imts"]["contact"] else ""),
        conda:
            ENVIRONMENT
        log:
            f"logs/fetch_{DATASET}.log",
        shell:
            "python -m bilateral -v fetch-imts --vintage {params.vintage} --out {params.folder}"
            " --request {params.request} --retries {params.imts[retries]} --backoff {params.imts[backoff]}"
            " --connect-timeout {params.imts[connect_timeout]} --read-timeout {params.imts[read_timeout]}"
            " {params.contact} 2>&1 | tee {log}"


rule parse_imts:
    """A downloaded vintage -> the tidy shape (US$ millions, DOTS indicator codes)."""
    input:
        body=f"data/raw/imts-{{vintage}}/response.{config['imts']['format']}",
        metadata="data/raw/imts-{vintage}/metadata.json",
        code=PACKAGE,
    output:
        "data/processed/imts-{vintage}/tidy.csv",
    params:
        request=lambda wc: imts_request(),
        folder=lambda wc, input: os.path.dirname(input.metadata),
    conda:
        ENVIRONMENT
    log:
        "logs/parse_imts-{vintage}.log",
    shell:
        "python -m bilateral -v parse-imts {params.folder} --out {output} --request {params.request} 2> {log}"
