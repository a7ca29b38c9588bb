"""Snakemake step `fetch_imts`: download the configured IMTS vintage (the only network step): one
request for one pair, one per reporter for many (bilateral.imts.batch: rate limit, resumable)."""

import logging
import sys
from pathlib import Path

from bilateral import progress
from bilateral.imts import batch, fetch
from bilateral.imts.request import from_plan_fields
from bilateral.step import begin, end


def main(snakemake) -> None:
    begin(snakemake)
    progress.show("bilateral.imts", "fetch")  # a download may take minutes: each step on the terminal too
    options = snakemake.params.imts
    try:
        batch.pull(
            from_plan_fields(snakemake.params.plan),
            Path(snakemake.output.metadata).parent,
            snakemake.params.vintage,
            homes=snakemake.params.homes,
            retries=options["retries"],
            backoff=options["backoff"],
            timeout=(options["connect_timeout"], options["read_timeout"]),
            contact=options["contact"],
            deadline=options["deadline"],
        )
    except fetch.FetchError as exc:
        # The message says what failed and that nothing was kept; a traceback would bury it.
        logging.error("%s", exc)
        print(f"fetch_imts: {exc}", file=sys.stderr)
        sys.exit(1)


main(snakemake)  # noqa: F821 (Snakemake defines `snakemake` in the script's preamble)
end(snakemake)  # noqa: F821
