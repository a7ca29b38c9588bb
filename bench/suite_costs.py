"""A pytest plugin for bench/run.py: what each test of `make test` costs, to say where the suite's
time goes.

Loaded with `-p suite_costs` (bench/ on PYTHONPATH) in every pytest-xdist worker; each worker appends
one line per test to its own file in the folder $BENCH_SUITE_COSTS: the test's id, its wall seconds
and the CPU seconds of the worker and of every process it waited for (Snakemake, kernels, nbval),
setup and teardown included, so a module's build is counted with the test that made it. The pytest
runs some tests start themselves (nbval in a built copy) inherit the plugin but are not the suite:
only tests of this project's folder are written down.
"""

from __future__ import annotations

import os
import resource
import time
from collections import defaultdict
from pathlib import Path

import pytest

FOLDER = "BENCH_SUITE_COSTS"
PROJECT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    own, waited = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + waited.ru_utime + waited.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start, cpu = time.perf_counter(), _cpu()
    yield
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    folder = os.environ.get(FOLDER)
    if folder and item.config.rootpath.resolve() == PROJECT:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        with open(Path(folder) / f"{worker}.tsv", "a", encoding="utf-8") as out:
            out.write(f"{item.nodeid}\t{wall:.3f}\t{cpu:.3f}\n")


def by_module(folder: Path) -> list[tuple[str, int, float, float]]:
    """(module, tests, wall seconds, CPU seconds) per test module, the most CPU first."""
    totals: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
    for path in sorted(folder.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            test, wall, cpu = line.split("\t")
            module = totals[test.split("::")[0]]
            module[0] += 1
            module[1] += float(wall)
            module[2] += float(cpu)
    rows = [(module, int(n), wall, cpu) for module, (n, wall, cpu) in totals.items()]
    return sorted(rows, key=lambda row: -row[3])
