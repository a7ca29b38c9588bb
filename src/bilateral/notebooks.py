"""Make executed notebooks byte-identical across runs.

papermill records wall-clock times per cell and per notebook and gives the injected
parameters cell a random id, and the kernel records the Python patch version; none of it is
needed to read or re-run the notebook, and each would make two builds differ.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .atomic import write_text
from .kernelfork import ADDRESS, private_folder, request_run

VOLATILE = ("start_time", "end_time", "duration")
# Inputs a job may lack (a pair whose home country has no regimes file): the notebook gets None.
OPTIONAL = ("regimes",)


def normalise(notebook: dict) -> dict:
    notebook.get("metadata", {}).get("language_info", {}).pop("version", None)
    papermill = notebook.get("metadata", {}).get("papermill", {})
    for key in VOLATILE:
        papermill.pop(key, None)
    for cell in notebook.get("cells", []):
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        for key in VOLATILE:
            meta.get("papermill", {}).pop(key, None)
        if "injected-parameters" in meta.get("tags", []):
            cell["id"] = "injected-parameters"
    return notebook


def normalise_file(path: str | Path, out: str | Path | None = None) -> None:
    """Normalise the executed notebook at `path` into `out` (default: in place), atomically."""
    path = Path(path)
    notebook = normalise(json.loads(path.read_text(encoding="utf-8")))
    if out is not None:
        # papermill recorded where it wrote (a private folder): record where the copy is kept instead.
        notebook.get("metadata", {}).get("papermill", {})["output_path"] = str(out)
    write_text(out or path, json.dumps(notebook, indent=1, ensure_ascii=False, sort_keys=True) + "\n")


def parameters_for(values: dict, inputs, outputs) -> dict:
    """A notebook's parameters: the rule's values, then each named input and output file
    (`panel` -> `panel_path`; a list of files, e.g. one table in four formats, -> `<name>_paths`).
    The executed copy itself (`notebook`) is not a parameter."""
    parameters = dict(values)
    for files in (inputs, outputs):
        for name, value in files.items():
            if name == "notebook":
                continue
            if isinstance(value, str):
                parameters[f"{name}_path"] = str(value)
            elif not len(value) and name in OPTIONAL:
                parameters[f"{name}_path"] = None  # an optional file the job has none of
            else:
                parameters[f"{name}_paths"] = [str(path) for path in value]
    return dict(sorted(parameters.items()))


class NotebookRunError(RuntimeError):
    """A notebook run by a process forked from the kernel server failed (its traceback is above)."""


def execute_job(notebook: str | Path, output: str | Path, parameters: dict, kernel: str, log: str) -> None:
    """`execute`, for a notebook job whose messages go to `log`: by a process forked from the kernel
    server when one runs for this job (bilateral.kernelfork), which has papermill and Jupyter's client
    imported already (about 0.2 s of every notebook job); by this process otherwise."""
    run = {"notebook": str(notebook), "output": str(output), "parameters": parameters, "kernel": kernel, "log": log}
    outcome = request_run(run, dict(os.environ), os.getcwd())
    if outcome is None:
        execute(notebook, output, parameters, kernel)
    elif not outcome["ok"]:
        raise NotebookRunError(f"{notebook} -> {output}: {outcome['error']}")


def execute(notebook: str | Path, output: str | Path, parameters: dict, kernel: str) -> None:
    """Run `notebook` with papermill into `output`, byte-identical across runs (run times stripped)."""
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    # The kernel talks over Unix sockets in a folder of its own: TCP ports picked at random can
    # collide when notebooks start at once ("Address already in use"), sockets in a private folder
    # cannot, and nothing listens on the network.
    with private_folder("bilateral-kernel-") as folder:
        executed = Path(folder) / "executed.ipynb"
        # Asynchronous, as nbclient's own default: with a blocking client nbclient waits for a cell's
        # output with no timeout and never notices that the kernel died (killed, out of memory).
        manager = AsyncKernelManager(
            kernel_name=kernel,
            transport="ipc",
            ip=os.path.join(folder, "kernel"),
            client_class="bilateral.ready_client.ReadyClient",  # no 0.2 s wait for silence at the start
        )
        if os.environ.get(ADDRESS):
            from .forked_kernel import use_forked_kernels

            use_forked_kernels(manager)  # a kernel with the notebooks' imports done (bilateral.kernelfork)
        try:
            # Executed in the private folder and moved into place only when complete: papermill
            # writes its output as it goes, which an interrupted run would leave half-run.
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=parameters,
                kernel_name=kernel,
                progress_bar=False,
                log_output=True,
                km=manager,
                # Every output has arrived when the last cell has run: stop the kernel at once rather
                # than ask it to shut down and wait for it (about 0.1 s a notebook).
                shutdown_kernel="immediate",
            )
        finally:
            if manager.has_kernel:
                run_sync(manager.shutdown_kernel)(now=True)
        normalise_file(executed, output)
