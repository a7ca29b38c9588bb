"""Jupyter kernels forked from one process that has already imported what the notebooks import.

Why: every notebook job starts a kernel, and a kernel spends about a second of CPU importing
ipykernel, pandas, matplotlib and this package before its first cell runs; a run over many pairs
starts hundreds of them. For a local run, `bilateral.runner` starts this server beside Snakemake and
names its socket in BILATERAL_KERNEL_SERVER; a notebook job that finds it asks it for its kernel,
which is then a fork of the server with those imports done, started with the job's own command,
environment, folder and standard streams. Anything else (a cluster job, a notebook run by hand, a
server that does not answer, a command this server does not know, a job of another Python
environment or whose environment sets what this server's start settled: READ_AT_START) starts the
kernel the usual way;
the executed notebooks are the same bytes either way (tests/test_kernelfork.py).
A notebook job may also ask the server to run papermill itself (request_run): a forked process with
papermill imported runs the job's notebook with the job's streams, folder, environment and log, and
answers how it went (tests/test_forked_runs.py).

The server lives as long as the process that started it: it stops when that process asks it to
(SIGTERM, at the end of the run), with every kernel it forked, or when that process is gone, leaving
each kernel to its job. A kernel stops when its job is gone, as a usual kernel does.
"""

from __future__ import annotations

import array
import contextlib
import gc
import importlib.util
import json
import logging
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

ADDRESS = "BILATERAL_KERNEL_SERVER"
# What the notebooks import (notebooks/*.ipynb), imported once here, before any fork.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",  # imported as each kernel starts (debugpy: 0.06 s of every start)
    "matplotlib_inline.backend_inline",
    "bilateral.figures",
    "bilateral.history",
    "bilateral.comparison",
    "bilateral.tables",
    # What a notebook job itself imports to run papermill (bilateral.notebooks.execute_job).
    "papermill",
    "jupyter_client.manager",
    "bilateral.notebooks",
    "bilateral.forked_kernel",
)
LAUNCHER = ["-m", "ipykernel_launcher"]
LATER = ["--imports-at-first-connection"]  # the server's option for server(preload=False)
# Environment variables read when the interpreter or a preloaded library starts, never again: the
# hash seed, sys.path, the locale, the thread pools numpy's BLAS sizes at import, matplotlib's
# configuration. A forked kernel has the server's values: it is forked only for a job whose values
# are the same; any other gets a kernel started the usual way, which honours them.
READ_AT_START = ("PYTHON", "LC_", "LANG", "TZ", "HOME", "XDG_", "MPL", "MATPLOTLIB")
READ_AT_START += ("OMP_", "GOTO_", "OPENBLAS_", "MKL_", "VECLIB_", "NUMEXPR_")
# Snakemake gives each job the number of threads of its rule in these (snakemake/shell.py): the
# server starts with those of a job of one thread, as every notebook rule has.
ONE_THREAD = {
    name: "1"
    for name in (
        "OMP_NUM_THREADS",
        "GOTO_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "VECLIB_MAXIMUM_THREADS",
        "NUMEXPR_NUM_THREADS",
    )
}


def read_at_start(env: dict) -> dict:
    return {name: value for name, value in env.items() if name.startswith(READ_AT_START)}


# --- the server -------------------------------------------------------------------------------


def _preload() -> None:
    # ipykernel sets this when the kernel starts (kernelapp.init_pylab) and matplotlib reads it when
    # first imported: set it as a kernel would have it, before the import, unless already set (a job
    # whose value differs from the server's is not forked for: READ_AT_START).
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    # debugpy (ipykernel.debugger) warns on import, into the run's output, that breakpoints may be
    # missed under frozen modules: about debugging, which no job does.
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    for module in PRELOAD:
        importlib.import_module(module)
    # What Python's documentation advises before forking without exec: the collector of each kernel
    # then leaves the imported objects alone, and their memory stays shared instead of copied.
    gc.freeze()


def _take_over(request: dict, streams: list[int]) -> None:
    """In a forked child: no input, the job's output streams, folder and environment."""
    # No input, as jupyter_client gives a kernel it starts (a pipe nobody writes to).
    with open(os.devnull, "rb") as nothing:
        os.dup2(nothing.fileno(), 0)
    for target, fd in enumerate(streams, start=1):
        os.dup2(fd, target)
        os.close(fd)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])


def _become_kernel(request: dict, streams: list[int]) -> None:
    """In the forked child: the job's streams, folder and environment, then ipykernel_launcher's own
    steps (ipykernel_launcher.py). Never returns."""
    code = 1
    try:
        _take_over(request, streams)
        # As jupyter_client gives a kernel it starts: the pid of the job, which the kernel outlives
        # by at most a second (_JobWatcher; its parent is this server, not the job).
        job = int(request["job"])
        os.environ["JPY_PARENT_PID"] = str(job)
        sys.argv = [importlib.util.find_spec("ipykernel_launcher").origin, *request["cmd"][3:]]
        # A fresh seed, as a kernel importing numpy itself gets: every fork would otherwise draw the
        # numbers the server's seed gives (Python's `random` reseeds itself at a fork; numpy does not).
        if "numpy.random" in sys.modules:
            sys.modules["numpy.random"].seed()
        from ipykernel import kernelapp

        # ipykernel read JPY_PARENT_PID when the server imported it (a class attribute's default):
        # given no parent, the kernel would print its "Ctrl-C will not work" banner into the job's
        # output and watch nothing. Its own watcher (ParentPollerUnix) watches the parent process,
        # this server: the job is watched instead, and a server that dies leaves running notebooks be.
        kernelapp.IPKernelApp.init_poller = lambda app: setattr(app, "poller", _JobWatcher(job))
        kernelapp.IPKernelApp.launch_instance(parent_handle=job)
        code = 0
    except SystemExit as exit_:
        code = 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        traceback.print_exc()  # into the job's stderr (its log), as a kernel it started would
    finally:
        os._exit(code)


def _become_runner(request: dict, streams: list[int], connection: socket.socket) -> None:
    """In the forked child: the job's papermill run (bilateral.notebooks.execute) with the job's
    streams, folder, environment and log file; then how it went, on `connection`. Never returns.
    The run stops when its job is gone (_JobWatcher), and its kernel, which watches the run, with it."""
    code, outcome = 1, {"ok": False, "error": "the run did not start"}
    try:
        _take_over(request, streams)
        _JobWatcher(int(request["job"])).start()
        connection.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        run = request["run"]
        from .notebooks import execute
        from .step import log_to

        log_to(run["log"])
        execute(run["notebook"], run["output"], run["parameters"], kernel=run["kernel"])
        code, outcome = 0, {"ok": True}
    except BaseException as error:
        traceback.print_exc()  # into the job's stderr, as the job's own run would have printed it
        outcome = {"ok": False, "error": f"{type(error).__name__}: {error}"[:4000]}
    finally:
        with contextlib.suppress(BaseException):
            logging.shutdown()
            connection.sendall(json.dumps(outcome).encode() + b"\n")
        os._exit(code)


# The temporary folders of the run in this process. A run (or kernel) whose job is gone ends at once
# with os._exit, which runs no `finally` and no TemporaryDirectory clean-up: the watcher removes
# them first.
_PRIVATE_FOLDERS: set[str] = set()


@contextlib.contextmanager
def private_folder(prefix: str):
    """A temporary folder, removed when the block ends and also when the job is killed first."""
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        _PRIVATE_FOLDERS.add(folder)
        try:
            yield folder
        finally:
            _PRIVATE_FOLDERS.discard(folder)


def _end_with_the_job() -> None:
    for folder in list(_PRIVATE_FOLDERS):
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(1)


class _JobWatcher(threading.Thread):
    """Stops this kernel once the job it was forked for is gone, as ParentPollerUnix stops a kernel
    whose parent (the job) is gone."""

    def __init__(self, job: int):
        super().__init__(name="bilateral-job-watcher", daemon=True)
        self.job = job

    def run(self) -> None:
        try:
            pidfd = os.pidfd_open(self.job)  # readable once the job has exited (Linux 5.3+)
        except ProcessLookupError:
            _end_with_the_job()
        except (AttributeError, OSError):
            while True:  # no pidfd here: ask once a second, as ParentPollerUnix does
                try:
                    os.kill(self.job, 0)
                except ProcessLookupError:
                    _end_with_the_job()
                except PermissionError:
                    pass
                time.sleep(1.0)
        select.select([pidfd], [], [])
        _end_with_the_job()


def _receive(connection: socket.socket) -> tuple[dict, list[int]]:
    """One request: a JSON line, and the job's stdout and stderr (passed as descriptors)."""
    data, fds = b"", []
    while not data.endswith(b"\n"):
        chunk, ancillary, _, _ = connection.recvmsg(65536, socket.CMSG_SPACE(2 * array.array("i").itemsize))
        if not chunk:
            raise ConnectionError("request cut short")
        data += chunk
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(array.array("i", payload[: len(payload) - len(payload) % 4]))
    return json.loads(data), fds


def serve(listener: socket.socket, owner: int, preload: bool = True) -> None:
    """Answer kernel requests on `listener` until process `owner` is gone; the imports done at once
    with `preload`, else at the first connection."""
    forked: set[int] = set()
    started_with = read_at_start(os.environ)  # before _preload sets MPLBACKEND, as a kernel does later

    def reap(*_):
        for pid in list(forked):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(pid, os.WNOHANG)[0]:
                    forked.discard(pid)

    def stop(*_):
        # No reaping meanwhile: a kernel dying as the next is stopped would change `forked` under this
        # loop (RuntimeError, the rest left running).
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
        for pid in list(forked):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    # With `preload`, at once, while Snakemake builds its plan (on the other core): by the first
    # notebook job the imports are done. Without (the runner expects no job: runner.jobs_expected),
    # not before a job is coming, since a no-op would spend a second of CPU here for nothing: the
    # workflow's onstart hook, which Snakemake runs only when jobs follow, knocks (warm_up), as does
    # any job that asks sooner. A job that asks during the imports waits in the listening queue, as
    # long as its own kernel would spend on them. Runs that cannot start a job here do not start this
    # server at all (runner.local).
    if not preload and not _knocked(listener, owner):
        return
    _preload()
    if threading.active_count() > 1:
        # A fork copies only the calling thread: a lock another thread held would stay locked in
        # every kernel. No import above starts one today; should one, jobs start their own.
        print("bilateral.kernelfork: an import started a thread; not forking kernels", file=sys.stderr)
        return
    signal.signal(signal.SIGCHLD, reap)
    while True:
        if not owner_alive(owner):
            # The run was killed, but its Snakemake and jobs may go on: the kernels are left to their
            # jobs (each stops with its job, _JobWatcher); a job whose kernel were stopped here would
            # fail, or with some clients wait for ever. Later jobs find no server and start their own.
            _remove(listener.getsockname())  # the owner had no chance to remove its folder
            os._exit(0)
        with contextlib.suppress(InterruptedError):
            ready, _, _ = select.select([listener], [], [], 1.0)
        if not ready:
            continue
        connection, _ = listener.accept()
        with connection:
            try:
                request, streams = _receive(connection)
            except (ConnectionError, ValueError, OSError):
                continue
            if request.get("prefix") != os.path.realpath(sys.prefix) or read_at_start(request["env"]) != started_with:
                for fd in streams:
                    os.close(fd)
                with contextlib.suppress(OSError):
                    connection.sendall(b'{"pid": null}\n')  # the job starts its kernel the usual way
                continue
            pid = os.fork()
            if pid == 0:
                listener.close()
                os.setpgid(0, 0)  # its own group: the job stops it with killpg, as it would its own
                if "run" in request:
                    _become_runner(request, streams, connection)  # answers on the connection itself
                connection.close()
                _become_kernel(request, streams)
            with contextlib.suppress(OSError):
                os.setpgid(pid, pid)  # also here, so the group exists before the job learns the pid
            forked.add(pid)
            for fd in streams:
                os.close(fd)
            if "run" in request:
                continue
            try:
                connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")
            except OSError:  # the job gave up waiting and started a kernel of its own
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)


def _knocked(listener: socket.socket, owner: int) -> bool:
    """Wait until a connection is waiting (left in the queue for serve's loop); False if the owner
    is gone first."""
    while owner_alive(owner):
        with contextlib.suppress(InterruptedError):
            if select.select([listener], [], [], 1.0)[0]:
                return True
    _remove(listener.getsockname())
    return False


def _remove(address: str) -> None:
    """The socket and its folder, made by server()."""
    with contextlib.suppress(OSError):
        os.unlink(address)
        os.rmdir(os.path.dirname(address))


def owner_alive(pid: int) -> bool:
    """Is `pid`, this server's parent, still running? (Once it is gone this server has another
    parent, and `pid` may be reused by an unrelated process.)"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return os.getppid() == pid  # the owner is this server's parent; reused pids are not the owner


# --- the job's side ---------------------------------------------------------------------------


def _send(request: dict, env: dict, cwd: str) -> socket.socket | None:
    """A connection to the server carrying `request` (with the job's environment, folder, pid and
    Python environment) and this job's stdout and stderr; None without a server to ask."""
    address = os.environ.get(ADDRESS)
    if not address or "SLURM_JOB_ID" in os.environ:
        return None  # a cluster job: its kernel belongs to the job, on the job's node
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.settimeout(30)
        connection.connect(address)
        # The job's Python environment: one of a conda env (`snakemake --sdm conda`) or a container
        # is not the server's.
        prefix = os.path.realpath(sys.prefix)
        request = request | {"env": env, "cwd": str(cwd), "job": os.getpid(), "prefix": prefix}
        line = json.dumps(request).encode() + b"\n"
        streams = array.array("i", [sys.stdout.fileno(), sys.stderr.fileno()])
        connection.sendmsg([line], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, streams)])
    except (OSError, ValueError):
        connection.close()
        return None
    return connection


def _answer(connection: socket.socket) -> dict | None:
    """The server's (or its child's) next line, or None if the connection ended first."""
    answer = b""
    while not answer.endswith(b"\n"):
        chunk = connection.recv(4096)
        if not chunk:
            return None
        answer += chunk
    return json.loads(answer)


def warm_up() -> None:
    """Have the server of this run, if one runs, do its imports now: jobs follow (the workflow's
    onstart hook)."""
    address = os.environ.get(ADDRESS)
    if not address:
        return
    with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as knock:
        knock.connect(address)  # queued, then read as a request without a line and dropped


def request_kernel(cmd: list[str], env: dict, cwd: str) -> int | None:
    """The pid of a kernel forked for `cmd`, or None where the usual start is needed."""
    if len(cmd) < 3 or cmd[1:3] != LAUNCHER or os.path.abspath(cmd[0]) != sys.executable:
        return None  # another kernel or interpreter than the server's
    connection = _send({"cmd": cmd}, env, cwd)
    if connection is None:
        return None
    try:
        with connection:
            answer = _answer(connection)
    except (OSError, ValueError):
        return None
    return None if answer is None or answer["pid"] is None else int(answer["pid"])


def request_run(run: dict, env: dict, cwd: str) -> dict | None:
    """`run` (bilateral.notebooks.execute's arguments and the job's log file) done by a process forked
    from the server: {"ok": True}, or {"ok": False, "error": ...} (its traceback is in this job's
    stderr); None where this job must run it itself (no server, or not one for this job)."""
    connection = _send({"run": run}, env, cwd)
    if connection is None:
        return None
    with connection:
        try:
            started = _answer(connection)
        except (OSError, ValueError):
            return None
        if started is None or started["pid"] is None:
            return None
        connection.settimeout(None)  # a notebook takes as long as it takes; its process answers
        try:
            outcome = _answer(connection)
        except (OSError, ValueError):
            outcome = None
    if outcome is None:
        ended = f"the process running the notebook (pid {started['pid']}) ended without an answer"
        return {"ok": False, "error": ended}
    return outcome


@contextlib.contextmanager
def server(preload: bool = True):
    """A server for the duration of the `with` block, its address in the environment of the
    processes started inside it (Snakemake, hence its jobs); its imports done at once with
    `preload`, else when the first connection comes (serve)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bilateral-kernels-") as folder:
        address = os.path.join(folder, "socket")
        # Listening from here on, before the server has even started: a job that asks while the
        # server imports waits for it (as long as its own kernel would have spent on the imports)
        # rather than finding no server and starting a kernel of its own.
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            try:
                listener.bind(address)
            except OSError:
                # A socket's path has room for about 100 characters: with a longer temporary folder
                # (TMPDIR) the run goes on without this server, each job starting its own kernel.
                yield None
                return
            listener.listen(64)
            process = subprocess.Popen(
                [sys.executable, "-m", "bilateral.kernelfork", str(listener.fileno()), str(os.getpid())]
                + ([] if preload else LATER),
                stdin=subprocess.DEVNULL,
                env=os.environ | ONE_THREAD,
                pass_fds=(listener.fileno(),),
                start_new_session=True,  # Ctrl-C at the terminal is for Snakemake, which stops its jobs
            )
        previous = os.environ.get(ADDRESS)
        os.environ[ADDRESS] = address
        try:
            yield address
        finally:
            if previous is None:
                os.environ.pop(ADDRESS, None)
            else:
                os.environ[ADDRESS] = previous
            process.terminate()
            process.wait()


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3) or argv[2:] not in ([], LATER):
        print(
            f"usage: python -m bilateral.kernelfork LISTENING_FD OWNER_PID [{LATER[0]}] (started by server())",
            file=sys.stderr,
        )
        return 2
    # `python -m` put this server's folder first in sys.path, as it puts a usual kernel's folder, which
    # ipykernel_launcher then removes: removed here before any fork, whatever folder a job is in.
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    serve(socket.socket(fileno=int(argv[0])), int(argv[1]), preload=argv[2:] != LATER)
    return 0


if __name__ == "__main__":
    # The server runs from the package's module, not from this `__main__` copy of it: the runs it
    # forks import bilateral.kernelfork (through bilateral.notebooks), and its job watcher must see
    # the folders they register there (_PRIVATE_FOLDERS), not an empty set of its own.
    from bilateral.kernelfork import main as package_main

    sys.exit(package_main(sys.argv[1:]))
