"""The floor of a cold run: the same figures and tables from ONE Python process, no Snakemake, no
kernels. It cleans the raw data with the package, then runs each notebook's code cells in-process
with the parameters a workflow build recorded (report/provenance.json), so every cost it leaves out
(process and kernel start-up, orchestration) is what the workflow adds over the work itself.

    python bench/floor.py PROJECT_DIR   # a copy of the project with report/provenance.json in it
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def clean(project: Path, record: dict) -> None:
    from bilateral import panel
    from bilateral.atomic import write_text
    from bilateral.pair import Pair
    from bilateral.schemas import read_raw

    settings = record["panel"]["settings"]
    dataset = record["dataset"]
    raw = read_raw(project / "data/raw/dots-2022/dots.csv")
    options = panel.PanelSettings(pair=Pair.from_config(settings["pair"]), **settings["panel"])
    built = panel.build_panel(raw, options)
    write_text(project / f"data/processed/{dataset}/panel.csv", panel.to_csv(built))
    write_text(project / f"data/processed/{dataset}/home_world.csv", panel.to_csv(panel.build_world(raw, options)))


def run_cells(notebook: Path, parameters: dict) -> None:
    """The notebook's code cells, its parameters cell replaced by the recorded values."""
    document = json.loads(notebook.read_text(encoding="utf-8"))
    namespace: dict = {"__name__": "__floor__"}
    for cell in document["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source = "\n".join(f"{name} = {value!r}" for name, value in parameters.items())
        exec(compile(source, f"{notebook}:{cell.get('id')}", "exec"), namespace)


def main(project: Path) -> None:
    os.chdir(project)
    record = json.loads(Path("report/provenance.json").read_text(encoding="utf-8"))
    clean(project, record)
    for product in record["products"]:
        run_cells(project / product["program"], product["parameters"])


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve())
