"""Snakemake step `parse_imts`: a downloaded vintage (all its answers) -> the tidy shape (US$ millions,
DOTS codes)."""

from pathlib import Path

from bilateral import tidy
from bilateral.atomic import write_text
from bilateral.imts import batch
from bilateral.imts.request import from_plan_fields
from bilateral.schemas import RAW, validate
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    folder = Path(snakemake.input.metadata).parent
    frame = batch.parse_plan(folder, from_plan_fields(snakemake.params.plan))
    validate(frame, RAW, folder)
    write_text(snakemake.output[0], tidy.to_csv(frame))


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
