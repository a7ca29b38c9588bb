"""Snakemake step `dots_cache`: the folder of DOTS workbooks -> one Parquet file and its record."""

import logging
from pathlib import Path

from bilateral import dots_cache


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    out = Path(snakemake.output.data).parent
    dots_cache.write(Path(snakemake.input.index).parent, out, snakemake.input.names, processes=snakemake.threads)


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
