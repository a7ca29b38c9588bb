"""Measure many pairs (issue 12): seconds per marginal pair locally, and the time to plan every reporter x Russia.

In a copy of the project (its own code on PYTHONPATH), with the workbooks' cache and the first
pair already built:
- a run adding 10 pairs, then one adding 50 (each from the same state: the further pairs' outputs
  and panels removed); the marginal pair costs (T50 - T10) / 40, the fixed costs (planning, the
  comparison, the record and the page) cancel out;
- a dry run (`snakemake -n`) of config/examples/all-reporters-russia.yaml.
Each scenario also reports the peak memory of its largest process (os.wait4). Writes bench/PAIRS.md.

    python bench/pairs.py               # about 25 minutes on 2 cores
    python bench/pairs.py --sizes 2 4   # a smoke test
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from run import ROOT, machine, timed

SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
EXAMPLE = ROOT / "config" / "examples" / "all-reporters-russia.yaml"


def copy_project(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def overlay(project: Path, homes: list[str]) -> Path:
    path = project / f"pairs-{len(homes)}.yaml"
    pairs = {"homes": homes, "partner": "RUS"} if homes else []
    path.write_text(yaml.safe_dump({"source": "dots-2022-xlsx", "pairs": pairs}))
    return path


def reset(project: Path) -> None:
    """Remove the further pairs' outputs and panels, so each run builds its pairs from scratch."""
    for folder in ("figures", "tables", "data/processed/dots-2022-xlsx"):
        for path in (project / folder).glob("*-*/"):
            shutil.rmtree(path)
    for path in (project / "figures").glob("comparison.*"):
        path.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10, 50])
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    homes = [code for code in yaml.safe_load(EXAMPLE.read_text())["pairs"]["homes"] if code != "BGD"]
    lines = []
    with tempfile.TemporaryDirectory(prefix="bilateral-pairs-") as folder:
        project = copy_project(Path(folder))
        workbooks = os.environ.get("BILATERAL_DOTS_XLSX") or str((ROOT / "../shared/data/imf-dots-2022-xlsx").resolve())
        env = {"PYTHONPATH": str(project / "src"), "BILATERAL_DOTS_XLSX": workbooks}
        # As `make CONFIG=...` runs it: through bilateral.runner (which forks the notebooks' kernels).
        runner = [sys.executable, "-m", "bilateral.runner"]
        run = [*runner, "--cores", str(args.cores), "--configfile", "config/config.yaml"]
        warm = overlay(project, [])
        wall, peak, cpu = timed([*run, str(warm)], project, env)
        warmed = "warm-up: the workbooks' cache and the first pair (source dots-2022-xlsx)"
        lines.append(f"| {warmed} | {wall:.1f} | {cpu:.1f} | {peak:.0f} |")
        walls, cpus = {}, {}
        for size in args.sizes:
            reset(project)
            print(f"{size} further pairs ...", file=sys.stderr, flush=True)
            wall, peak, cpu = timed([*run, str(overlay(project, homes[:size]))], project, env)
            walls[size], cpus[size] = wall, cpu
            lines.append(f"| {size} further pairs × Russia, {args.cores} cores | {wall:.1f} | {cpu:.1f} | {peak:.0f} |")
        small, large = args.sizes
        marginal = (walls[large] - walls[small]) / (large - small)
        marginal_cpu = (cpus[large] - cpus[small]) / (large - small)
        wall, peak, cpu = timed([SNAKEMAKE, "-n", "--configfile", "config/config.yaml", str(EXAMPLE)], project, env)
        plan = wall
        lines.append(
            f"| dry run, every reporter × Russia ({len(homes) + 1} pairs) | {wall:.1f} | {cpu:.1f} | {peak:.0f} |"
        )
    text = "\n".join(
        [
            "# Many pairs: measured (bench/pairs.py)",
            "",
            *machine(),
            "- Other processes may share it; load average at the end: "
            + ", ".join(f"{x:.1f}" for x in os.getloadavg())
            + ".",
            "",
            "| Scenario | Wall (s) | CPU (s) | Peak memory of one process (MB) |",
            "|---|---|---|---|",
            *lines,
            "",
            f"- Seconds per marginal pair: ({walls[large]:.1f} − {walls[small]:.1f}) / {large - small} = "
            f"**{marginal:.2f} s** (goal ≤ 3 s on 2 cores); CPU seconds per marginal pair "
            f"{marginal_cpu:.2f} s, so on {args.cores} cores no less than {marginal_cpu / args.cores:.2f} s of wall.",
            f"- Planning every reporter × Russia (dry run): **{plan:.1f} s** (goal ≤ 30 s).",
            "",
        ]
    )
    (ROOT / "bench" / "PAIRS.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
