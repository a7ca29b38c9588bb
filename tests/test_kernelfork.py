"""Kernels forked by bilateral.kernelfork: the same notebook bytes as a kernel started the usual way,
the job's folder and environment, a usual start when no server answers, and no kernel outliving the
run that started the server."""

from __future__ import annotations

import difflib
import json
import os
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


def _notebook(path: Path) -> Path:
    cells = [
        nbformat.v4.new_code_cell("factor = 1\nprobe_path = None", metadata={"tags": ["parameters"]}),
        # What a forked kernel could get wrong: the backend matplotlib settles on, the folder, the
        # job's environment, the parameters.
        nbformat.v4.new_code_cell(
            "import os\nimport matplotlib\nimport bilateral.figures  # noqa: F401\n"
            "print(matplotlib.get_backend(), os.path.basename(os.getcwd()), os.environ.get('PROBE'))\n"
            "print(factor * 14)"
        ),
        # Who started this kernel: kept out of the notebook, in a file the test reads.
        nbformat.v4.new_code_cell("open(probe_path, 'w').write(str(os.getppid()))"),
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"cell-{number}"  # not random: both runs execute the same bytes
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, path)
    return path


def _run_job(folder: Path, name: str, env: dict) -> tuple[bytes, int, int]:
    """Execute the notebook as a notebook job does (its own process): the executed bytes, the job's
    pid and the kernel's parent's pid."""
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
    return out.read_bytes(), int(done.stdout.split()[-1]), int(probe.read_text())


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in (kernelfork.ADDRESS, "SLURM_JOB_ID")}
    return env | {"PROBE": "job's own"} | extra


def test_a_forked_kernel_gives_the_bytes_of_a_usual_one(tmp_path):
    usual, job, parent = _run_job(tmp_path, "usual", _env())
    assert parent == job  # started by the job itself
    with kernelfork.server() as address:
        server = [p for p in psutil.Process().children() if kernelfork.__name__ in " ".join(p.cmdline())]
        # A name as long as "usual": papermill lays out a long parameter line by its length (black).
        forked, job, parent = _run_job(tmp_path, "forks", _env(**{kernelfork.ADDRESS: address}))
    assert parent != job and parent == server[0].pid  # the server forked it
    text = json.loads(forked)
    (probe,) = [cell for cell in text["cells"] if "print(factor" in "".join(cell["source"])]
    printed = "".join(probe["outputs"][0]["text"])
    assert printed.split()[1:] == [tmp_path.name, "job's", "own", "42"]  # the backend: as `usual` has it
    same_names = forked.replace(b"forks.", b"usual.")  # the file names given as parameters aside
    difference = difflib.unified_diff(usual.decode().splitlines(), same_names.decode().splitlines(), lineterm="")
    assert same_names == usual, "\n".join(difference)


def test_without_an_answering_server_the_kernel_starts_as_usual(tmp_path):
    nobody = tmp_path / "no-server"
    _, job, parent = _run_job(tmp_path, "fallback", _env(**{kernelfork.ADDRESS: str(nobody)}))
    assert parent == job


def test_a_cluster_job_never_asks_the_server(tmp_path):
    with kernelfork.server() as address:
        env = _env(**{kernelfork.ADDRESS: address, "SLURM_JOB_ID": "7"})
        _, job, parent = _run_job(tmp_path, "cluster", env)
    assert parent == job


OWNER = """
import os, sys, time
from jupyter_client.connect import write_connection_file
from bilateral import kernelfork
with kernelfork.server():
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


@pytest.mark.parametrize("end", ["finished", "killed"])
def test_no_kernel_outlives_the_run_that_started_the_server(tmp_path, end):
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    kernel = int(owner.stdout.readline())
    (server,) = psutil.Process(owner.pid).children()
    assert psutil.Process(kernel).ppid() == server.pid
    if end == "killed":
        owner.kill()  # no chance to stop the server: it notices that its owner is gone
    else:
        owner.stdin.close()  # the run ends: the owner stops the server
    owner.wait(timeout=30)
    assert _gone(server.pid) and _gone(kernel)
