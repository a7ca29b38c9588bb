rule comparison:
    """The pairs of the run compared: each home country's trade with the partner as a share of its world trade, by year and reporting side."""
    input:
        notebook="notebooks/comparison.ipynb",
        panels=lambda wc: expand(PANEL_OF, pair=list(PAIRS)),
        worlds=lambda wc: expand(HOME_WORLD_OF, pair=list(PAIRS)),
        provenance=raw_record(DATASET),
    output:
        table=["tables/comparison.csv"],
        summary=report(
            multiext("tables/comparison_summary", ".csv", ".md", ".html"),
            caption="../docs/captions/comparison.rst",
            category="Comparison",
        ),
        png="figures/comparison.png",
        svg="figures/comparison.svg",
        notebook="tables/comparison.ipynb",
    log:
        "logs/comparison.log",
    conda:
        ENVIRONMENT
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        parameters=lambda wc: {
            "pairs": [run_pairs.label(key, PAIR) for key in PAIRS],
            "partner": partners_label(),
            "dpi": config["figure_dpi"],
        },
        kernel=KERNEL,
        code=PACKAGE,
        sources=sources_of("comparison"),
    message:
        "Comparison of the run's pairs -> {output.png}"
    script:
        "../scripts/run_notebook.py"
