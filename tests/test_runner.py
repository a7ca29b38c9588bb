"""`make` recovers from an interrupted run by itself (bilateral.runner, the Makefile, the profile)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

from bilateral import made, runner
from bilateral.envcheck import problems


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["/p/.venv/bin/python", "/p/.venv/bin/snakemake", "--cores", "2"], "snakemake"),
        (["snakemake", "--cores", "2"], "snakemake"),
        (["python", "-m", "snakemake", "--cores", "2"], "snakemake"),
        (["python", "-m", "papermill", "notebooks/a.ipynb", "figures/a.ipynb"], "papermill"),
        # A rule's `script:` job: Snakemake runs a copy of the script from .snakemake/scripts/.
        (["/p/.venv/bin/python3.11", "/p/.snakemake/scripts/tmpab12.run_notebook.py"], "job"),
        (["/p/.venv/bin/python", "-m", "ipykernel_launcher", "-f", "k.json"], "ipykernel_launcher"),
        # The scheduler's solver, as pulp starts it.
        (["/p/.venv/lib/python3.11/site-packages/pulp/solverdir/cbc/linux/i64/cbc", "/tmp/x-pulp.mps"], "cbc"),
        # A shell running a command that mentions papermill is not papermill; an editor open on a file
        # called snakemake is not Snakemake.
        (["/usr/bin/bash", "-c", "python -m papermill a b"], None),
        (["vim", "-R", "x", "snakemake"], None),
        (["/usr/bin/bash"], None),
    ],
)
def test_program_recognises_a_workflow_process(args, expected):
    assert runner.program(args) == expected


def _script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(body)
    return path


def _wait_until(condition, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
def test_a_live_run_blocks_and_orphaned_jobs_are_stopped(tmp_path):
    root, bin_ = tmp_path / "project", tmp_path / "bin"
    root.mkdir()
    bin_.mkdir()
    papermill = _script(bin_, "papermill", "import time\ntime.sleep(60)\n")
    snakemake = _script(
        bin_,
        "snakemake",
        f"import subprocess, sys, time\nsubprocess.Popen([sys.executable, {str(papermill)!r}])\ntime.sleep(60)\n",
    )
    live = subprocess.Popen([sys.executable, str(snakemake)], cwd=root)
    orphan = subprocess.Popen([sys.executable, str(papermill)], cwd=root)  # its parent is not Snakemake
    elsewhere = subprocess.Popen([sys.executable, str(papermill)], cwd=tmp_path)  # another folder's
    try:
        _wait_until(lambda: len(runner.workflow_processes(root)) == 3, "the fake run's job")
        runs, orphans = runner.split(runner.workflow_processes(root))
        assert [p.pid for p in runs] == [live.pid]
        assert [p.pid for p in orphans] == [orphan.pid]
        with pytest.raises(SystemExit, match=f"Snakemake is already running in {root}: pid {live.pid}"):
            runner.prepare(root, ["unused"], out=lambda line: None)

        job = next(p for p in runner.workflow_processes(root) if p.pid not in (live.pid, orphan.pid))
        live.kill()  # as SIGKILL: its job goes on running, now an orphan too
        live.wait()
        lines = []
        runner.stop_orphans(root, out=lines.append)
        assert lines[0] == f"make: stopping 2 job(s) an interrupted run left running in {root}:"
        _wait_until(lambda: _gone(orphan.pid), "the orphan to stop")  # (psutil reaps it, so no exit status here)
        _wait_until(lambda: _gone(job.pid), "the orphaned job to stop")
        assert elsewhere.poll() is None  # a job of another folder is left alone
    finally:
        for process in (live, orphan, elsewhere):
            process.kill()
            process.wait()


def test_a_second_run_in_the_same_folder_is_refused(tmp_path):
    held = runner._acquire(tmp_path)
    try:
        with pytest.raises(
            SystemExit, match=f"another `make` is running the workflow in {tmp_path} \\(pid {os.getpid()}"
        ):
            runner._acquire(tmp_path)
    finally:
        held.close()
    runner._acquire(tmp_path).close()  # free again once the first run ends


def test_a_stale_snakemake_lock_is_removed(tmp_path):
    locks = tmp_path / ".snakemake" / "locks"
    locks.mkdir(parents=True)
    (locks / "0.output.lock").write_text("figures/figure1.png\n")
    record = tmp_path / "called"
    fake = _script(
        tmp_path,
        "fake_snakemake",
        "import pathlib, shutil, sys\n"
        f"pathlib.Path({str(record)!r}).write_text(' '.join(sys.argv[1:]))\n"
        f"shutil.rmtree({str(locks)!r})\n",
    )
    lines = []
    runner.prepare(tmp_path, [sys.executable, str(fake)], out=lines.append)
    assert record.read_text() == "--unlock --quiet"
    assert lines == ["make: removing the lock an interrupted run left (no other run is active in this folder)"]


def test_envcheck_names_a_missing_or_changed_package():
    lock = f"pytest=={pytest.__version__} \\\n    --hash=sha256:00\nsurely-not-installed-xyz==1.0\npsutil==0.0.1\n"
    assert problems(lock) == [
        "surely-not-installed-xyz: not installed (pinned 1.0)",
        f"psutil: {psutil.__version__} installed, 0.0.1 pinned",
    ]


def _fake_venv(tmp_path: Path, report: str, venv: str = ".venv", lock: str = "requirements.lock") -> Path:
    """The Makefile, the locks and a stamp in a folder, with a `python` in `venv` that answers the
    check of `lock` with `report`."""
    for name in ("Makefile", "requirements.lock", "requirements-cluster.lock", "pyproject.toml"):
        shutil.copy2(ROOT / name, tmp_path / name)
    digest = subprocess.run(["sha256sum", lock], cwd=tmp_path, capture_output=True, text=True)
    (tmp_path / venv / "bin").mkdir(parents=True)
    (tmp_path / venv / f".installed-{digest.stdout[:12]}").touch()
    python = tmp_path / venv / "bin/python"
    python.write_text(f"#!/bin/sh\nprintf '%s' '{report}'\n")
    python.chmod(0o755)
    return tmp_path


@pytest.mark.parametrize(("report", "rebuilt"), [("", False), ("tabulate: not installed (pinned 0.10.0)", True)])
def test_make_rebuilds_a_venv_that_does_not_match_the_lock(tmp_path, report, rebuilt):
    dry = subprocess.run(["make", "-n", "figures"], cwd=_fake_venv(tmp_path, report), capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert ("rm -rf .venv" in dry.stdout) is rebuilt
    assert (f"does not match requirements.lock ({report}); rebuilding it" in dry.stdout) is rebuilt
    assert "-m bilateral.runner --cores all" in dry.stdout


def test_a_local_build_neither_makes_nor_checks_the_cluster_environment(tmp_path):
    """The cluster environment's check (its python, asked at every make) is left to the goals that use it."""
    folder = _fake_venv(tmp_path, "")
    (tmp_path / "unused").mkdir()
    cluster = _fake_venv(tmp_path / "unused", "", ".venv-cluster", "requirements-cluster.lock")
    shutil.move(cluster / ".venv-cluster", folder / ".venv-cluster")
    asked = folder / "cluster-python-was-asked"
    (folder / ".venv-cluster/bin/python").write_text(f"#!/bin/sh\ntouch {asked}\n")
    dry = subprocess.run(["make", "-n", "figures"], cwd=folder, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert ".venv-cluster" not in dry.stdout and not asked.exists()
    # What the test relies on: a goal that uses the environment does ask that python.
    subprocess.run(["make", "-n", "cluster"], cwd=folder, capture_output=True, text=True, check=True)
    assert asked.exists()


@pytest.mark.parametrize(("report", "rebuilt"), [("", False), ("kubernetes: not installed (pinned 32.0.1)", True)])
def test_make_cluster_rebuilds_a_cluster_venv_that_does_not_match_its_lock(tmp_path, report, rebuilt):
    folder = _fake_venv(tmp_path, report, ".venv-cluster", "requirements-cluster.lock")
    dry = subprocess.run(["make", "-n", "cluster"], cwd=folder, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    assert ("rm -rf .venv-cluster" in dry.stdout) is rebuilt
    expected = f"does not match requirements-cluster.lock ({report}); rebuilding it"
    assert (expected in dry.stdout) is rebuilt
    if rebuilt:
        assert "-r requirements-cluster.lock" in dry.stdout and "rm -rf .venv\n" not in dry.stdout


# --- End to end: SIGKILL Snakemake in the middle of a run, then `make` ------------------------------


def _snakemake_running_a_job(project: Path) -> list[psutil.Process]:
    """The Snakemake that started a notebook job now running in `project` (not a child it is forking
    at that moment, which carries Snakemake's command line until it starts its own program)."""
    for job in runner.workflow_processes(project):
        try:
            if runner._program(job) == runner.SCRIPT_JOB:
                return [parent for parent in job.parents() if runner._program(parent) == "snakemake"][:1]
        except psutil.Error:
            continue  # the job ended meanwhile
    return []


@pytest.mark.slow
def test_make_recovers_from_a_killed_snakemake(shared_build, tmp_path):
    from project_copy import built_copy

    # A built project whose figures 1 and 2 are gone: their notebook jobs are what make runs.
    project = built_copy(shared_build, tmp_path / "project")
    for lost in [*project.glob("figures/figure1.*"), *project.glob("figures/figure2.*")]:
        lost.unlink()
    (project / ".venv").symlink_to(ROOT / ".venv")
    log = open(tmp_path / "make.log", "w")  # noqa: SIM115
    make = subprocess.Popen(["make", "CORES=2"], cwd=project, stdout=log, stderr=subprocess.STDOUT)
    found: list[psutil.Process] = []

    def job_started() -> bool:
        found[:] = _snakemake_running_a_job(project)
        return bool(found)

    _wait_until(job_started, "a notebook job", timeout=120)
    (snakemake,) = found
    snakemake.kill()
    assert make.wait(timeout=60) != 0
    text = (tmp_path / "make.log").read_text()
    assert "make: Snakemake was stopped by signal 9" in text
    assert "an interrupted run left running" in text  # its jobs were stopped, not left writing outputs
    assert not [p for p in runner.workflow_processes(project) if not _gone(p.pid)]

    again = subprocess.run(["make", "CORES=2"], cwd=project, capture_output=True, text=True)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "make: removing the lock an interrupted run left" in again.stdout
    check = subprocess.run(["sha256sum", "--quiet", "-c", "CHECKSUMS.sha256"], cwd=project, capture_output=True)
    assert check.returncode == 0, check.stdout.decode()
    assert not list(project.glob("**/.*.part"))


def test_a_broken_config_overlay_is_named_with_its_line(tmp_path, capsys):
    overlay = tmp_path / "mine.yaml"
    overlay.write_text("figures:\n  figure1: {start: 1981\n")
    assert runner.main(["--configfile", "config/config.yaml", str(overlay)]) == 1
    assert f"error: {overlay}, line 3, column 1: not valid YAML" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "forks"),
    [
        (["--cores", "2"], True),
        (["--cores", "2", "--configfile", "config/config.yaml", "mine.yaml"], True),
        (["--cores", "2", "--dry-run"], False),  # plans only: no kernel to start
        (["-n"], False),
        (["--lint"], False),
        (["--executor", "slurm"], False),  # the jobs run elsewhere
        (["--profile=profiles/slurm"], False),
    ],
)
def test_the_kernel_server_starts_only_for_jobs_run_here(argv, forks):
    assert runner.local(argv) is forks


def _effective(argv: list[str]):
    """What Snakemake's own parser makes of `argv`: the rate (jobs, seconds) and the targets."""
    from snakemake.cli import get_argument_parser

    parsed = get_argument_parser().parse_args(argv)
    return (parsed.max_jobs_per_timespan.max_jobs, parsed.max_jobs_per_timespan.timespan), list(parsed.targets)


@pytest.mark.parametrize(
    ("argv", "rate"),
    [
        (["--cores", "2"], (1000, 10)),
        # A rate of the user's own, in any form Snakemake accepts, wins; a `--` still ends the options.
        (["--max-jobs-per-timespan", "5/1s"], (5, 1)),
        (["--max-jobs-per-timespan=5/1s"], (5, 1)),
        (["--max-jobs-per-t", "5/1s"], (5, 1)),
        (["--cores", "2", "--", "all"], (1000, 10)),
    ],
)
def test_a_local_run_is_given_a_rate_that_wakes_the_scheduler_less_often(tmp_path, argv, rate):
    given = runner.with_local_rate(argv, tmp_path)
    assert _effective(given) == (rate, ["all"] if "all" in argv else [])


@pytest.mark.parametrize("where", ["workflow profile", "SNAKEMAKE_PROFILE"])
def test_a_rate_set_in_a_profile_is_left_to_it(tmp_path, monkeypatch, where):
    folder = tmp_path / "profiles" / "default" if where == "workflow profile" else tmp_path / "mine"
    folder.mkdir(parents=True)
    (folder / "profile.yaml").write_text("cores: 2\nmax-jobs-per-timespan: 5/1s\n")
    if where == "SNAKEMAKE_PROFILE":
        monkeypatch.setenv("SNAKEMAKE_PROFILE", str(folder))
    assert runner.with_local_rate(["--cores", "2"], tmp_path) == ["--cores", "2"]
    # What the test relies on: without the key the rate is given.
    (folder / "profile.yaml").write_text("cores: 2\n")
    assert runner.with_local_rate(["--cores", "2"], tmp_path)[:2] == list(runner.LOCAL_RATE)


def _recorded_project(root: Path) -> Path:
    """A project as a complete build leaves it, as far as jobs_expected looks: a config file, an
    output with its record, and a plain run that ended well after both were written."""
    (root / "config").mkdir()
    (root / "config" / "config.yaml").write_text("figure_dpi: 300\n")
    (root / "figures").mkdir()
    (root / "figures" / "figure1.png").write_bytes(b"png")
    made.record(["figures/figure1.png"], root)
    past = time.time_ns() - 60 * 10**9
    for path in (root / "config" / "config.yaml", root / "figures" / "figure1.png"):
        os.utime(path, ns=(past, past))
    runner.note_run(["--cores", "all"], root, started=time.time_ns() - 30 * 10**9, code=0)
    return root


def _newer(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("edited\n")  # written now: after the last run's start, 30 s ago


@pytest.mark.parametrize(
    "argv", [[], ["--cores", "all"], ["--cores=2", "--quiet"], ["-j", "2", "--quiet", "rules"], ["all"]]
)
def test_a_plain_make_after_a_good_run_with_nothing_changed_expects_no_job(tmp_path, argv):
    assert runner.jobs_expected(argv, _recorded_project(tmp_path)) is False


@pytest.mark.parametrize(
    "argv",
    [
        ["--cores", "all", "--configfile", "config/config.yaml", "mine.yaml"],
        ["--forcerun", "figure"],
        ["--forceall"],
        ["figures/figure1.png"],
        ["--config", "figure_dpi=150"],
    ],
)
def test_any_option_beyond_the_cores_expects_jobs(tmp_path, argv):
    assert runner.jobs_expected(argv, _recorded_project(tmp_path)) is True


@pytest.mark.parametrize(
    "change",
    [
        "config/config.yaml",  # a setting edited
        "notebooks/trade_figure.ipynb",  # a new file of the project's
        "deleted output",
        "no run ended well",
        "records gone",
        "damaged record",
        "job left incomplete",
    ],
)
def test_a_change_since_the_last_good_run_expects_jobs(tmp_path, change):
    root = _recorded_project(tmp_path)
    if change == "deleted output":
        (root / "figures" / "figure1.png").unlink()
    elif change == "no run ended well":
        runner.note_run(["--cores", "all"], root, started=time.time_ns(), code=1)
    elif change == "records gone":
        shutil.rmtree(root / made.FOLDER)
    elif change == "damaged record":
        next((root / made.FOLDER).glob("*.json")).write_text("{")
    elif change == "job left incomplete":
        _newer(root / runner.INCOMPLETE / "ZmlndXJlcy9maWd1cmUxLnBuZw==")
        os.utime(root / runner.INCOMPLETE / "ZmlndXJlcy9maWd1cmUxLnBuZw==", ns=(0, 0))
    else:
        _newer(root / change)
    assert runner.jobs_expected(["--cores", "all"], root) is True


@pytest.mark.parametrize(
    "written", ["figures/figure2.png", "logs/figure.log", ".snakemake/log/x.log", "src/m/__pycache__/a.pyc"]
)
def test_what_the_run_itself_writes_is_not_a_change(tmp_path, written):
    root = _recorded_project(tmp_path)
    _newer(root / written)
    assert runner.jobs_expected(["--cores", "all"], root) is False


def test_an_environment_inside_the_project_is_not_read(tmp_path):
    root = _recorded_project(tmp_path)
    for folder, marker in (("env", "conda-meta/history"), ("venv2", "pyvenv.cfg")):
        _newer(root / folder / marker)
        _newer(root / folder / "lib" / "site.py")
    assert runner.jobs_expected(["--cores", "all"], root) is False
    _newer(root / "notebooks" / "lib" / "site.py")  # the same files elsewhere are the project's
    assert runner.jobs_expected(["--cores", "all"], root) is True


def test_a_marker_that_cannot_be_written_only_keeps_the_imports_at_once(tmp_path):
    """The marker is a hint: a folder where it cannot be written must not fail a run that went well."""
    root = _recorded_project(tmp_path)
    marker = root / runner.LAST_GOOD_RUN
    marker.unlink()
    marker.mkdir()  # neither a file to replace nor one to remove
    (marker / "x").write_text("")
    for code, argv in ((0, ["--cores", "all"]), (1, ["--cores", "all"]), (0, ["--forceall"])):
        runner.note_run(argv, root, started=time.time_ns(), code=code)
    assert sorted(p.name for p in marker.parent.iterdir()) == ["last-good-run", "made"]  # no temporary file left


def test_the_marker_is_a_file_of_the_runs_own(tmp_path):
    """Only its owner may set a file's times: the marker is replaced by a new file, not touched, so
    that in a project shared by a group the next user's run does not fail on the last one's marker."""
    root = _recorded_project(tmp_path)
    before = (root / runner.LAST_GOOD_RUN).stat().st_ino
    started = time.time_ns() - 5 * 10**9
    runner.note_run(["--cores", "all"], root, started=started, code=0)
    after = (root / runner.LAST_GOOD_RUN).stat()
    assert after.st_ino != before and after.st_mtime_ns == started


def test_a_run_with_other_settings_leaves_the_next_plain_one_expecting_jobs(tmp_path):
    root = _recorded_project(tmp_path)
    runner.note_run(["--configfile", "config/config.yaml", "mine.yaml"], root, started=time.time_ns(), code=0)
    assert runner.jobs_expected(["--cores", "all"], root) is True
    runner.note_run(["--cores", "all"], root, started=time.time_ns(), code=0)
    assert runner.jobs_expected(["--cores", "all"], root) is False
