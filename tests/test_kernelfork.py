"""Kernels forked by bilateral.kernelfork: the same notebook bytes as a kernel started the usual way,
the job's folder and environment, a usual start when no server answers, and no kernel outliving the
run that started the server."""

from __future__ import annotations

import difflib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from bilateral import kernelfork

JOB = """
import os, sys
from bilateral.notebooks import execute
execute(sys.argv[1], sys.argv[2], {"factor": 3, "probe_path": sys.argv[3]}, kernel="python3")
print(os.getpid())
"""


def notebook_of(path: Path, *sources: str) -> Path:
    """A notebook at `path`: the parameters cell (factor, probe_path), then a code cell per source."""
    cells = [nbformat.v4.new_code_cell("factor = 1\nprobe_path = None", metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # not random: both runs execute the same bytes
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _notebook(path: Path) -> Path:
    return notebook_of(
        path,
        # What a forked kernel could get wrong: the backend matplotlib settles on, the folder, the
        # job's environment, the parameters.
        "import os\nimport matplotlib\nimport bilateral.figures  # noqa: F401\n"
        "print(matplotlib.get_backend(), os.path.basename(os.getcwd()), os.environ.get('PROBE'))\n"
        "print(factor * 14)",
        # Where imports come from: the job's folder (tests run it elsewhere than the server's), not
        # the folder the server was started in.
        "import sys\nprint(sys.path)",
        # Who started this kernel: kept out of the notebook, in a file the test reads.
        "open(probe_path, 'w').write(str(os.getppid()))",
    )


def _run_job(folder: Path, name: str, env: dict) -> tuple[bytes, int, int, str]:
    """Execute the notebook as a notebook job does (its own process): the executed bytes, the job's
    pid, the kernel's parent's pid and what the job printed besides its pid (the kernel's own output)."""
    source = _notebook(folder / "probe.ipynb")
    out, probe = folder / f"{name}.ipynb", folder / f"{name}.ppid"
    done = subprocess.run(
        [sys.executable, "-c", JOB, str(source), str(out), str(probe)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    *printed, job = done.stdout.splitlines()
    return out.read_bytes(), int(job), int(probe.read_text()), "\n".join(printed)


def _command_line(process: psutil.Process) -> str:
    """A child's command line; '' for one that has exited (a zombie an earlier test left unreaped)."""
    try:
        return " ".join(process.cmdline())
    except psutil.Error:
        return ""


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (kernelfork.ADDRESS, "SLURM_JOB_ID")}
    return env | kernelfork.ONE_THREAD | {"PROBE": "job's own"} | extra


@pytest.mark.slow
def test_a_forked_kernel_gives_the_bytes_of_a_usual_one(tmp_path):
    usual, job, parent, usual_stdout = _run_job(tmp_path, "usual", _env())
    assert parent == job  # started by the job itself
    with kernelfork.server() as address:
        server = [p for p in psutil.Process().children() if kernelfork.__name__ in _command_line(p)]
        # A name as long as "usual": papermill lays out a long parameter line by its length (black).
        forked, job, parent, forked_stdout = _run_job(tmp_path, "forks", _env(**{kernelfork.ADDRESS: address}))
    assert parent != job and parent == server[0].pid  # the server forked it
    text = json.loads(forked)
    (probe,) = [cell for cell in text["cells"] if "print(factor" in "".join(cell["source"])]
    printed = "".join(probe["outputs"][0]["text"])
    assert printed.split()[1:] == [tmp_path.name, "job's", "own", "42"]  # the backend: as `usual` has it
    same_names = forked.replace(b"forks.", b"usual.")  # the file names given as parameters aside
    difference = difflib.unified_diff(usual.decode().splitlines(), same_names.decode().splitlines(), lineterm="")
    assert same_names == usual, "\n".join(difference)
    # Nothing more in the job's output (make's): no "Ctrl-C will not work" banner of a kernel that
    # believes it has no parent to watch.
    assert forked_stdout == usual_stdout


def _has_imported(process: psutil.Process, package: str) -> bool:
    """Has `process` loaded one of `package`'s compiled modules (numpy's: what pandas imports first)?"""
    return any(f"/site-packages/{package}/" in region.path for region in process.memory_maps(grouped=True))


@pytest.mark.slow
def test_a_server_expecting_no_job_imports_only_when_knocked(tmp_path, monkeypatch):
    """The runner expects no job (runner.jobs_expected): the server waits, idle, for the workflow's
    onstart hook (warm_up) or a job, and then serves as one that imported at once."""
    with kernelfork.server(preload=False) as address:
        (server,) = [p for p in psutil.Process().children() if kernelfork.__name__ in _command_line(p)]
        time.sleep(2)  # a server importing at once has numpy loaded by now (about a second of CPU)
        assert not _has_imported(server, "numpy")
        assert server.cpu_times().user < 0.5
        monkeypatch.setenv(kernelfork.ADDRESS, address)
        kernelfork.warm_up()
        deadline = time.monotonic() + 60
        while not _has_imported(server, "numpy") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _has_imported(server, "numpy")
        _, job, parent, _ = _run_job(tmp_path, "forks", _env(**{kernelfork.ADDRESS: address}))
    assert parent != job and parent == server.pid  # the knock, an empty request, did not stop it


@pytest.mark.slow
def test_without_an_answering_server_the_kernel_starts_as_usual(tmp_path):
    nobody = tmp_path / "no-server"
    _, job, parent, _ = _run_job(tmp_path, "fallback", _env(**{kernelfork.ADDRESS: str(nobody)}))
    assert parent == job


@pytest.mark.slow
@pytest.mark.parametrize(
    "setting",
    [
        {"OPENBLAS_NUM_THREADS": "2"},  # a rule of two threads: numpy sized its thread pool at import
        {"PYTHONHASHSEED": "12345"},  # fixed when the interpreter starts
        {"MPLBACKEND": "agg"},  # read when matplotlib is imported
    ],
    ids=lambda setting: next(iter(setting)),
)
def test_a_job_whose_environment_the_server_did_not_start_with_gets_a_usual_kernel(tmp_path, setting):
    # A forked kernel keeps what the server's own start settled; these settings are only honoured by
    # a kernel that starts with them.
    with kernelfork.server() as address:
        _, job, parent, _ = _run_job(tmp_path, "other", _env(**{kernelfork.ADDRESS: address}, **setting))
    assert parent == job


@pytest.mark.slow
def test_a_cluster_job_never_asks_the_server(tmp_path):
    with kernelfork.server() as address:
        env = _env(**{kernelfork.ADDRESS: address, "SLURM_JOB_ID": "7"})
        _, job, parent, _ = _run_job(tmp_path, "cluster", env)
    assert parent == job


OWNER = """
import os, sys, time
from jupyter_client.connect import write_connection_file
from bilateral import kernelfork
with kernelfork.server() as address:
    print(address, flush=True)
    folder = sys.argv[1]
    connection, _ = write_connection_file(os.path.join(folder, "kernel.json"), transport="ipc",
                                          ip=os.path.join(folder, "k"))
    cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", connection]
    print(kernelfork.request_kernel(cmd, dict(os.environ), folder), flush=True)
    sys.stdin.readline()  # until the test says the run is over
"""


def _gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
@pytest.mark.parametrize("end", ["finished", "killed"])
def test_no_kernel_outlives_the_run_that_started_the_server(tmp_path, end):
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    address = owner.stdout.readline().strip()
    kernel = int(owner.stdout.readline())
    (server,) = psutil.Process(owner.pid).children()
    assert psutil.Process(kernel).ppid() == server.pid
    if end == "killed":
        owner.kill()  # no chance to stop the server: it notices that its owner is gone
    else:
        owner.stdin.close()  # the run ends: the owner stops the server
    owner.wait(timeout=30)
    assert _gone(server.pid) and _gone(kernel)
    assert not Path(address).parent.exists()  # nothing left in the temporary folder, killed or not


KERNEL_FOR_A_JOB = """
import os, sys, time
from jupyter_client.connect import write_connection_file
from bilateral import kernelfork
folder = sys.argv[1]
connection, _ = write_connection_file(os.path.join(folder, "kernel.json"), transport="ipc",
                                      ip=os.path.join(folder, "k"))
cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", connection]
print(kernelfork.request_kernel(cmd, dict(os.environ), folder), flush=True)
time.sleep(600)
"""


@pytest.mark.slow
def test_a_kernel_whose_job_is_killed_stops_as_a_usual_one_would(tmp_path):
    # A usual kernel watches its parent, the job, and exits within a second of the job's end; a forked
    # kernel's parent is the server, which lives for the whole run: it must watch the job all the same.
    with kernelfork.server() as address:
        job = subprocess.Popen(
            [sys.executable, "-c", KERNEL_FOR_A_JOB, str(tmp_path)],
            stdout=subprocess.PIPE,
            text=True,
            env=_env(**{kernelfork.ADDRESS: address}),
        )
        kernel = int(job.stdout.readline())
        assert psutil.Process(kernel).ppid() != job.pid  # forked by the server
        job.kill()
        job.wait()
        assert _gone(kernel, timeout=10)


def _waiting_job(folder: Path, address: str | None) -> tuple[subprocess.Popen, Path, Path]:
    """A notebook job whose kernel writes "<its pid> <its parent's pid>" to the probe file, then waits
    for the file `<probe>.go` before its output (42): the job, the probe file, the executed notebook."""
    cells = [
        nbformat.v4.new_code_cell("factor = 1\nprobe_path = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import os, time\nopen(probe_path, 'w').write(f'{os.getpid()} {os.getppid()}')\n"
            "while not os.path.exists(probe_path + '.go'):\n    time.sleep(0.05)\nprint(factor * 14)"
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "wait.ipynb")
    probe, out = folder / "probe", folder / "out.ipynb"
    job = subprocess.Popen(
        [sys.executable, "-c", JOB, str(folder / "wait.ipynb"), str(out), str(probe)],
        cwd=folder,
        env=_env(**{kernelfork.ADDRESS: address}) if address else _env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (probe.exists() and probe.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return job, probe, out


SERVER_ONLY = """
import sys
from bilateral import kernelfork
with kernelfork.server() as address:
    print(address, flush=True)
    sys.stdin.readline()
"""


@pytest.mark.slow
@pytest.mark.parametrize("end", ["server killed", "owner killed"])
def test_jobs_running_when_the_server_dies_still_complete(tmp_path, end):
    # Their notebooks go on in their kernels, and later jobs start kernels of their own: a run whose
    # runner was killed (its Snakemake and jobs go on) or whose server crashed still completes.
    owner = subprocess.Popen(
        [sys.executable, "-c", SERVER_ONLY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    address = owner.stdout.readline().strip()
    (server,) = psutil.Process(owner.pid).children()
    job, probe, out = _waiting_job(tmp_path, address)
    assert int(probe.read_text().split()[1]) == server.pid  # running in a forked kernel
    if end == "server killed":
        server.kill()
    else:
        owner.kill()
        owner.wait()
    assert _gone(server.pid)
    Path(f"{probe}.go").touch()
    try:
        _, stderr = job.communicate(timeout=60)
    finally:  # nothing left running, whatever the outcome
        job.kill()
        if owner.poll() is None:
            owner.communicate(input="\n", timeout=30)  # the owner leaves its server() block
        owner.kill()
        owner.wait()
    assert job.returncode == 0, stderr[-3000:]
    (cell,) = [cell for cell in nbformat.read(out, 4).cells if "factor * 14" in cell.source]
    assert cell.outputs[0]["text"] == "42\n"
    # Whichever outlived the other removed the server's folder: the owner on leaving server(), the
    # server on finding its owner gone.
    assert not Path(address).parent.exists()


@pytest.mark.slow
@pytest.mark.parametrize("kernel", ["usual", "forked"])
def test_a_job_whose_kernel_dies_fails_rather_than_waits_for_ever(tmp_path, kernel):
    # A kernel killed mid-cell (out of memory, a crash, a server stopping it): the job fails, saying so.
    with kernelfork.server() as address:
        job, probe, out = _waiting_job(tmp_path, address if kernel == "forked" else None)
        os.kill(int(probe.read_text().split()[0]), signal.SIGKILL)
        try:
            _, stderr = job.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            job.kill()
            job.communicate()
            pytest.fail("the job still waits for its dead kernel after 30 s")
    assert job.returncode != 0 and "DeadKernelError" in stderr
    assert not out.exists()


FAILING_KERNEL = """
import os, sys, time
import psutil
from bilateral import kernelfork
connection, folder = os.path.join(sys.argv[1], "kernel.json"), os.path.join(sys.argv[1], "removed")
kernel = kernelfork.request_kernel([sys.executable, "-m", "ipykernel_launcher", "-f", connection], dict(os.environ),
                                   folder)
while psutil.pid_exists(kernel) and psutil.Process(kernel).status() != psutil.STATUS_ZOMBIE:
    time.sleep(0.05)
"""


@pytest.mark.slow
def test_a_kernel_that_fails_to_start_says_why_in_the_jobs_log(tmp_path):
    # A kernel started the usual way in a folder that is gone fails with FileNotFoundError naming it,
    # in the job's stderr (its log); a forked one must not die silently.
    with kernelfork.server() as address:
        job = subprocess.run(
            [sys.executable, "-c", FAILING_KERNEL, str(tmp_path)],
            env=_env(**{kernelfork.ADDRESS: address}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert "FileNotFoundError" in job.stderr and str(tmp_path / "removed") in job.stderr


OTHER_PYTHON = """
import os, sys
from bilateral import kernelfork
sys.prefix = sys.argv[2]  # a job of another environment: a conda env (`snakemake --sdm conda`), a container
connection = os.path.join(sys.argv[1], "kernel.json")
print(kernelfork.request_kernel([sys.executable, "-m", "ipykernel_launcher", "-f", connection], dict(os.environ),
                                sys.argv[1]))
"""


@pytest.mark.slow
def test_a_job_of_another_python_environment_gets_a_usual_kernel(tmp_path):
    # Its kernel must import that environment's packages, never the server's.
    with kernelfork.server() as address:
        job = subprocess.run(
            [sys.executable, "-c", OTHER_PYTHON, str(tmp_path), str(tmp_path / "conda-env")],
            env=_env(**{kernelfork.ADDRESS: address}),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert job.stdout.split() == ["None"], job.stderr[-2000:]


MANY_KERNELS = """
import os, sys, time
from jupyter_client.connect import write_connection_file
from bilateral import kernelfork
folder, count = sys.argv[1], int(sys.argv[2])
with kernelfork.server():
    for number in range(count):
        connection, _ = write_connection_file(os.path.join(folder, f"kernel-{number}.json"), transport="ipc",
                                              ip=os.path.join(folder, f"k{number}"))
        cmd = [sys.executable, "-m", "ipykernel_launcher", "-f", connection]
        print(kernelfork.request_kernel(cmd, dict(os.environ), folder), flush=True)
    time.sleep(1)
print("run over", flush=True)
sys.stdin.readline()  # this process, the kernels' job, lives on until the test is done
"""


def _run_with_kernels(folder: Path, count: int) -> tuple[subprocess.Popen, list[int]]:
    """A run (MANY_KERNELS) that has had `count` kernels forked and ended its server; its kernels' pids."""
    owner = subprocess.Popen(
        [sys.executable, "-c", MANY_KERNELS, str(folder), str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    kernels = [int(owner.stdout.readline()) for _ in range(count)]
    assert owner.stdout.readline() == "run over\n"
    return owner, kernels


@pytest.mark.slow
def test_the_end_of_a_run_stops_every_kernel_at_once(tmp_path):
    # Kernels dying while the server stops them (each death a SIGCHLD) must not cut the stopping short.
    owner, kernels = _run_with_kernels(tmp_path, 12)
    left = [kernel for kernel in kernels if not _gone(kernel, timeout=5)]
    _, stderr = owner.communicate("\n", timeout=30)
    assert left == [] and "Traceback" not in stderr, stderr


@pytest.mark.slow
def test_the_server_writes_nothing_into_the_runs_output(tmp_path):
    # Its imports (debugpy's among them) must not print warnings before Snakemake's own lines.
    owner, kernels = _run_with_kernels(tmp_path, 1)  # forked: the server's imports were done
    _, stderr = owner.communicate("\n", timeout=30)
    assert kernels[0] and stderr == ""


@pytest.mark.slow
def test_forked_kernels_do_not_share_numpys_random_state(tmp_path):
    # Kernels started the usual way each seed numpy's global generator afresh; forks of one server
    # would all draw the same numbers (Python's own `random` reseeds itself at a fork, numpy does not).
    cells = [
        nbformat.v4.new_code_cell("factor = 1\nprobe_path = None", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import numpy\nopen(probe_path, 'w').write(repr(numpy.random.random()))"),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, tmp_path / "draw.ipynb")
    draws = []
    with kernelfork.server() as address:
        for name in ("one", "two"):
            probe = tmp_path / f"{name}.draw"
            subprocess.run(
                [sys.executable, "-c", JOB, str(tmp_path / "draw.ipynb"), str(tmp_path / f"{name}.ipynb"), str(probe)],
                cwd=tmp_path,
                env=_env(**{kernelfork.ADDRESS: address}),
                check=True,
                capture_output=True,
                timeout=120,
            )
            draws.append(probe.read_text())
    assert draws[0] != draws[1]


def test_without_room_for_the_socket_the_run_goes_on_without_a_server(tmp_path, monkeypatch):
    # A Unix socket's path holds about 100 bytes: a longer temporary folder leaves no server, no error.
    deep = tmp_path / ("t" * 120)
    deep.mkdir()
    monkeypatch.setenv("TMPDIR", str(deep))
    monkeypatch.setattr("tempfile.tempdir", None)  # read TMPDIR again
    monkeypatch.delenv(kernelfork.ADDRESS, raising=False)
    with kernelfork.server() as address:
        assert address is None and kernelfork.ADDRESS not in os.environ
