"""Run Snakemake for `make` so that an interrupted run never needs a manual step afterwards.

`python -m bilateral.runner [snakemake options]`, in the project folder:

1. holds an exclusive lock (`.snakemake/run.lock`) for the whole run, so two `make`s in the same
   folder cannot run the workflow at the same time; a second one stops with a message;
2. refuses to start while a Snakemake process started some other way runs in this folder;
3. stops the jobs an earlier run left running (papermill and its kernel go on writing outputs
   when Snakemake itself is killed with SIGKILL: its jobs are not killed with it);
4. removes Snakemake's own lock (`snakemake --unlock`) if one is left: safe, since 1-2 show that no
   other run is active here. Outputs left incomplete are rerun (`rerun-incomplete` in the profile);
5. moves aside (into .snakemake/bilateral/edited/) every output that is no longer what the job that
   made it wrote (edited by hand or by another program; bilateral.made), so that Snakemake, which
   compares times and not content, makes it again instead of passing it for current;
   rebuilds every output it is asked for if Snakemake's records (`.snakemake/metadata`) are gone
   while outputs are there (`rm -rf .snakemake`): without them Snakemake cannot tell which settings,
   notebook or regimes file made an output, and would take any output as current;
6. runs Snakemake, passing SIGTERM and SIGHUP on to it (Ctrl-C reaches it from the terminal), and
   stops whatever of its jobs is still running if Snakemake itself was killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from . import kernelfork, made

LOCK = Path(".snakemake/run.lock")
# Programs of a workflow run: Snakemake, the jobs it starts (papermill, or a rule's `script:`, which
# Snakemake runs as a copy under .snakemake/scripts/), their Jupyter kernels, and the solver
# Snakemake's scheduler starts to choose jobs (pulp's cbc), which outlives a Snakemake killed while it plans.
PROGRAMS = ("snakemake", "papermill", "ipykernel_launcher", "cbc")
SCRIPT_JOB = "job"


def program(args: list[str]) -> str | None:
    """Which of PROGRAMS a command line runs (`.venv/bin/snakemake`, `python -m papermill`, ...), or
    SCRIPT_JOB for a rule's script, or None."""
    for i, arg in enumerate(args[:4]):
        name = os.path.basename(arg)
        if name in PROGRAMS and (i <= 1 or args[i - 1] == "-m"):
            return name
        if i == 1 and f"{os.sep}.snakemake{os.sep}scripts{os.sep}" in arg and arg.endswith(".py"):
            return SCRIPT_JOB
    return None


def _program(process: psutil.Process) -> str | None:
    try:
        return program(process.cmdline())
    except (psutil.Error, OSError):
        return None


def _in(process: psutil.Process, root: Path) -> bool:
    try:
        return Path(process.cwd()) == root
    except (psutil.Error, OSError):
        return False  # gone, or another user's (which cannot write our files either)


def workflow_processes(root: Path) -> list[psutil.Process]:
    """Processes of PROGRAMS working in `root`, other than this one and its ancestors."""
    mine = {os.getpid(), *(p.pid for p in psutil.Process().parents())}
    return [p for p in psutil.process_iter() if p.pid not in mine and _program(p) and _in(p, root)]


def split(processes: list[psutil.Process]) -> tuple[list[psutil.Process], list[psutil.Process]]:
    """(live Snakemake runs, orphans): an orphan is a job whose Snakemake is gone."""
    runs, orphans = [], []
    for process in processes:
        if _program(process) == "snakemake":
            runs.append(process)
            continue
        try:
            ancestors = process.parents()
        except psutil.Error:
            continue
        if not any(_program(parent) == "snakemake" for parent in ancestors):
            orphans.append(process)
    return runs, orphans


def describe(process: psutil.Process) -> str:
    try:
        return f"pid {process.pid} ({' '.join(process.cmdline())[:100]})"
    except psutil.Error:
        return f"pid {process.pid}"


def stop(processes: list[psutil.Process], timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL whatever still runs after `timeout` seconds."""
    for process in processes:
        with contextlib.suppress(psutil.Error):  # already gone
            process.terminate()
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    for process in alive:
        with contextlib.suppress(psutil.Error):
            process.kill()
    psutil.wait_procs(alive, timeout=timeout)


def _say(line: str) -> None:
    print(line, flush=True)  # before Snakemake's own output, also when stdout is a pipe (CI logs)


def stop_orphans(root: Path, out=_say) -> None:
    _, orphans = split(workflow_processes(root))
    if orphans:
        out(f"make: stopping {len(orphans)} job(s) an interrupted run left running in {root}:")
        for process in orphans:
            out(f"  {describe(process)}")
        stop(orphans)


def _acquire(root: Path):
    """The run lock, held until this process exits (the kernel releases it even after SIGKILL)."""
    (root / LOCK).parent.mkdir(parents=True, exist_ok=True)
    handle = open(root / LOCK, "a+")  # noqa: SIM115 (held for the life of the process)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "?"
        raise SystemExit(
            f"error: another `make` is running the workflow in {root} (pid {holder}, lock {LOCK});"
            " wait for it to finish or stop it, then run make again"
        ) from None
    handle.truncate(0)
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def prepare(root: Path, snakemake: list[str], out=_say) -> None:
    """Steps 2-4 of the module's docstring (the caller holds the run lock)."""
    runs, _ = split(workflow_processes(root))
    if runs:
        raise SystemExit(
            f"error: Snakemake is already running in {root}: {', '.join(map(describe, runs))};"
            " wait for it to finish or stop it, then run make again"
        )
    stop_orphans(root, out)
    locks = root / ".snakemake" / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        out("make: removing the lock an interrupted run left (no other run is active in this folder)")
        subprocess.run([*snakemake, "--unlock", "--quiet"], cwd=root, check=True, stdout=subprocess.DEVNULL)


def run(snakemake: list[str], root: Path) -> int:
    """Step 6: Snakemake's return code (128 + the signal's number if it was killed)."""
    child = subprocess.Popen(snakemake, cwd=root)

    def forward(signum, frame):
        child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    # Ctrl-C: the terminal sends SIGINT to Snakemake too; a second copy from here would make it stop
    # its jobs less gracefully, so this process only waits.
    previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if code < 0:
        print(f"make: Snakemake was stopped by signal {-code}", file=sys.stderr, flush=True)
        stop_orphans(root)
        return 128 - code
    return code


def check_config_files(argv: list[str]) -> None:
    """Each --configfile is YAML holding settings: Snakemake's own message names neither file nor line."""
    if "--configfile" not in argv:
        return
    from .yamlfile import read_yaml_mapping  # only now: a plain `make` starts Snakemake without it

    for name in argv[argv.index("--configfile") + 1 :]:
        if name.startswith("-"):
            break
        read_yaml_mapping(name)


# Options with which Snakemake runs no job on this machine: another executor, or only a look at the plan.
ELSEWHERE = ("--executor", "-e", "--profile", "--workflow-profile")
NO_JOBS = (
    *("-n", "--dry-run", "--dryrun", "--lint", "--report", "--unlock", "--touch", "-t", "--cleanup-metadata"),
    *("--summary", "-S", "--detailed-summary", "-D", "--dag", "--rulegraph", "--filegraph", "--list-rules"),
    *("--list", "-l", "--list-target-rules", "--lt", "--list-changes", "--lc"),
)


# Where the workflow writes (each folder holds a README.md of its own, which is not an output).
OUTPUT_FOLDERS = ("data/processed", "figures", "tables", "report")
FORCE_ALL = ("--forceall", "-F")


def _outputs_there(root: Path) -> bool:
    return any(
        path.is_file() and path.name != "README.md" for folder in OUTPUT_FOLDERS for path in (root / folder).rglob("*")
    )


def records_lost(root: Path) -> str | None:
    """Why the outputs that are there cannot be told current (step 5), or None: Snakemake's record of
    what made them is gone, or the steps' record of what they wrote (bilateral.made) is gone or damaged."""
    metadata = root / ".snakemake" / "metadata"
    if not (metadata.is_dir() and any(metadata.iterdir())):
        if _outputs_there(root):
            return (
                ".snakemake/metadata, Snakemake's record of the settings and files each output was made"
                " from, is missing while outputs are there"
            )
        return None
    try:
        made.changed(root)
    except made.RecordsDamaged as error:
        return f"{error}: which output it vouches for is unknown"
    if not made.kept(root) and _outputs_there(root):
        return f"{made.FOLDER}, each step's record of the bytes it wrote, is missing while outputs are there"
    return None


def with_records(argv: list[str], root: Path, out=_say) -> list[str]:
    """`argv`, with --forceall added if the records are lost and the run would build (or plan) jobs."""
    planning_only = {"-n", "--dry-run", "--dryrun"}
    if any(arg.split("=")[0] in (*FORCE_ALL, *(set(NO_JOBS) - planning_only)) for arg in argv):
        return argv
    lost = records_lost(root)
    if lost is None:
        return argv
    out(f"make: {lost}: rebuilding them all (--forceall), since nothing tells which of them are current")
    return ["--forceall", *argv]  # first: after a `--`, an option would be read as a target


DRY_RUN = ("-n", "--dry-run", "--dryrun")


def set_aside_edited(argv: list[str], root: Path, out=_say) -> list[str]:
    """Step 5's first part: outputs changed since their job go aside, so the run makes them again.
    A dry run plans them (--forcerun on those files); another run that makes nothing (--touch, a
    summary, ...) only names them. Damaged records are left to with_records."""
    try:
        edited = made.changed(root)
    except made.RecordsDamaged:
        return argv
    if not edited:
        return argv
    names = [entry.path for entry in edited]
    if any(arg.split("=")[0] in NO_JOBS for arg in argv):
        out(f"make: {len(edited)} output(s) changed after the job that made them; `make` makes them again:")
        for name in names:
            out(f"  {name}")
        if any(arg.split("=")[0] in DRY_RUN for arg in argv):
            # A list of files ends at the next option (--dry-run again, already given).
            return ["--forcerun", *names, "--dry-run", *argv]
        return argv
    folder = made.set_aside(edited, root)
    out(
        f"make: {len(edited)} output(s) changed after the job that made them: moved to"
        f" {folder.relative_to(root)}/ and made again:"
    )
    for name in names:
        out(f"  {name}")
    return argv


# Snakemake's scheduler, for its job rate limit (`--max-jobs-per-timespan`, 100 jobs per 1 s by
# default), starts a timer at every round that wakes it again one timespan later, and each finished
# job starts one more such chain: over many pairs its process spends most of its CPU in rounds that
# find nothing to start (a run of 30 pairs: 13,834 rounds for about 180 jobs). A local run needs no
# wake but a finished or failed job's, which wakes the scheduler itself; the same rate over 10 s
# wakes it a tenth as often. The timers still pending when the run ends are cancelled by the
# workflow's onsuccess and onerror hooks (bilateral.prompt_exit), which run after a finished, failed
# or interrupted run (Ctrl-C, SIGTERM); where they do not (an exception raised while jobs are
# scheduled, from Snakemake or from a params function of the workflow, or `--no-hooks`) the process
# waits up to 10 s, not 1 s, before it exits. Local runs only: a cluster's job steps run without hooks.
LOCAL_RATE = ("--max-jobs-per-timespan", "1000/10s")
RATE_KEY = re.compile(r"^max-jobs-per-timespan\s*:", re.M)


def rate_in_profiles(root: Path) -> bool:
    """Does the workflow's profile, or one named by $SNAKEMAKE_PROFILE, set a rate of its own?"""
    named = os.environ.get("SNAKEMAKE_PROFILE")
    folders = [root / "profiles" / "default", *([Path(named)] if named else [])]
    for folder in folders:
        profile = folder / "profile.yaml" if folder.is_dir() else folder
        with contextlib.suppress(OSError):
            if RATE_KEY.search(profile.read_text(encoding="utf-8")):
                return True
    return False


def with_local_rate(argv: list[str], root: Path) -> list[str]:
    """`argv` with LOCAL_RATE first, so that a rate it gives itself, in any form argparse accepts,
    comes later and wins; left as it is if a profile sets a rate (an option on the command line
    would override it)."""
    return argv if rate_in_profiles(root) else [*LOCAL_RATE, *argv]


# Options of a plain `make` (and their values), which ask for nothing beyond what is out of date.
PLAIN = {"--cores": 1, "-c": 1, "--jobs": 1, "-j": 1, "--max-jobs-per-timespan": 1}
QUIET = ("--quiet", "-q")
INCOMPLETE = Path(".snakemake") / "incomplete"
# Its modification time: when the last run here that ended well started (jobs_expected).
LAST_GOOD_RUN = Path(".snakemake") / "bilateral" / "last-good-run"


def _plain(argv: list[str]) -> bool:
    rest = iter(argv)
    for arg in rest:
        name = arg.split("=")[0]
        if name in PLAIN:
            if "=" not in arg:
                next(rest, None)
        elif name not in QUIET and not (arg in ("all", "rules", "progress", "host", "reason") and name == arg):
            return False
    return True


def _environment(folder: Path) -> bool:
    """A Python or conda environment (tens of thousands of files that no step reads as an input)."""
    return (folder / "pyvenv.cfg").exists() or (folder / "conda-meta").is_dir()


def _newest_input(root: Path) -> int:
    """The latest modification time (ns) of the project's files outside its outputs and hidden folders."""
    outputs = {*OUTPUT_FOLDERS, "logs"}
    newest = 0
    for folder, subfolders, files in os.walk(root):
        here = Path(folder).relative_to(root)
        subfolders[:] = [
            name
            for name in subfolders
            if not name.startswith(".")
            and name != "__pycache__"
            and (here / name).as_posix() not in outputs
            and not _environment(Path(folder, name))
        ]
        for name in files:
            with contextlib.suppress(OSError):
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime_ns)
    return newest


def jobs_expected(argv: list[str], root: Path) -> bool:
    """Will this run start jobs? A guess, in a few milliseconds, for the kernel server only: it does its
    imports (a second of CPU) at once if so, while Snakemake plans, and otherwise only when Snakemake
    says jobs follow (the workflow's onstart hook), which then delays the first notebook by about the
    same. No for a plain `make` when nothing has changed since the start of the last run that ended
    well: no option beyond the cores, every recorded output there, no job left incomplete, no file
    of the project newer. A wrong guess costs that second, never a wrong output."""
    if not _plain(argv):
        return True
    try:
        last = (root / LAST_GOOD_RUN).stat().st_mtime_ns
        if not made.kept(root) or made.missing(root):
            return True
    except (OSError, made.RecordsDamaged):
        return True
    incomplete = root / INCOMPLETE
    if incomplete.is_dir() and any(incomplete.iterdir()):
        return True
    return _newest_input(root) >= last


def note_run(argv: list[str], root: Path, started: int, code: int) -> None:
    """For jobs_expected: when a plain run that ended well started (`started`, ns). After any other
    run (a failure, another config, only some targets) the next plain one likely has jobs. Only a
    hint: a folder where this cannot be written (another user's marker in a shared project, a
    read-only folder) just keeps the imports at once."""
    path = root / LAST_GOOD_RUN
    with contextlib.suppress(OSError):
        if code != 0 or not _plain(argv):
            path.unlink(missing_ok=True)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # A file of this user's own, moved over the marker: only its owner may set a file's times.
        fresh = path.with_name(f".{path.name}.{os.getpid()}")
        try:
            fresh.touch()
            os.utime(fresh, ns=(started, started))
            os.replace(fresh, path)
        finally:
            fresh.unlink(missing_ok=True)


def local(argv: list[str]) -> bool:
    """Will jobs of this run start on this machine (no executor or profile given, not a dry run)?"""
    return not any(arg.split("=")[0] in (*ELSEWHERE, *NO_JOBS) for arg in argv)


def main(argv: list[str]) -> int:
    try:
        check_config_files(argv)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    root = Path.cwd().resolve()
    snakemake = [str(Path(sys.executable).with_name("snakemake"))]
    lock = _acquire(root)
    try:
        prepare(root, snakemake)
        asked = argv  # the user's: a --forceall added below for lost records still leaves a plain run
        argv = with_records(set_aside_edited(argv, root), root)
        if not local(argv):
            return run([*snakemake, *argv], root)
        started = time.time_ns()
        with kernelfork.server(preload=jobs_expected(argv, root)):
            code = run([*snakemake, *with_local_rate(argv, root)], root)
        note_run(asked, root, started, code)
        return code
    finally:
        lock.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
