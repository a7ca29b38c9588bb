"""Snakemake step `html_report`: the reviewer's page, from the provenance record and the outputs it lists."""

from bilateral.report import write
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    write(snakemake.params.pair, snakemake.input.provenance, snakemake.output[0])


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
