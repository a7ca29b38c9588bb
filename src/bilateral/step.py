"""What every Snakemake step (scripts/*.py) does first."""

from __future__ import annotations

import logging

from . import made
from .prompt_exit import skip_final_collection


def log_to(path: str) -> None:
    """This process's messages go to the step's log file (the rule's `log:`)."""
    logging.basicConfig(filename=path, level=logging.INFO, format="%(message)s", force=True)


def begin(snakemake) -> None:
    """The step's messages go to its log file, and its process, once done, exits without a last
    collection of its heap (bilateral.prompt_exit: about 0.04 s of every job)."""
    log_to(snakemake.log[0])
    skip_final_collection()
    made.forget(snakemake.output)  # written again now: a run killed before end() leaves no stale record


def end(snakemake) -> None:
    """The step succeeded: record what it wrote (bilateral.made), so that an output changed later
    is not taken for the one this step made."""
    made.record(snakemake.output)
