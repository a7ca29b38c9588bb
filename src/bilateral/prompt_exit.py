"""Let Snakemake's process end as soon as its run is over.

Two waits follow every run of this workflow, neither doing anything for it:

1. Snakemake's scheduler, while it waits for jobs, starts a timer each time round that wakes it a
   second later (its `--max-jobs-per-timespan` limit, 100 jobs a second by default). The timers are
   not daemon threads, so the process lives on until the last one has fired: up to a second after a
   run that executed jobs. Once the run is over (`onsuccess`, `onerror`) there is nothing left for
   them to wake; they are cancelled. Should Snakemake name them otherwise, none is cancelled and the
   exit is only that much slower.
2. As Python exits, it collects the garbage of the whole heap once more (about 0.2 s for the 2,000
   modules Snakemake imports), just before the operating system frees all of it anyway. Freezing
   the heap at exit (gc.freeze) leaves it out of that collection. What must happen at exit is done
   explicitly, not by the collector: log handlers are flushed and closed by logging's own exit
   handler, which runs after this one, and files the run writes are closed by the code that wrote
   them.
"""

from __future__ import annotations

import atexit
import gc
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


def skip_final_collection() -> None:
    """At this process's exit, leave every object out of the last garbage collection (2. above)."""
    atexit.register(gc.freeze)
