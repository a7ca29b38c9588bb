"""Snakemake step `dots_cache`: the folder of DOTS workbooks -> one Parquet file and its record."""

from pathlib import Path

from bilateral import dots_cache
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    out = Path(snakemake.output.data).parent
    dots_cache.write(Path(snakemake.input.index).parent, out, snakemake.input.names, processes=snakemake.threads)


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
