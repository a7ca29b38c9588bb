"""Run the workflow in a temporary copy of the project, as a fresh clone would.

A whole build takes most of a minute of CPU, so the suite makes one clean build of the committed
project per session (`shared_build`, shared by the pytest-xdist workers) and tests that need a built
project start from a copy of it (`built_copy`); tests that need a build of their own (another pair,
another source, `verify`'s rebuild) make it themselves.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent
# Set by conftest before each test: whether it is marked slow (make test-quick leaves those out).
running_a_slow_test = True


def run(args, cwd, check=True, env=None):
    """Run `args` in `cwd`, with the variables of `env` added to the environment; `snakemake ...` as
    `make` runs it, through bilateral.runner (its run lock, its clean-up of an interrupted run,
    kernels forked from one server). Runs of Snakemake itself, with kernels each job starts, are
    tests/test_slurm.py's cluster run and tests/test_kernelfork.py."""
    if args[0] == "snakemake":
        assert running_a_slow_test, (
            "mark this test @pytest.mark.slow: it runs Snakemake (seconds; make test-quick skips slow tests)"
        )
        args = [str(BIN / "python"), "-m", "bilateral.runner", *args[1:]]
    env = {**os.environ, **(env or {}), "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def tracked_copy(target: Path) -> Path:
    """The committed project only (what a fresh clone has), plus uncommitted edits to tracked files."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.exists():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def git_init(folder: Path) -> None:
    """Make the copy a git checkout of its own, as a fresh clone is."""
    for args in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "copy"]):
        subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True)


def digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for pattern in ("figures/*", "tables/*", "report/index.html", "data/processed/**/*.csv")
        for p in sorted(folder.glob(pattern))
        if p.is_file()
    }


def shared_build(tmp_path_factory) -> Path:
    """One clean build of the committed project (tracked files, `snakemake --cores 2`) for the whole
    session: the first worker to ask makes it, the others wait for it on a lock. Never written to:
    a test that edits files or runs Snakemake works in a `built_copy` of it."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's folder, above each worker's own
    folder, done = base / "shared-build", base / "shared-build.done"
    with open(base / "shared-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            run(["snakemake", "--cores", "2"], tracked_copy(folder))
            done.touch()
    return folder


def built_copy(build: Path, target: Path) -> Path:
    """A copy of `build` with Snakemake's records (.snakemake) and every file's time kept, so that
    Snakemake in the copy sees a built, up-to-date project, as it would after building there."""
    shutil.copytree(build, target, symlinks=True, ignore=shutil.ignore_patterns("locks"), dirs_exist_ok=True)
    return target
