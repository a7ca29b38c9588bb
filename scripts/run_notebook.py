"""Snakemake step of every notebook rule: run the rule's notebook with papermill.

The notebook's parameters are the rule's `params.parameters` (config values, which Snakemake
compares between runs, so a change re-runs exactly the affected notebooks) and its named input and
output files."""

import logging

from bilateral.notebooks import execute, parameters_for


def main(snakemake) -> None:
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    parameters = parameters_for(snakemake.params.parameters, snakemake.input, snakemake.output)
    execute(snakemake.input.notebook, snakemake.output.notebook, parameters, kernel=snakemake.params.kernel)


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
