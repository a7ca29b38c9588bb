"""Snakemake step `html_report`: the reviewer's page, from the provenance record and the outputs it lists."""

import logging

from bilateral.report import write


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    write(snakemake.params.pair, snakemake.input.provenance, snakemake.output[0])


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
