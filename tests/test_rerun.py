"""A change of any config value, notebook or package code re-runs exactly the jobs it affects.

Each case edits one thing in a built copy of the project and reads, from a dry run, which jobs
Snakemake would run; the expected sets follow from what each job reads (the rules' inputs and
params), written out by hand below.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from project_copy import BIN, built_copy, digests, run

from bilateral import made, runner

# Whatever re-runs, the provenance record, the page and the final target follow.
REPORTING = {"provenance": 1, "html_report": 1, "all": 1}
EVERY_NOTEBOOK = {"figure": 3, "regime_tables": 1, "history": 1, "thesis": 1, "claims": 1}
# What assigns years to governments: the regime tables, the whole history, the thesis test and the
# claims about governments.
ASSIGNS_YEARS = {"regime_tables": 1, "history": 1, "thesis": 1, "claims": 1}


@pytest.fixture(scope="module")
def built(shared_build, tmp_path_factory):
    return built_copy(shared_build, tmp_path_factory.mktemp("rerun"))


def planned_jobs(project, overlay: dict | None = None) -> dict[str, int]:
    """The dry run's job counts per rule, with `overlay` merged over config/config.yaml."""
    args = ["snakemake", "--cores", "1", "--dry-run", "--quiet", "rules"]
    if overlay is not None:
        (project / "overlay.yaml").write_text(yaml.safe_dump(overlay))
        args += ["--configfile", "config/config.yaml", "overlay.yaml"]
    return counts_of(run(args, project).stdout)


def counts_of(plan: str) -> dict[str, int]:
    """Rule -> jobs from the job-stats table of a dry run's output (`--quiet rules`), total left out."""
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", plan, flags=re.MULTILINE))
    counts.pop("total", None)
    return {rule: int(count) for rule, count in counts.items()}


@pytest.mark.slow
def test_an_unchanged_project_has_nothing_to_do(built):
    assert planned_jobs(built) == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("overlay", "expected"),
    [
        # A figure's window, side, title: that figure only.
        ({"figures": {"figure3": {"end": 2020}}}, {"figure": 1}),
        ({"figures": {"figure1": {"start": 1982}}}, {"figure": 1}),
        ({"figures": {"figure2": {"main_side": "partner"}}}, {"figure": 1}),
        ({"figures": {"figure2": {"title": "Another title"}}}, {"figure": 1}),
        # The resolution of every figure (Figures 1-3 and the whole history).
        ({"figure_dpi": 150}, {"figure": 3, "history": 1}),
        # The year rule: what assigns years (Figures 1-3 and the panel claims do not).
        ({"regimes": {"year_rule": "january_1"}}, ASSIGNS_YEARS),
        ({"regimes": {"year_rule": "december_31"}}, ASSIGNS_YEARS),
        # An alternative camp coding: what reads the governments' camps.
        ({"regimes": {"camp_of": {"zia": "BNP"}}}, ASSIGNS_YEARS),
        # The thesis test's settings: the test and the claims that read its table.
        ({"thesis": {"seed": 1}}, {"thesis": 1, "claims": 1}),
        ({"thesis": {"time_control": "log_world"}}, {"thesis": 1, "claims": 1}),
        ({"history": {"title": "Another title, {start}-{end}"}}, {"history": 1}),
        # Cleaning settings change the panel, which every notebook reads.
        ({"panel": {"successor_rule": "add"}}, {"clean": 1, **EVERY_NOTEBOOK}),
        ({"panel": {"first_year": 1975}}, {"clean": 1, **EVERY_NOTEBOOK}),
        ({"panel": {"last_year": 2019}}, {"clean": 1, **EVERY_NOTEBOOK}),
        # The same values as config.yaml: no output changes; the record notes the overlay file it read.
        ({"figure_dpi": 300, "regimes": {"year_rule": "plurality"}}, {"provenance": 1, "html_report": 1}),
        # A whole number with a decimal point is the same setting.
        ({"figure_dpi": 300.0, "thesis": {"permutations": 9999.0}}, {"provenance": 1, "html_report": 1}),
    ],
)
def test_a_config_value_reruns_what_reads_it(built, overlay, expected):
    want = {**expected, **REPORTING} if expected else {}
    assert planned_jobs(built, overlay) == want


@pytest.mark.slow
def test_notebook_and_package_edits_rerun_what_runs_them(shared_build, tmp_path):
    project = built_copy(shared_build, tmp_path)
    notebook = project / "notebooks/regime_tables.ipynb"
    text = notebook.read_text()
    notebook.write_text(text)  # newer, same bytes: Snakemake also compares the recorded checksum
    assert planned_jobs(project) == {}
    notebook.write_text(text.replace("# The relationship under each", "# The relationship, under each", 1))
    assert planned_jobs(project) == {"regime_tables": 1, **REPORTING}
    run(["snakemake", "--cores", "2"], project)
    with open(project / "src/bilateral/figures.py", "a") as handle:
        handle.write("\n# an edit\n")
    assert planned_jobs(project) == {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "name", "expected"),
    [
        # Every step that runs Python may now write other bytes (here the HTML tables), and the
        # provenance record would name the new version beside outputs of the old one.
        ("great_tables", "great-tables", {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}),
        # pandas' own requirement, two steps away from pyproject.toml.
        ("tzdata", "tzdata", {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}),
        # A test tool writes no output: its update re-runs nothing (a day of 215 pairs for a linter).
        ("ruff", "ruff", {}),
    ],
)
def test_another_version_of_an_installed_package_reruns_what_it_runs(built, tmp_path, folder, name, expected):
    """A package at another version (the lock edited and .venv made again, or a package changed by
    hand). A distribution's metadata earlier on sys.path is what Python (and the digest) takes as
    installed."""
    pinned = dict(re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", (built / "requirements.lock").read_text(), re.M))
    assert pinned[name] != "0.0.1"
    (tmp_path / f"{folder}-0.0.1.dist-info").mkdir()
    (tmp_path / f"{folder}-0.0.1.dist-info" / "METADATA").write_text(f"Name: {name}\nVersion: 0.0.1\n")
    args = ["snakemake", "--cores", "1", "--dry-run", "--quiet", "rules"]
    planned = run(args, built, env={"PYTHONPATH": str(tmp_path)})
    assert counts_of(planned.stdout) == expected
    assert planned_jobs(built) == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        # The caretakers' government hands over a year earlier: what assigns years to governments.
        ("config/regimes.yaml", ": 2009-01-06\n", ": 2008-01-06\n", ASSIGNS_YEARS),
        ("config/claims.yaml", "tolerance_pct: 5", "tolerance_pct: 6", {"claims": 1}),
        ("notebooks/trade_figure.ipynb", "# The pair's trade: ", "# The pair's trade, ", {"figure": 3}),
        # A rule's script is code, as the package is: every step.
        ("scripts/run_notebook.py", "import sys\n", "import sys  # an edit\n", {"clean": 1, **EVERY_NOTEBOOK}),
    ],
)
def test_an_edit_with_an_earlier_modification_time_still_reruns(built, name, old, new, expected):
    """An edited file put back with an earlier time than the outputs (a backup restored with cp -p,
    mv, rsync -a or tar): Snakemake alone compares times and would keep the outputs of the other
    content. The content decides."""
    path = built / name
    text, times = path.read_text(), path.stat()
    assert old in text
    try:
        path.write_text(text.replace(old, new))
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns - 3600 * 10**9))
        assert planned_jobs(built) == {**expected, **REPORTING}
    finally:
        path.write_text(text)
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert planned_jobs(built) == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        # The committed raw snapshot is above Snakemake's default checksum limit (1 MB):
        # profiles/default raises it, else a `touch` or `git checkout` of it re-ran every job.
        "data/raw/dots-2022/dots.csv",
        "config/regimes.yaml",
        "notebooks/trade_figure.ipynb",
    ],
)
def test_a_file_made_newer_with_the_same_bytes_reruns_nothing(built, name):
    path = built / name
    assert path.stat().st_size > 1_000_000 or name != "data/raw/dots-2022/dots.csv"
    times = path.stat()
    newest_output = max(p.stat().st_mtime_ns for p in (built / "figures").iterdir())
    try:
        os.utime(path, ns=(times.st_atime_ns, newest_output + 3600 * 10**9))  # as `touch` an hour later
        assert planned_jobs(built) == {}
    finally:
        os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["panel.csv", "home_world.csv", "clean.json"])
def test_a_deleted_panel_is_made_again(built, tmp_path, name):
    """The panel is read by every notebook but is a final target too: deleted, it is made again (and
    what reads it), rather than staying missing beside notebooks that pass for current."""
    path = built / "data/processed/dots-2022" / name
    kept = shutil.copy2(path, tmp_path / name)
    try:
        path.unlink()
        assert planned_jobs(built) == {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}
    finally:
        shutil.copy2(kept, path)
    assert planned_jobs(built) == {}


@pytest.mark.slow
def test_outputs_edited_by_hand_are_made_again_and_never_recorded(shared_build, tmp_path):
    """Snakemake compares times, not content: a table or a panel edited after its job passes for
    current, and the provenance record, hashing outputs when it is written, would vouch for it."""
    project = built_copy(shared_build, tmp_path / "project")
    claims_html, panel = project / "tables/claims.html", project / "data/processed/dots-2022/panel.csv"
    assert "✗ does not hold" in claims_html.read_text()
    claims_html.write_text(claims_html.read_text().replace("✗ does not hold", "✓ holds", 1))
    # Snakemake itself, without make: the provenance step refuses to record the edited table.
    again = ["--cores", "2", "--forcerun", "provenance"]
    plain = subprocess.run([str(BIN / "snakemake"), *again], cwd=project, capture_output=True, text=True)
    assert plain.returncode != 0
    assert "tables/claims.html: changed after the job that made it" in plain.stdout + plain.stderr
    # And the panel every notebook reads: Bangladesh's 1986 exports to the USSR made infinite.
    rows = panel.read_text().splitlines()
    row = next(i for i, line in enumerate(rows) if line.startswith("1986,Bangladesh,"))
    cells = rows[row].split(",")
    cells[rows[0].split(",").index("exports_musd")] = "inf"
    rows[row] = ",".join(cells)
    panel.write_text("\n".join(rows) + "\n")
    # make moves both aside and makes them again: the bytes of the clean build, recorded as such.
    result = run(["snakemake", "--cores", "2"], project)
    assert "make: 2 output(s) changed after the job that made them: moved to .snakemake/bilateral/edited/" in (
        result.stdout
    )
    assert digests(project) == digests(shared_build)
    (kept,) = (project / ".snakemake/bilateral/edited").iterdir()
    assert (
        "✓ holds" in (kept / "tables/claims.html").read_text()
        and ",inf," in (kept / panel.relative_to(project)).read_text()
    )
    record = json.loads((project / "report/provenance.json").read_text())
    claims = next(item for item in record["products"] if "tables/claims.html" in item["outputs"])
    assert claims["outputs"]["tables/claims.html"] == hashlib.sha256(claims_html.read_bytes()).hexdigest()


@pytest.mark.slow
def test_a_dry_run_plans_what_make_makes_again(built, tmp_path):
    """An edited output is named, and the plan shows its job (and what reads it), as make will run."""
    path = built / "tables/thesis.md"
    kept = shutil.copy2(path, tmp_path / "thesis.md")
    try:
        path.write_text(path.read_text() + "an edit\n")
        args = ["snakemake", "--cores", "1", "--dry-run", "--quiet", "rules"]
        planned = run(args, built)
        assert "make: 1 output(s) changed after the job that made them; `make` makes them again:" in planned.stdout
        assert counts_of(planned.stdout) == {"thesis": 1, "claims": 1, **REPORTING}
        assert path.read_text().endswith("an edit\n")  # a dry run moves nothing
    finally:
        shutil.copy2(kept, path)
    assert planned_jobs(built) == {}


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["removed", "garbled"])
def test_outputs_whose_byte_records_are_gone_are_all_rebuilt(shared_build, tmp_path, damage):
    """Without the steps' records of what they wrote (bilateral.made), an edited output would pass
    for current again: make rebuilds them all, as when Snakemake's own records are gone."""
    project = built_copy(shared_build, tmp_path)
    records = project / ".snakemake/bilateral/made"
    if damage == "removed":
        shutil.rmtree(records)
        why = ".snakemake/bilateral/made, each step's record of the bytes it wrote, is missing while outputs are there"
    else:
        next(records.glob("*.json")).write_text("{")
        why = "not a record of an output"
    planned = run(["snakemake", "--cores", "1", "--dry-run", "--quiet", "rules"], project)
    assert why in planned.stdout and "rebuilding them all (--forceall)" in planned.stdout
    assert counts_of(planned.stdout) == {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}


@pytest.mark.slow
def test_outputs_whose_records_are_gone_are_all_rebuilt(shared_build, tmp_path):
    """`rm -rf .snakemake` takes Snakemake's record of what made each output (settings, files):
    it would then take any output as current, even one made from an edit since undone. make
    rebuilds them all and says why; a fresh clone (no outputs) is not concerned."""
    project = built_copy(shared_build, tmp_path)
    shutil.rmtree(project / ".snakemake")
    args = ["snakemake", "--cores", "1", "--dry-run", "--quiet", "rules"]
    planned = run(args, project)
    assert "Snakemake's record of the settings and files each output was made from, is missing" in planned.stdout
    assert counts_of(planned.stdout) == {"clean": 1, **EVERY_NOTEBOOK, **REPORTING}
    for folder in ("data/processed", "figures", "tables", "report"):
        shutil.rmtree(project / folder)
    (project / "figures").mkdir()
    (project / "figures/README.md").write_text("kept\n")
    assert "is missing" not in run(args, project).stdout


@pytest.mark.slow
def test_a_changed_window_is_built_and_recorded_as_built(shared_build, tmp_path):
    """The bug this guards against: the record stated the new window beside the old figure."""
    project = built_copy(shared_build, tmp_path)
    (project / "overlay.yaml").write_text(yaml.safe_dump({"figures": {"figure3": {"end": 2020}}}))
    run(["snakemake", "--cores", "2", "--configfile", "config/config.yaml", "overlay.yaml"], project)
    assert pd.read_csv(project / "figures/figure3.csv").year.max() == 2020
    record = json.loads((project / "report/provenance.json").read_text())
    figure3 = next(item for item in record["products"] if "figures/figure3.png" in item["outputs"])
    assert figure3["parameters"]["end"] == 2020
    # Back to the committed config, building figure 3 alone: it is rebuilt to 2019, and the record
    # and the page, which describe the 2020 figure, go (they would pass for current).
    partial = run(["snakemake", "--cores", "2", "figures/figure3.png"], project)
    assert pd.read_csv(project / "figures/figure3.csv").year.max() == 2019
    for name in ("report/provenance.json", "report/index.html"):
        assert not (project / name).exists(), name
        assert f"note: removed {name}: this run changes what it describes" in partial.stderr
    # The next full run writes them anew, from the 2019 figure.
    run(["snakemake", "--cores", "2"], project)
    record = json.loads((project / "report/provenance.json").read_text())
    figure3 = next(item for item in record["products"] if "figures/figure3.png" in item["outputs"])
    assert figure3["parameters"]["end"] == 2019
    assert (
        figure3["outputs"]["figures/figure3.png"]
        == hashlib.sha256((project / "figures/figure3.png").read_bytes()).hexdigest()
    )


@pytest.mark.slow
@pytest.mark.parametrize("key", ["x;touch PWNED;#", "two words", "../escape"])
def test_hostile_figure_keys_are_refused_before_any_work(built, key):
    overlay = {"figures": {key: {"start": 1990, "end": 1995, "title": "t"}}}
    (built / "overlay.yaml").write_text(yaml.safe_dump(overlay))
    result = run(
        ["snakemake", "--cores", "1", "--configfile", "config/config.yaml", "overlay.yaml"], built, check=False
    )
    assert result.returncode != 0
    assert "figures" in result.stderr and "does not match" in result.stderr
    assert not (built / "PWNED").exists() and not list(built.glob("figures/*two*"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("figure", "message"),
    [
        ({"start": 1991, "end": 1981}, "config figures.figure1: start 1991 is after end 1981; swap them"),
        ({"start": 1960, "end": 1970}, "config figures.figure1: the window starts in 1960, before panel.first_year"),
    ],
)
def test_a_bad_window_stops_before_any_work(built, figure, message):
    (built / "overlay.yaml").write_text(yaml.safe_dump({"figures": {"figure1": figure}}))
    result = run(
        ["snakemake", "--cores", "1", "--configfile", "config/config.yaml", "overlay.yaml"], built, check=False
    )
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.slow
def test_outputs_no_longer_declared_are_removed_and_named(shared_build, tmp_path):
    project = built_copy(shared_build, tmp_path)
    config = yaml.safe_load((project / "config/config.yaml").read_text())
    del config["figures"]["figure3"]
    (project / "config/config.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
    result = run(["snakemake", "--cores", "2"], project)
    assert not list(project.glob("figures/figure3.*"))
    assert "removed figures/figure3.png: no longer an output of this configuration" in result.stderr
    # The folders hold exactly what the record lists.
    record = json.loads((project / "report/provenance.json").read_text())
    listed = {path for item in record["products"] for path in item["outputs"]}
    on_disk = {p.relative_to(project).as_posix() for d in ("figures", "tables") for p in (project / d).iterdir()}
    assert on_disk - {"figures/README.md", "tables/README.md"} == listed
    # Their records went with them: the next plain `make` expects no job and has none.
    assert made.missing(project) == []
    assert runner.jobs_expected(["--cores", "2"], project) is False
    assert planned_jobs(project) == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"kernel": "python3x"}, "config kernel: no Jupyter kernel named 'python3x'"),
        ({"figures": {"history": {"start": 1990, "end": 2000, "title": "t"}}}, "'history' should not be valid"),
        ({"figure_dpi": 20000}, "20000 is greater than the maximum of 1200"),
        # A typo'd year: a figure of a hundred thousand empty years would run for minutes.
        ({"figures": {"figure1": {"end": 100000}}}, "100000 is greater than the maximum of 2100"),
        ({"thesis": {"camp": "BNP"}}, "config thesis.camp 'BNP': the claim 's5-thesis-awami-league'"),
        # The schema's bounds (0 < alpha < 1) let NaN through; the overlay is refused where it says it.
        ({"thesis": {"alpha": float("nan")}}, "overlay.yaml, line 2, column 10: '.nan' is not a finite number"),
        # As a user types it: YAML reads 1e3 as text, and the message says so rather than "not an integer".
        ("figure_dpi: 1e3\n", "config figure_dpi: '1e3' is read as text, not a number"),
    ],
)
def test_settings_that_would_fail_late_stop_before_any_work(built, overlay, message):
    (built / "overlay.yaml").write_text(overlay if isinstance(overlay, str) else yaml.safe_dump(overlay))
    args = ["snakemake", "--cores", "1", "--configfile", "config/config.yaml", "overlay.yaml"]
    result = run(args, built, check=False)
    assert result.returncode != 0 and message in result.stderr


@pytest.mark.slow
def test_a_failed_run_leaves_no_record_or_page_of_an_earlier_build(shared_build, tmp_path):
    project = built_copy(shared_build, tmp_path)
    assert (project / "report/provenance.json").exists() and (project / "report/index.html").exists()
    notebook = project / "notebooks/trade_figure.ipynb"
    document = json.loads(notebook.read_text())
    code = next(cell for cell in document["cells"] if cell.get("id") == "plot")
    code["source"] = ["raise RuntimeError('a job that fails')\n"]
    notebook.write_text(json.dumps(document))
    failed = run(["snakemake", "--cores", "2"], project, check=False)
    assert failed.returncode != 0
    # They described the earlier build; they would pass for this one's.
    assert not (project / "report/provenance.json").exists() and not (project / "report/index.html").exists()
    # And a failed notebook leaves no half-run copy behind: what is left is the earlier build's, whole
    # (a job not started when the first one failed keeps its outputs).
    for executed in project.glob("figures/figure*.ipynb"):
        assert "a job that fails" not in executed.read_text()
        assert executed.with_suffix(".png").exists()


@pytest.mark.slow
def test_a_page_only_rebuild_keeps_the_current_record(shared_build, tmp_path):
    """A run that re-makes the page alone (here: the page deleted) must not remove the record the
    page is made from: it is still current, and the page's job would fail on its absence."""
    project = built_copy(shared_build, tmp_path)
    record = (project / "report/provenance.json").read_bytes()
    (project / "report/index.html").unlink()
    assert planned_jobs(project) == {"html_report": 1, "all": 1}
    run(["snakemake", "--cores", "2"], project)
    assert (project / "report/provenance.json").read_bytes() == record
    assert (project / "report/index.html").exists()
