"""Progress on the terminal for long work (an IMF fetch), one line per step, quiet otherwise.

A Snakemake job's log goes to its file under logs/; a person waiting on a download of up to the
fetch deadline (minutes, with retries and waits) sees nothing there. `show` copies one logger's
messages (INFO and up) to the terminal with a prefix naming the work, e.g.
`fetch: requesting https://...`, `fetch: HTTP 503; retrying`, `fetch: HTTP 200, 1234 bytes in 2.1 s`.
"""

from __future__ import annotations

import logging
import sys


def show(logger: str, prefix: str, stream=None) -> logging.Handler:
    """Copy `logger`'s INFO messages and above to `stream` (default: standard error) as `prefix: message`."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(f"{prefix}: %(message)s"))
    target = logging.getLogger(logger)
    if target.getEffectiveLevel() > logging.INFO:
        target.setLevel(logging.INFO)
    target.addHandler(handler)
    return handler
