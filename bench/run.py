"""Measure the project's speed targets and write bench/RESULTS.md.

Each scenario runs several times as a whole process (wall time with Python's clock, peak memory of
the largest process from the kernel's own accounting, os.wait4); medians and ranges are reported,
and each target as a ratio measured in the same run, so a slower machine shifts both sides.

    python bench/run.py            # every scenario (about 15 minutes on 2 cores)
    python bench/run.py --quick    # one run each and no fresh clones (a smoke test)
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import suite_costs

ROOT = Path(__file__).resolve().parent.parent
ONE_RULE = ROOT / "bench" / "one_rule"
ONE_RULE_PARAM = ROOT / "bench" / "one_rule_param"


@dataclass
class Timing:
    name: str
    walls: list[float] = field(default_factory=list)
    peaks_mb: list[float] = field(default_factory=list)
    # CPU seconds (user + system) of the run and every process it waited for: on a shared machine
    # the wall time grows with the others' load, the CPU time much less.
    cpus: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    def add(self, wall: float, peak_mb: float, cpu: float) -> None:
        self.walls.append(wall)
        self.peaks_mb.append(peak_mb)
        self.cpus.append(cpu)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)

    def row(self) -> str:
        low, high = min(self.walls), max(self.walls)
        return (
            f"| {self.name} | {self.median:.2f} | {low:.2f}–{high:.2f} | {self.cpu:.2f} | {len(self.walls)} "
            f"| {max(self.peaks_mb):.0f} |"
        )


def timed(args: list[str], cwd: Path, env: dict | None = None) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB (the largest of its processes) and CPU seconds of one run of `args`."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} in {cwd} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(name: str, args: list[str], cwd: Path, runs: int, before=None, env=None) -> Timing:
    timing = Timing(name)
    for number in range(runs):
        if before:
            before()
        wall, peak, cpu = timed(args, cwd, env)
        timing.add(wall, peak, cpu)
        print(f"  {name}: run {number + 1}/{runs}: {wall:.2f} s, CPU {cpu:.2f} s", file=sys.stderr, flush=True)
    return timing


def clone(target: Path) -> Path:
    subprocess.run(["git", "clone", "-q", str(ROOT), str(target)], check=True)
    return target


def machine() -> list[str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor() or "unknown",
    )
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if "MemTotal" in line)
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("snakemake", "papermill", "pandas", "matplotlib")
    )
    return [
        f"- Machine: {os.cpu_count()} cores, {cpu}, {int(memory) / 1024**2:.0f} GiB, {platform.platform()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one run each, no fresh clones")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "RESULTS.md"))
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    make = shutil.which("make") or "make"
    results: dict[str, Timing] = {}
    modules: list[tuple[str, int, float, float]] = []
    with tempfile.TemporaryDirectory(prefix="bilateral-bench-") as folder:
        work = Path(folder)
        if not args.quick:
            # A fresh clone to every output, the environment included: warm and cold package caches.
            counter = iter(range(100))

            def fresh():
                target = work / f"fresh-{next(counter)}"
                return clone(target)

            warm = Timing("fresh clone → every output, warm package cache (make)")
            for _ in range(max(1, runs // 2)):
                target = fresh()
                warm.add(*timed([make], target))
            results["fresh_warm"] = warm
            cold_cache = work / "empty-cache"
            target = fresh()
            cold = Timing("fresh clone → every output, cold package cache (make)")
            cold.add(*timed([make], target, env={"UV_CACHE_DIR": str(cold_cache), "PIP_CACHE_DIR": str(cold_cache)}))
            results["fresh_cold"] = cold

        project = clone(work / "project")
        subprocess.run([make], cwd=project, check=True, capture_output=True)
        python = str(project / ".venv" / "bin" / "python")
        snakemake = str(project / ".venv" / "bin" / "snakemake")

        def clean_outputs():
            subprocess.run([make, "clean-outputs"], cwd=project, check=True, capture_output=True)

        results["cold"] = measure(
            "cold run (environment present, outputs deleted): make", [make], project, runs, clean_outputs
        )
        floor = clone(work / "floor")
        (floor / "report").mkdir()
        shutil.copy(project / "report" / "provenance.json", floor / "report" / "provenance.json")
        results["floor"] = measure(
            "floor: bench/floor.py, one process, no kernels",
            [python, str(ROOT / "bench" / "floor.py"), str(floor)],
            floor,
            runs,
        )
        subprocess.run([make], cwd=project, check=True, capture_output=True)
        # The cluster environment (for the tests below, and to measure what its plugins cost), untimed.
        subprocess.run([make, "cluster"], cwd=project, check=True, capture_output=True)
        results["noop"] = measure("no-op: make", [make], project, runs)
        results["noop_snakemake"] = measure(
            "no-op: snakemake on a one-rule Snakefile", [snakemake, "--cores", "1", "--quiet", "all"], ONE_RULE, runs
        )
        results["noop_snakemake_cluster"] = measure(
            "no-op: snakemake on a one-rule Snakefile, in .venv-cluster (with the cluster plugins)",
            [str(project / ".venv-cluster" / "bin" / "snakemake"), "--cores", "1", "--quiet", "all"],
            ONE_RULE,
            runs,
        )
        # Its output made anew first (untimed), so that the record of its param exists to compare with.
        one_rule_param = [snakemake, "--cores", "1", "--quiet", "all"]
        (ONE_RULE_PARAM / "done.txt").unlink(missing_ok=True)
        subprocess.run(one_rule_param, cwd=ONE_RULE_PARAM, check=True, capture_output=True)
        results["noop_snakemake_param"] = measure(
            "no-op: snakemake on a one-rule Snakefile whose rule has a param", one_rule_param, ONE_RULE_PARAM, runs
        )
        overlays = [work / "end2020.yaml", work / "end2019.yaml"]
        overlays[0].write_text("figures:\n  figure3: {end: 2020}\n")
        overlays[1].write_text("figures:\n  figure3: {end: 2019}\n")
        flip = iter(range(1000))
        changed = Timing("one figure changed (figure3's end): make CONFIG=…")
        for _ in range(runs):
            overlay = overlays[next(flip) % 2]
            changed.add(*timed([make, f"CONFIG={overlay}"], project))
        results["one_figure"] = changed
        executed = work / "figure.ipynb"
        results["one_notebook"] = measure(
            "one notebook execution: papermill trade_figure.ipynb",
            [
                python,
                "-m",
                "papermill",
                "notebooks/trade_figure.ipynb",
                str(executed),
                "-k",
                "python3",
                "--no-progress-bar",
            ],
            project,
            runs,
        )
        if not args.quick:
            try:
                # Every test runs, as in CI: the workbooks named (the clone has no ../shared beside it)
                # and CI=true, under which a test that cannot run fails instead of being skipped.
                workbooks = os.environ.get("BILATERAL_DOTS_XLSX") or str(ROOT.parent / "shared/data/imf-dots-2022-xlsx")
                everything = {"CI": "true", "BILATERAL_DOTS_XLSX": workbooks}
                # The quick tier (no goal of its own): what is not marked slow, for the edit loop.
                results["test_quick"] = measure(
                    "make test-quick (the tests not marked slow: no workflow run)",
                    [make, "test-quick"],
                    project,
                    runs,
                    env=everything,
                )
                costs = work / "suite-costs"
                costs.mkdir()
                # What each test costs (bench/suite_costs.py, loaded in every pytest worker).
                plugin = {
                    "PYTEST_ADDOPTS": "-p suite_costs",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(project / "bench"), os.environ.get("PYTHONPATH")])),
                    suite_costs.FOLDER: str(costs),
                }
                results["test"] = measure(
                    "make test (environment present; every test, as in CI)",
                    [make, "test"],
                    project,
                    1,
                    env=everything | plugin,
                )
                modules = suite_costs.by_module(costs)
            except RuntimeError as error:  # the timing of a failing suite means nothing; say so
                print(f"make test failed, not timed: {error}", file=sys.stderr)
    write(Path(args.out), results, args.quick, modules)


TARGETS = [
    # (label, numerator, denominator or seconds, goal)
    ("fresh clone, warm cache", "fresh_warm", 60.0, "≤ 60 s"),
    ("fresh clone, cold cache", "fresh_cold", 120.0, "≤ 120 s"),
    ("cold run / floor", "cold", "floor", "≤ 1.5×"),
    ("no-op / Snakemake's one-rule no-op", "noop", "noop_snakemake", "≤ 1.2×"),
    # Snakemake imports pandas to compare a rule's params with the last run's (its persistence
    # module), once any rule has params, as every rule of the workflow has: the same yardstick with one.
    ("no-op / Snakemake's one-rule no-op, the rule with a param", "noop", "noop_snakemake_param", "≤ 1.2×"),
    ("one figure changed / one notebook execution", "one_figure", "one_notebook", "≤ 1.5×"),
    # The goal above cannot be met by any Snakemake workflow here: Snakemake's own start (its
    # one-rule no-op) plus one notebook already exceeds 1.5 notebooks. So also: what the workflow
    # adds beyond Snakemake's own start, against the same goal.
    (
        "one figure changed − Snakemake's one-rule no-op / one notebook execution",
        ("one_figure", "noop_snakemake"),
        "one_notebook",
        "≤ 1.5×",
    ),
    ("cold run − Snakemake's one-rule no-op / floor", ("cold", "noop_snakemake"), "floor", "≤ 1.5×"),
    ("make test", "test", 60.0, "≤ 60 s"),
]


def write(path: Path, results: dict[str, Timing], quick: bool, modules: list[tuple[str, int, float, float]]) -> None:
    lines = ["# Benchmark results", "", "Written by `python bench/run.py`" + (" --quick" if quick else "") + ".", ""]
    lines += machine()
    lines += ["", f"- Load average when the runs ended: {', '.join(f'{x:.1f}' for x in os.getloadavg())}"]
    lines += ["", "## Targets", "", "| target | measured (wall) | CPU | goal | met |", "|---|---|---|---|---|"]
    for label, key, base, goal in TARGETS:
        key, minus = key if isinstance(key, tuple) else (key, None)
        if key not in results or (minus and minus not in results):
            continue
        value, cpu = results[key].median, results[key].cpu
        if minus:
            value, cpu = value - results[minus].median, cpu - results[minus].cpu
        if isinstance(base, str):
            ratio = value / results[base].median
            text, met = (
                f"{ratio:.2f}× ({value:.2f} s / {results[base].median:.2f} s)",
                ratio <= float(goal.strip("≤ ×")),
            )
            cpu_text = f"{cpu / results[base].cpu:.2f}× ({cpu:.2f} s / {results[base].cpu:.2f} s)"
        else:
            text, met, cpu_text = f"{value:.1f} s", value <= base, f"{cpu:.1f} s"
        lines.append(f"| {label} | {text} | {cpu_text} | {goal} | {'yes' if met else 'no'} |")
    if "test" in results:
        # No schedule of the suite on these cores ends before its CPU time spread evenly over them.
        # An underestimate: SLURM runs the cluster test's jobs outside make's process tree.
        shortest = results["test"].cpu / os.cpu_count()
        lines.append(
            f"| make test, the shortest any schedule could take: its CPU / {os.cpu_count()} cores "
            f"| {shortest:.1f} s | | ≤ 60 s | {'yes' if shortest <= 60 else 'no'} |"
        )
    lines += ["", "## Every scenario (seconds; CPU: user + system of all its processes; peak MB: the largest)", ""]
    lines += ["| scenario | median | min–max | CPU | runs | peak MB |", "|---|---|---|---|---|---|"]
    lines += [timing.row() for timing in results.values()]
    if modules:
        lines += ["", *where_the_suite_goes(modules)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


def where_the_suite_goes(modules: list[tuple[str, int, float, float]], shown: int = 15) -> list[str]:
    """The test modules of `make test` by CPU seconds, the largest first, the rest summed up."""
    lines = [
        "## Where make test's time goes (per test module; a module's builds counted with its tests)",
        "",
        "Wall: seconds a worker spent on the module's tests, waits included (a cluster's queue, a lock on",
        "a build another worker makes). CPU: the worker's and every process it waited for.",
        "",
        "| test module | tests | wall | CPU | share of CPU |",
        "|---|---|---|---|---|",
    ]
    total = sum(cpu for *_, cpu in modules)
    rest = modules[shown:]
    rows = modules[:shown]
    if rest:
        tests, wall, cpu = (sum(row[column] for row in rest) for column in (1, 2, 3))
        rows.append((f"{len(rest)} other modules", tests, wall, cpu))
    for module, tests, wall, cpu in rows:
        lines.append(f"| {module} | {tests} | {wall:.1f} s | {cpu:.1f} s | {cpu / total:.0%} |")
    lines.append(f"| all | {sum(r[1] for r in modules)} | {sum(r[2] for r in modules):.1f} s | {total:.1f} s | 100% |")
    return lines


if __name__ == "__main__":
    main()
