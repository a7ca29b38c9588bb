"""The workflow on a real SLURM cluster (issue 12): a single-node cluster of Debian's packages is
started for the test, every job goes through `--executor slurm --profile profiles/slurm`, and the
outputs must be byte for byte those of a local run of the same config.

Needs Debian's slurmctld, slurmd, munge and slurm-client (`.ci/run` installs them) and root (slurmd
runs jobs as their user, munged's key must belong to the user munge). Skipped elsewhere, a failure
under CI=true (conftest.skip_or_fail). One test, not several sharing a module fixture: `make test`
spreads tests over pytest-xdist workers, and each worker would start its own cluster and build."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, skip_or_fail
from profile_options import profile_options
from project_copy import BIN, run, tracked_copy
from slurm_cluster import MIN_JOB_AGE, Cluster, missing_programs, single_node_cluster
from workbook_subset import of_reporters

from bilateral.verify import MANIFEST, read_manifest

# The config files the cluster run builds, on top of config/config.yaml: three pairs (the paper's,
# India and Pakistan x Russia, from the IMF workbooks) and their comparison, as issue 12 asks.
CLUSTER_CONFIGS: tuple[str, ...] = ("config/examples/three-pairs-russia.yaml",)
# The reporters whose workbooks those pairs read (Russia's predecessor, the USSR, for the paper's
# years before 1992): both runs read these alone, not all 235 workbooks.
REPORTERS = ["Bangladesh", "Russian Federation", "USSR", "India", "Pakistan"]
# Seconds for the whole cluster run. The plugin can wait forever on a job whose status it lost and
# then ignores SIGTERM: `timeout -k` sends SIGKILL 10 s after SIGTERM.
SNAKEMAKE_TIMEOUT = 900
PROFILE = "profiles/slurm"
OUTPUT_FOLDERS = ("figures", "tables", "report", "data/processed")


def config_args() -> list[str]:
    return ["--configfile", "config/config.yaml", *CLUSTER_CONFIGS] if CLUSTER_CONFIGS else []


def snakemake_command(*args: str, python: Path = Path(sys.executable)) -> list[str]:
    return [str(python), "-m", "snakemake", *config_args(), *args]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def outputs(folder: Path) -> dict[str, str]:
    """sha256 of every file in the output folders (recursive: many pairs write into subfolders)."""
    return {
        str(path.relative_to(folder)): sha256(path)
        for name in OUTPUT_FOLDERS
        for path in sorted((folder / name).rglob("*"))
        if path.is_file() and path.name != "README.md"
    }


def planned_jobs(project: Path) -> dict[str, int]:
    """Rule -> number of jobs, from Snakemake's own plan of a full build (`all` runs nothing)."""
    planned = run(snakemake_command("--dry-run", "--forceall", "--quiet", "rules"), project).stdout
    stats = re.findall(r"^(\w+)\s+(\d+)$", planned, flags=re.M)
    counts = {rule: int(n) for rule, n in stats if rule not in ("all", "total")}
    assert counts, planned
    return counts


def build_on(cluster: Cluster, project: Path, workbooks: Path, python: Path) -> str:
    """Snakemake of the cluster environment (`python`) with the SLURM profile in `project`, against
    `cluster`; its output."""
    # PATH as the README's `.venv-cluster/bin/snakemake` from a plain shell has it: no venv on it (each
    # job must run the venv's own Python by its path), only the cluster's srun wrapper in front.
    path = [folder for folder in os.environ["PATH"].split(os.pathsep) if Path(folder) != BIN]
    env = {**cluster.env, "PATH": os.pathsep.join([str(cluster.wrappers), *path])}
    # A copy in a temporary folder has no ../shared beside it: the workbooks by their folder.
    env["BILATERAL_DOTS_XLSX"] = str(workbooks)
    command = ["timeout", "-k", "10", str(SNAKEMAKE_TIMEOUT)]
    # Successful jobs' SLURM logs are kept: they show that every job ran in SLURM.
    command += snakemake_command("--profile", PROFILE, "--slurm-keep-successful-logs", python=python)
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reason = "timed out (the plugin lost track of a job?)" if result.returncode in (124, 137) else "failed"
        logs = sorted((project / ".snakemake" / "slurm_logs").rglob("*.log"))
        job_logs = "\n".join(f"--- {log}\n{log.read_text(errors='replace')[-2000:]}" for log in logs[-3:])
        pytest.fail(
            f"the SLURM run {reason} (exit code {result.returncode}):\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}\n{job_logs}\n{cluster.logs()}",
            pytrace=False,
        )
    return result.stdout + result.stderr


def test_slurm_profile_options_are_known_to_snakemake_and_the_plugin(cluster_python):
    """Runs without SLURM too: every key of the profile is an option Snakemake or the plugin has."""
    args = profile_options(cluster_python, ROOT / PROFILE / "profile.yaml")
    assert args["executor"] == "slurm"
    # Without accounting (slurmdbd), sacct cannot tell that a job finished; squeue can, for
    # MinJobAge seconds, which the plugin wants to be at least three first-check delays.
    assert args["slurm_status_command"] == "squeue"
    assert 3 * args["slurm_init_seconds_before_status_checks"] <= MIN_JOB_AGE
    assert {"mem_mb", "runtime"} <= args["default_resources"].keys()


def test_every_rule_of_a_pair_or_of_the_summaries_is_grouped(cluster_python):
    """A rule outside the profile's groups would become one SLURM job per pair: a new rule must be
    added to them. Only the rules that read the source once for every pair, and `all`, stay alone."""
    args = profile_options(cluster_python, ROOT / PROFILE / "profile.yaml")
    declared = r"^\s*(?:rule|checkpoint) (\w+):|^\s*use rule .* as (\w+)"
    rules = {
        next(filter(None, names))
        for path in [ROOT / "Snakefile", *(ROOT / "rules").glob("*.smk")]
        for names in re.findall(declared, path.read_text(), flags=re.M)
    }
    rules.discard("all")
    alone = {"dots_cache", "fetch_imts", "parse_imts"}
    assert alone <= rules
    assert args["groups"].keys() == rules - alone
    assert set(args["groups"].values()) == {"pair", "summary"}
    assert args["group_components"] == {"pair": 1, "summary": 1}
    # A group asks SLURM for one job's share: one group_slot per job, one per SLURM job.
    assert args["default_resources"]["group_slot"] == 1
    assert args["resources"] == {"group_slot": 1}
    assert args["set_resource_scopes"] == {"group_slot": "local"}


@pytest.fixture
def cluster():
    missing = missing_programs()
    if missing:
        skip_or_fail(
            f"SLURM is not installed (missing {', '.join(missing)});"
            " on Debian: apt-get install slurmctld slurmd munge slurm-client (.ci/run installs them)"
        )
    if os.geteuid() != 0:
        skip_or_fail("the single-node SLURM cluster needs root (slurmd, and munged as the user munge)")
    with single_node_cluster() as started:
        yield started


def steps_run(logs: Path) -> dict[str, list[str]]:
    """Rule -> the jobs that ran inside a SLURM job, by their `--target-jobs`, from the SLURM jobs'
    logs. A SLURM job starts Snakemake with the plugin's job-step executor, which starts each of its
    jobs (one, or a group's) with `srun` in a Snakemake of its own: that one's command line names the
    one job it ran and has no job-step executor."""
    ran: dict[str, list[str]] = {}
    for log in sorted(logs.rglob("*.log")):
        for command in re.findall(r"^\s*Command: (.*)$", log.read_text(errors="replace"), flags=re.M):
            if re.search(r"--executor slurm-jobstep(\s|$)", command):
                continue
            target = re.search(r"--target-jobs (\S+) --", command)
            assert target, f"{log}: no single target job in {command}"
            rule = target.group(1).split(":")[0]
            ran.setdefault(rule, []).append(target.group(1))
    return ran


@pytest.mark.slow
def test_workflow_on_slurm_is_byte_identical_to_a_local_run(cluster, cluster_python, workbooks, tmp_path, monkeypatch):
    some = of_reporters(tmp_path / "xlsx", REPORTERS)
    monkeypatch.setenv("BILATERAL_DOTS_XLSX", str(some))
    local = tracked_copy(tmp_path / "local")
    project = tracked_copy(tmp_path / "slurm")

    def plan_and_build_locally() -> dict[str, int]:
        # Snakemake's plan of the same tracked files and config, then the build as `make` runs it
        # (bilateral.runner: kernels forked from one server); on SLURM, kernels are started by each
        # job: the comparison below also holds the two ways of starting a kernel.
        planned = planned_jobs(local)
        run([sys.executable, "-m", "bilateral.runner", *config_args(), "--cores", "2"], local)
        return planned

    # At the same time as the cluster run, which spends most of its time waiting for SLURM.
    with ThreadPoolExecutor(max_workers=1) as pool:
        at_home_built = pool.submit(plan_and_build_locally)
        output = build_on(cluster, project, some, cluster_python)
        planned = at_home_built.result()

    # Every job went through SLURM: the controller received every job Snakemake submitted (one per
    # pair, one for the summaries, one for the workbooks' cache: profiles/slurm groups them), each
    # exited with 0, and each planned job ran once inside one of them (started there with srun).
    assert "SLURM run ID" in output
    reported = re.findall(r"has been submitted with SLURM jobid (\d+)", output)
    controller = cluster.log("slurmctld.log", lines=1_000_000)
    submitted = set(re.findall(r"_slurm_rpc_submit_batch_job: JobId=(\d+)", controller))
    succeeded = set(re.findall(r"_job_complete: JobId=(\d+) WEXITSTATUS 0", controller))
    assert sorted(reported, key=int) == sorted(submitted, key=int), controller[-3000:]
    assert succeeded == submitted, controller[-3000:]
    assert len(submitted) == 3 + 1 + 1, sorted(submitted)
    ran = steps_run(project / ".snakemake" / "slurm_logs")
    assert {rule: len(jobs) for rule, jobs in ran.items()} == planned
    assert all(len(set(jobs)) == len(jobs) for jobs in ran.values()), ran

    # The same files, byte for byte, as the local run.
    on_cluster, at_home = outputs(project), outputs(local)
    assert len(at_home) >= 40  # the paper's figures and tables at least
    # The three pairs and their comparison were all built (on both runs, as they are equal).
    for prefix in ("figures/IND-RUS/", "figures/PAK-RUS/", "tables/comparison.csv", "figures/comparison.png"):
        assert any(name.startswith(prefix) for name in at_home), f"nothing named {prefix}* in {sorted(at_home)}"
    different = sorted(name for name in on_cluster.keys() | at_home.keys() if on_cluster.get(name) != at_home.get(name))
    assert not different, f"differ between the SLURM and the local run: {different}"
    # For the paper's config, that is also what CHECKSUMS.sha256 records.
    if not CLUSTER_CONFIGS:
        recorded = read_manifest(ROOT / MANIFEST)
        assert {name for name in recorded if not name.startswith("data/raw/")} <= on_cluster.keys()
        stale = sorted(name for name, digest in recorded.items() if sha256(project / name) != digest)
        assert not stale, f"the SLURM build differs from {MANIFEST} in {stale}"
