"""A single-node SLURM cluster from Debian's packages (slurmctld, slurmd, munge), for the tests.

Everything it needs is in one temporary folder: slurm.conf, the munge key and socket, the state
and spool folders, the logs. It listens on free ports and on its own munge socket, so a system
SLURM or munge on the machine is neither used nor disturbed. The three daemons run in the
foreground as children of the test, so they are stopped by their PIDs, never by name.
Clients (sinfo, sbatch, squeue; the Snakemake plugin calls them) find this cluster through the
environment variable SLURM_CONF, which `Cluster.env` sets.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# What the cluster runs and what the executor plugin calls (sacct is not needed: no accounting).
PROGRAMS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "sinfo", "scancel", "scontrol", "srun")
PATHS = ("/usr/sbin", "/usr/bin")
START_TIMEOUT = 60  # seconds until the node must be idle
STOP_TIMEOUT = 10  # seconds a daemon gets after SIGTERM before SIGKILL
# Seconds squeue still shows a finished job (SLURM's default): the plugin's status checks by squeue
# (profiles/slurm) rely on it.
MIN_JOB_AGE = 300


def which(program: str) -> str | None:
    # The daemons are in /usr/sbin, which a non-login shell's PATH may lack.
    return shutil.which(program, path=os.pathsep.join([os.environ.get("PATH", ""), *PATHS]))


def missing_programs() -> list[str]:
    return [program for program in PROGRAMS if which(program) is None]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def memory_mb() -> int:
    """MemTotal of /proc/meminfo in MB; slurmd drains a node that claims more than it has."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) // 1024
    raise RuntimeError("no MemTotal in /proc/meminfo")


def slurm_conf(root: Path, host: str, cpus: int, real_memory: int, ctld_port: int, slurmd_port: int) -> str:
    """A configuration the issue lists as known to work with Debian's SLURM 22.05: no cgroups, no
    accounting (hence `squeue`, not `sacct`, for job status), MinJobAge 300 s so squeue still shows
    finished jobs when the plugin asks."""
    return "\n".join(
        [
            "ClusterName=bilateral-test",
            f"SlurmctldHost={host}(127.0.0.1)",
            f"SlurmctldPort={ctld_port}",
            f"SlurmdPort={slurmd_port}",
            "SlurmUser=root",
            "SlurmdUser=root",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={root}/munge/munge.socket",
            f"StateSaveLocation={root}/state",
            f"SlurmdSpoolDir={root}/spool",
            f"SlurmctldPidFile={root}/slurmctld.pid",
            f"SlurmdPidFile={root}/slurmd.pid",
            f"SlurmctldLogFile={root}/slurmctld.log",
            f"SlurmdLogFile={root}/slurmd.log",
            "ProctrackType=proctrack/linuxproc",
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core_Memory",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "JobCompType=jobcomp/none",
            "MpiDefault=none",
            "SwitchType=switch/none",
            "MailProg=/bin/true",
            "ReturnToService=2",
            f"MinJobAge={MIN_JOB_AGE}",
            "KillWait=5",
            "SlurmctldDebug=info",
            "SlurmdDebug=info",
            f"NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={real_memory} State=UNKNOWN",
            "PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP",
            "",
        ]
    )


@dataclass
class Cluster:
    root: Path
    env: dict[str, str]  # for clients: SLURM_CONF, and PATH with the srun wrapper first
    wrappers: Path
    daemons: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    def run(self, *args: str, check: bool = True, timeout: float = 30) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [which(args[0]) or args[0], *args[1:]], env=self.env, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def log(self, name: str, lines: int = 30) -> str:
        path = self.root / name
        text = path.read_text(errors="replace") if path.exists() else "(no log)"
        return f"--- {path} (last {lines} lines) ---\n" + "\n".join(text.splitlines()[-lines:])

    def logs(self) -> str:
        """What the daemons printed: munged in the foreground logs to its terminal, the others
        print there only what they cannot log to their files (a refusal to start)."""
        names = ("munged.out", "munge/munged.log", "slurmctld.out", "slurmctld.log", "slurmd.out", "slurmd.log")
        return "\n".join(self.log(name) for name in names if (self.root / name).exists())

    def start(self, program: str, args: list[str], user: str | None = None) -> None:
        output = open(self.root / f"{program}.out", "w")  # noqa: SIM115 (closed when the daemon stops)
        process = subprocess.Popen(
            [which(program), *args], env=self.env, stdout=output, stderr=subprocess.STDOUT, user=user
        )
        output.close()  # the daemon holds its own copy
        self.daemons.append((program, process))

    def stop(self) -> None:
        """Cancel this cluster's jobs, then stop exactly the daemons it started, newest first."""
        if any(process.poll() is None for name, process in self.daemons if name == "slurmctld"):
            with contextlib.suppress(Exception):
                self.run("scancel", "--full", f"--user={pwd.getpwuid(os.getuid()).pw_name}", check=False)
                deadline = time.monotonic() + STOP_TIMEOUT
                while time.monotonic() < deadline and self.run("squeue", "-h", check=False).stdout.strip():
                    time.sleep(0.5)
        for _, process in reversed(self.daemons):
            if process.poll() is None:
                process.terminate()
        for _, process in reversed(self.daemons):
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(STOP_TIMEOUT)
        self.daemons.clear()

    def check_alive(self) -> None:
        for name, process in self.daemons:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with code {process.returncode}\n{self.logs()}")

    def wait_idle(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        state = ""
        while time.monotonic() < deadline:
            self.check_alive()
            state = self.run("sinfo", "-h", "-N", "-o", "%t", check=False).stdout.strip()
            if state == "idle":
                return
            time.sleep(0.5)
        raise RuntimeError(f"the SLURM node is not idle after {timeout} s (sinfo: {state!r})\n{self.logs()}")


def munge_user() -> str | None:
    """munged refuses root without --force; Debian's package creates the user munge for it."""
    try:
        pwd.getpwnam("munge")
    except KeyError:
        return None
    return "munge"


@contextlib.contextmanager
def single_node_cluster():
    """Start munged, slurmctld and slurmd with everything in a new temporary folder; yield the
    Cluster, and stop its jobs and daemons on the way out, also after a failure, then remove the
    folder. The folder is in the system's temporary directory, not pytest's: munged, running as the
    user munge, must reach its socket through every parent folder (pytest's are private to root),
    and a socket's path must stay short (108 bytes)."""
    root = Path(tempfile.mkdtemp(prefix="bilateral-slurm-"))
    root.chmod(0o755)
    cluster = None
    try:
        for folder in ("state", "spool"):
            (root / folder).mkdir(mode=0o700)
        cpus = len(os.sched_getaffinity(0))  # as nproc: the CPUs this process may use
        host = socket.gethostname().split(".")[0]
        conf = root / "slurm.conf"
        # One node with the machine's CPUs, and RealMemory a little below MemTotal: slurmd measures
        # the memory itself and drains a node configured with more than it finds.
        conf.write_text(slurm_conf(root, host, cpus, int(memory_mb() * 0.9), free_port(), free_port()))
        env = {**os.environ, "SLURM_CONF": str(conf)}
        for variable in [name for name in env if name.startswith(("SLURM_", "SBATCH_", "SRUN_", "SQUEUE_"))]:
            if variable != "SLURM_CONF":
                del env[variable]  # a test run inside a SLURM job must not aim at that job's cluster
        # The jobstep plugin (snakemake-executor-plugin-slurm-jobstep 0.6.1) starts each job with
        # `srun` after removing every SLURM_* variable but the job's identity, SLURM_CONF included,
        # so a cluster configured anywhere but /etc/slurm/slurm.conf fails its jobs with "Could not
        # establish a configuration source". An `srun` first on PATH (which the plugin keeps)
        # names this cluster's configuration again and runs the real one.
        wrappers = root / "bin"
        wrappers.mkdir()
        srun = wrappers / "srun"
        srun.write_text(f'#!/bin/sh\nSLURM_CONF="{conf}" exec {which("srun")} "$@"\n')
        srun.chmod(0o755)
        env["PATH"] = os.pathsep.join([str(wrappers), env.get("PATH", "")])
        cluster = Cluster(root=root, env=env, wrappers=wrappers)

        munge = root / "munge"
        munge.mkdir()
        munge.chmod(0o711)  # clients reach the socket; munged insists on that, and the key stays 0400
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        user = munge_user()
        if user is not None:
            owner = pwd.getpwnam(user)
            for path in (munge, key):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        munged_args = [
            "--foreground",
            f"--socket={munge}/munge.socket",
            f"--key-file={key}",
            f"--pid-file={munge}/munged.pid",
            f"--seed-file={munge}/munged.seed",
            f"--log-file={munge}/munged.log",  # else it writes to /var/log/munge
        ]
        if user is None:
            munged_args.append("--force")
        cluster.start("munged", munged_args, user=user)
        deadline = time.monotonic() + START_TIMEOUT
        while not (munge / "munge.socket").exists():
            cluster.check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f"munged did not open its socket\n{cluster.logs()}")
            time.sleep(0.1)
        cluster.start("slurmctld", ["-D", "-f", str(conf)])
        cluster.start("slurmd", ["-D", "-f", str(conf), "-N", host])
        cluster.wait_idle()
        yield cluster
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
