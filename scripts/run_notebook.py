"""Snakemake step of every notebook rule: run the rule's notebook with papermill.

The notebook's parameters are the rule's `params.parameters` (config values, which Snakemake
compares between runs, so a change re-runs exactly the affected notebooks) and its named input and
output files."""

import sys

from bilateral.notebooks import execute_job, parameters_for
from bilateral.step import begin, end

# papermill imports pyarrow.fs when it starts, to offer hdfs:// paths, which this project never uses:
# a tenth of a second of CPU in every notebook job. This process only runs papermill (the notebook
# runs in its kernel, another process), so it goes without pyarrow.fs; papermill expects that case.
sys.modules.setdefault("pyarrow.fs", None)


def main(snakemake) -> None:
    begin(snakemake)
    parameters = parameters_for(snakemake.params.parameters, snakemake.input, snakemake.output)
    notebook, output = snakemake.input.notebook, snakemake.output.notebook
    execute_job(notebook, output, parameters, kernel=snakemake.params.kernel, log=snakemake.log[0])


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
