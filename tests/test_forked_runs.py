"""A notebook job's papermill run done by a process forked from the kernel server
(bilateral.notebooks.execute_job, bilateral.kernelfork.request_run): the bytes and the log of the
job's own run; a failing notebook fails its job, saying why; a killed job leaves neither its run nor
its kernel running; without a server the job runs papermill itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from test_kernelfork import _env, _gone, notebook_of

from bilateral import kernelfork

JOB = """
import os, sys
from types import SimpleNamespace
from bilateral.notebooks import execute_job
from bilateral.step import begin
begin(SimpleNamespace(log=[sys.argv[3]], output=[sys.argv[2]]))  # as scripts/run_notebook.py begins
execute_job(sys.argv[1], sys.argv[2], {"probe_path": sys.argv[4], "factor": 3}, kernel="python3", log=sys.argv[3])
print(os.getpid())
"""


# Who ran papermill: a kernel's JPY_PARENT_PID is the process that asked for it (jupyter_client).
PROBE = "import os\nopen(probe_path, 'w').write(os.environ['JPY_PARENT_PID'])\nprint(factor * 14)"


def _job(folder: Path, name: str, notebook: Path, address: str | None, **popen) -> subprocess.Popen:
    env = _env(**{kernelfork.ADDRESS: address}) if address else _env()
    out, log, probe = (folder / f"{name}{suffix}" for suffix in (".ipynb", ".log", ".probe"))
    command = [sys.executable, "-c", JOB, str(notebook), str(out), str(log), str(probe)]
    return subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen)


def _finished(job: subprocess.Popen) -> tuple[int, str]:
    stdout, stderr = job.communicate(timeout=120)
    return job.returncode, stdout.decode() + stderr.decode()


@pytest.mark.slow
def test_the_servers_run_gives_the_bytes_and_log_of_the_jobs_own(tmp_path):
    notebook = notebook_of(tmp_path / "probe-source.ipynb", PROBE)
    own = _job(tmp_path, "own", notebook, None)
    code, output = _finished(own)
    assert code == 0, output
    with kernelfork.server() as address:
        served = _job(tmp_path, "srv", notebook, address)  # a name as long as "own": same layout
        code, output = _finished(served)
    assert code == 0, output
    # The job ran papermill itself in one case, a process forked from the server in the other.
    assert int((tmp_path / "own.probe").read_text()) == own.pid
    assert int((tmp_path / "srv.probe").read_text()) not in (served.pid, os.getpid())
    executed = (tmp_path / "srv.ipynb").read_bytes().replace(b"srv.", b"own.")
    assert executed == (tmp_path / "own.ipynb").read_bytes()
    (cell,) = [cell for cell in nbformat.read(tmp_path / "srv.ipynb", 4).cells if "factor * 14" in cell.source]
    assert cell.outputs[0]["text"] == "42\n"

    def log(name: str) -> list[str]:  # papermill's lines; its private folder's name aside
        return [line for line in (tmp_path / f"{name}.log").read_text().splitlines() if "bilateral-kernel-" not in line]

    assert log("srv") == [line.replace("own.", "srv.") for line in log("own")]
    assert "Executing Cell 2" in "\n".join(log("srv"))


@pytest.mark.slow
def test_a_failing_notebook_fails_its_job_saying_why(tmp_path):
    notebook = notebook_of(tmp_path / "fails-source.ipynb", "1 / 0")
    with kernelfork.server() as address:
        code, output = _finished(_job(tmp_path, "fails", notebook, address))
    assert code != 0
    assert "ZeroDivisionError" in output and "NotebookRunError" in output
    assert not (tmp_path / "fails.ipynb").exists()  # no half-run copy


@pytest.mark.slow
def test_a_killed_job_leaves_neither_its_run_nor_its_kernel(tmp_path):
    # The kernel tells its PID, its run's (the process that started it) and its sockets' folder: the
    # run's private folder (notebooks.execute), which the killed run must not leave behind.
    waits = "import os, time\nfrom ipykernel.kernelapp import IPKernelApp\n"
    waits += "sockets = os.path.dirname(IPKernelApp.instance().ip)\n"
    waits += "open(probe_path, 'w').write(f\"{os.getpid()} {os.environ['JPY_PARENT_PID']} {sockets}\")\n"
    waits += "time.sleep(600)"
    notebook = notebook_of(tmp_path / "waits-source.ipynb", waits)
    with kernelfork.server() as address:
        job = _job(tmp_path, "waits", notebook, address)
        probe = tmp_path / "waits.probe"
        deadline = time.monotonic() + 60
        while not (probe.exists() and probe.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
        kernel, run, sockets = probe.read_text().split()
        assert int(run) != job.pid  # the server's process runs papermill
        assert Path(sockets).name.startswith("bilateral-kernel-") and Path(sockets).is_dir()
        job.kill()
        job.communicate()
        assert _gone(int(run), timeout=10) and _gone(int(kernel), timeout=10)
    assert not (tmp_path / "waits.ipynb").exists()
    assert not Path(sockets).exists()
