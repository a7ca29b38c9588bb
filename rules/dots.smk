# Every reporter of the IMF DOTS workbooks (source dots-2022-xlsx): read once, in parallel, into one
# Parquet file; each pair's cleaning step reads its reporters' rows from it. The workbooks stay in
# their folder (config dots_xlsx.folder); their INDEX.csv is the input, each workbook is checked
# against the sha256 it lists.


rule dots_cache:
    """The 235 DOTS workbooks -> one Parquet file of every reporter (tidy shape, IMTS codes from config/dots_names.csv)."""
    input:
        index=Path(settings.dots_xlsx_folder(config)) / "INDEX.csv",
        names=config["dots_xlsx"]["names"],
    output:
        data=f"data/processed/{settings.XLSX_DATASET}/dots.parquet",
        record=f"data/processed/{settings.XLSX_DATASET}/provenance.json",
    log:
        f"logs/dots_cache.log",
    conda:
        ENVIRONMENT
    threads: 2
    resources:
        mem_mb=1500,
        runtime=10,
    params:
        code=PACKAGE,
        sources=sources_of("dots_cache"),
    message:
        "Reading the DOTS workbooks of {input.index} -> {output.data}"
    script:
        "../scripts/dots_cache.py"
