"""What every Snakemake step (scripts/*.py) does first."""

from __future__ import annotations

import logging

from .prompt_exit import skip_final_collection


def begin(snakemake) -> None:
    """The step's messages go to its log file (the rule's `log:`), and its process, once done, exits
    without a last collection of its heap (bilateral.prompt_exit: about 0.04 s of every job)."""
    logging.basicConfig(filename=snakemake.log[0], level=logging.INFO, format="%(message)s", force=True)
    skip_final_collection()
