"""Snakemake step `provenance`: write report/provenance.json from the jobs the rules declare."""

import json
import logging
import sys

from bilateral.atomic import write_text
from bilateral.made import ChangedOutput, forget_missing
from bilateral.provenance import manifest, pair_panels, remove_stale, remove_stale_pairs
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    try:
        record = manifest(
            snakemake.params.jobs,
            snakemake.params.dataset,
            list(snakemake.input.raw),
            snakemake.input.raw_record,
            snakemake.input.clean[0],
            snakemake.params.fingerprint,
        )
    except ChangedOutput as error:
        # Into the step's log, which Snakemake prints (show-failed-logs), not a traceback.
        logging.error("error: %s", error)
        sys.exit(1)
    if len(snakemake.input.clean) > 1:
        # The further pairs' panels (config pairs); absent for one pair, so its record is unchanged.
        record["pairs"] = pair_panels(snakemake.params.jobs, list(snakemake.input.clean)[1:])
    record["config_files"] = snakemake.params.config_files
    write_text(snakemake.output[0], json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    # The record runs again whenever the set of outputs changes: then files no rule declares any
    # more are removed, so that the folders hold exactly what the record lists.
    # With a storage provider (profiles/kubernetes) the inputs are local copies of stored files, not
    # the output folders' paths: nothing is removed then, rather than everything.
    if any(str(name).startswith(".snakemake/storage/") for name in snakemake.input.products):
        return
    for name in remove_stale(list(snakemake.input.products)):
        print(f"removed {name}: no longer an output of this configuration", file=sys.stderr)
    # The panels and logs of pairs dropped from config `pairs` (data/processed/<dataset>/<pair>/, logs/<pair>/).
    labels = {job["pair"] for job in snakemake.params.jobs if "pair" in job}
    for name in remove_stale_pairs(labels):
        print(f"removed {name}: its pair is no longer configured", file=sys.stderr)
    # Every output of the run is there now: a record of one that is not (removed above, or deleted
    # before the config stopped asking for it) vouches for nothing, and would keep `make` expecting
    # jobs that will never come (bilateral.runner.jobs_expected).
    forget_missing()


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
