"""Make executed notebooks byte-identical across runs.

papermill records wall-clock times per cell and per notebook and gives the injected
parameters cell a random id, and the kernel records the Python patch version; none of it is
needed to read or re-run the notebook, and each would make two builds differ.
"""

from __future__ import annotations

import json
from pathlib import Path

from .atomic import write_text

VOLATILE = ("start_time", "end_time", "duration")


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


def normalise_file(path: str | Path) -> None:
    path = Path(path)
    notebook = json.loads(path.read_text(encoding="utf-8"))
    write_text(path, json.dumps(normalise(notebook), indent=1, ensure_ascii=False, sort_keys=True) + "\n")
