"""bilateral.prompt_exit: Snakemake's own re-evaluation timers are found and cancelled, so a finished
run exits at once, nothing else touched; a step's process leaves its heap out of the last collection
and its log is still complete."""

from __future__ import annotations

import subprocess
import sys
import threading
from types import SimpleNamespace

import pytest
from snakemake.scheduling.job_scheduler import JobScheduler

from bilateral.prompt_exit import cancel_reevaluation_timers
from bilateral.runner import LOCAL_RATE


def test_the_schedulers_pending_timer_is_cancelled_and_others_are_left_alone():
    woken = threading.Semaphore(0)
    # What Snakemake runs while it waits for jobs (the timer wakes the scheduler after a second).
    JobScheduler._schedule_reevalutation(SimpleNamespace(_open_jobs=woken), 30)
    other = threading.Timer(30, lambda: None)
    other.start()
    try:
        timers = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and t is not other]
        assert len(timers) == 1
        assert cancel_reevaluation_timers() == 1
        timers[0].join(timeout=5)
        assert not timers[0].is_alive()
        assert other.is_alive()  # not Snakemake's: left alone
        assert not woken.acquire(blocking=False)  # cancelled, never fired
    finally:
        other.cancel()


@pytest.mark.slow
@pytest.mark.parametrize("rate", [[], list(LOCAL_RATE)], ids=["default rate", "make's local rate"])
def test_a_finished_run_exits_without_waiting_for_the_timers(tmp_path, rate):
    # A one-rule workflow with the project's hook: the process ends right after the run, not up to a
    # second later (10 s at the rate `make` gives a local run, bilateral.runner.LOCAL_RATE) when the
    # last timer fires. Told apart without timing: with the hook, no timer is left when Python
    # starts waiting for non-daemon threads at exit (threading._shutdown).
    (tmp_path / "Snakefile").write_text(
        "import threading, atexit\n"
        "from bilateral.prompt_exit import cancel_reevaluation_timers\n"
        "onsuccess:\n"
        "    cancel_reevaluation_timers()\n"
        "    open('left.txt', 'w').write(str(sum(isinstance(t, threading.Timer) and t.is_alive()"
        " and not t.finished.is_set() for t in threading.enumerate())))\n"
        "rule all:\n    input: 'a.txt'\n"
        "rule a:\n    output: 'a.txt'\n    shell: 'sleep 1.5; touch {output}'\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "1", "--quiet", *rate, "all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "left.txt").read_text() == "0"


STEP = """
import logging, sys
from types import SimpleNamespace
from bilateral.step import begin

begin(SimpleNamespace(log=[sys.argv[1]], output=[]))
logging.getLogger("step").info("the step's last message")


class Cycle:
    def __del__(self):
        open(sys.argv[2], "w").write("collected at exit")


cycle = Cycle()
cycle.itself = cycle  # garbage only a collection finds
del cycle
"""


def test_a_step_exits_without_the_last_collection_and_with_its_log_complete(tmp_path):
    log, marker = tmp_path / "step.log", tmp_path / "collected"
    done = subprocess.run(
        [sys.executable, "-c", STEP, str(log), str(marker)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert log.read_text() == "the step's last message\n"
    # Python's exit would have collected the cycle (and run its __del__); the frozen heap is left alone.
    assert not marker.exists()
