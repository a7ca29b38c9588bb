"""Snakemake step `provenance`: write report/provenance.json from the jobs the rules declare."""

import json
import logging

from bilateral.atomic import write_text
from bilateral.provenance import manifest


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    record = manifest(
        snakemake.params.jobs,
        snakemake.params.dataset,
        list(snakemake.input.raw),
        snakemake.input.raw_record,
        snakemake.input.clean[0],
        snakemake.params.fingerprint,
    )
    write_text(snakemake.output[0], json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
