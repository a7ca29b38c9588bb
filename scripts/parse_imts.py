"""Snakemake step `parse_imts`: a downloaded vintage -> the tidy shape (US$ millions, DOTS codes)."""

import logging
from pathlib import Path

from bilateral import tidy
from bilateral.atomic import write_text
from bilateral.imts import fetch
from bilateral.imts.request import from_fields
from bilateral.schemas import RAW, validate


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    folder = Path(snakemake.input.metadata).parent
    frame = fetch.parse_vintage(folder, from_fields(snakemake.params.request))
    validate(frame, RAW, folder)
    write_text(snakemake.output[0], tidy.to_csv(frame))


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
