"""What the workflow imports as it loads: every snakemake call and every job loads it, and a load
that stops on a wrong setting should cost little. pandas (about 0.2 s) is left to the steps that read
data, and to Snakemake itself, which imports it to compare a rule's params with the last run's."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import ROOT
from project_copy import tracked_copy

HEAVY = ("pandas", "numpy", "matplotlib", "openpyxl", "pyarrow")
# `from bilateral[.x] import a, b as c` (also over several lines in parentheses) and
# `import bilateral.x[ as y][, bilateral.z]`, indented or not.
FROM = re.compile(r"^[ \t]*from (bilateral(?:\.\w+)*) import (\([^)]*\)|[^\n]+)", re.M)
PLAIN = re.compile(r"^[ \t]*import (bilateral[^\n]*)", re.M)


def _names(text: str) -> list[str]:
    text = re.sub(r"#[^\n]*", "", text).strip("()")
    return [part.split(" as ")[0].strip() for part in text.split(",") if part.strip()]


def imported_in(text: str) -> set[str]:
    """Each module `text` imports, and each name imported from a module that could itself be a
    module (`from bilateral.imts import parse`): the import below keeps those that are."""
    found = set()
    for package, names in FROM.findall(text):
        found.add(package)
        found.update(f"{package}.{name}" for name in _names(names))
    for names in PLAIN.findall(text):
        found.update(_names(names))
    return found


def modules_loaded_by_the_workflow() -> list[str]:
    paths = [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]
    return sorted(set().union(*(imported_in(path.read_text()) for path in paths)))


IMPORT_AND_LIST = """
import importlib, importlib.util, sys
for name in sys.argv[1:]:
    try:
        spec = importlib.util.find_spec(name)
    except ModuleNotFoundError:  # a name inside a module, not a module
        spec = None
    if spec is not None:
        importlib.import_module(name)
print(" ".join(sorted(sys.modules)))
"""


def test_the_workflows_modules_import_no_pandas():
    modules = modules_loaded_by_the_workflow()
    # The load's own checks are among them (a pattern that found nothing would let this test pass).
    assert {"bilateral.claims_file", "bilateral.dots_names", "bilateral.inputs", "bilateral.settings"} <= set(modules)
    run = subprocess.run([sys.executable, "-c", IMPORT_AND_LIST, *modules], capture_output=True, text=True, check=True)
    loaded = set(run.stdout.split())
    assert "bilateral.claims_file" in loaded
    assert [name for name in HEAVY if name in loaded] == []


def test_the_pattern_finds_every_form_of_import():
    text = "from bilateral import (\n    a,  # why\n    b as c,\n)\nif x:\n    import bilateral.d as e, bilateral.f\n"
    found = imported_in(text + "from bilateral.g import h\n")
    assert found == {f"bilateral{name}" for name in ("", ".a", ".b", ".d", ".f", ".g", ".g.h")}


# argv: the modules to look for (comma-separated), then Snakemake's arguments.
LOAD = """
import runpy, sys
heavy = sys.argv[1].split(",")
sys.argv = ["snakemake", *sys.argv[2:]]
try:
    runpy.run_module("snakemake", run_name="__main__")
except SystemExit as stop:
    code = stop.code
print("exit", code, "heavy", *[name for name in heavy if name in sys.modules])
"""


@pytest.mark.slow
def test_a_load_stopped_by_a_wrong_setting_imports_no_pandas(tmp_path):
    """The whole load as Snakemake runs it, the functions it calls included, up to the check that
    stops it (the kernel's, among the last of them)."""
    project = tracked_copy(tmp_path / "project")
    heavy = ",".join(name for name in HEAVY if name != "numpy")  # Snakemake's report module imports numpy
    load = [sys.executable, "-c", LOAD, heavy, "--dry-run", "--config", "kernel=no-such-kernel"]
    run = subprocess.run(load, cwd=project, capture_output=True, text=True)
    assert "no Jupyter kernel named 'no-such-kernel'" in run.stdout + run.stderr, run.stderr[-2000:]
    assert run.stdout.splitlines()[-1] == "exit 1 heavy"
