"""What the workflow imports as it loads: every snakemake call and every job loads it, and a load
that stops on a wrong setting should cost little. pandas (about 0.2 s) is left to the steps that read
data, and to Snakemake itself, which imports it to compare a rule's params with the last run's."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT

# `from bilateral import a, b` / `from bilateral.x import y` / `import bilateral.x` at a line's start.
IMPORT = re.compile(r"^(?:from (bilateral(?:\.\w+)*) import ([\w, ]+)|import (bilateral(?:\.\w+)*))", re.M)


def modules_loaded_by_the_workflow() -> list[str]:
    found = []
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        for package, names, plain in IMPORT.findall(path.read_text()):
            if plain:
                found.append(plain)
            elif package == "bilateral":
                found += [f"bilateral.{name.split(' as ')[0].strip()}" for name in names.split(",")]
            else:
                found.append(package)
    return sorted(set(found))


def test_the_workflows_modules_import_no_pandas():
    modules = modules_loaded_by_the_workflow()
    # The load's own checks are among them (a regex that found nothing would make this test pass).
    assert {"bilateral.claims_file", "bilateral.dots_names", "bilateral.inputs", "bilateral.settings"} <= set(modules)
    code = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\nprint(sorted(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    heavy = [name for name in ("pandas", "numpy", "matplotlib", "openpyxl", "pyarrow") if f"'{name}'" in loaded]
    assert heavy == []
