"""Let Snakemake exit as soon as its run is over.

Snakemake's scheduler, while it waits for jobs, starts a timer each time round that wakes it a
second later (its `--max-jobs-per-timespan` limit, 100 jobs a second by default). The timers are
not daemon threads, so the process lives on until the last one has fired: up to a second after the
run's end, in every run that executed a job. Once the run is over (`onsuccess`, `onerror`) there is
nothing left for them to wake; they are cancelled. Should Snakemake name them otherwise, none is
cancelled and the exit is only that much slower.
"""

from __future__ import annotations

import threading

# The function each timer calls (snakemake/scheduling/job_scheduler.py).
REEVALUATION = "JobScheduler._schedule_reevalutation.<locals>.<lambda>"


def cancel_reevaluation_timers() -> int:
    """Cancel the scheduler's pending timers; how many there were."""
    timers = [
        thread
        for thread in threading.enumerate()
        if isinstance(thread, threading.Timer) and getattr(thread.function, "__qualname__", "") == REEVALUATION
    ]
    for timer in timers:
        timer.cancel()
    return len(timers)
