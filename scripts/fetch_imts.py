"""Snakemake step `fetch_imts`: download the configured IMTS vintage (the only network step)."""

import logging
from pathlib import Path

from bilateral import progress
from bilateral.imts import fetch
from bilateral.imts.request import from_fields


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    progress.show("bilateral.imts", "fetch")  # a download may take minutes: each step on the terminal too
    options = snakemake.params.imts
    fetch.fetch(
        from_fields(snakemake.params.request),
        Path(snakemake.output.metadata).parent,
        snakemake.params.vintage,
        retries=options["retries"],
        backoff=options["backoff"],
        timeout=(options["connect_timeout"], options["read_timeout"]),
        contact=options["contact"],
        deadline=options["deadline"],
    )


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
