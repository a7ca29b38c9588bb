"""End to end: the whole workflow in a temporary copy of the project."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT
from project_copy import built_copy, digests, git_init, run, tracked_copy

from bilateral.programs import with_programs_table
from bilateral.verify import MANIFEST, read_manifest

FIGURES = ["figure1", "figure2", "figure3"]
TABLES = ["regimes_by_government", "regimes_by_camp", "year_assignment"]


@pytest.fixture(scope="module")
def built(shared_build, tmp_path_factory):
    """The session's clean build, copied: tests here run Snakemake and nbval in it."""
    return built_copy(shared_build, tmp_path_factory.mktemp("project"))


# The snapshot's cell behind the paper's 1986 claim (Bangladesh's imports from the USSR) and an edit of it.
CELL_1986 = ",USSR,country,TMG_CIF_USD,1986,86.33000000000003,"
EDITED_1986 = ",USSR,country,TMG_CIF_USD,1986,96.33,"
# The zero line of every trade figure (bilateral.figures) and an edit of its width.
LINE_WIDTH = 'ax.axhline(0, color="0.2", linewidth=0.6)'
EDITED_LINE_WIDTH = 'ax.axhline(0, color="0.2", linewidth=2.6)'


@pytest.fixture(scope="module")
def verified(tmp_path_factory):
    """`bilateral verify --keep` in a git copy of the project whose raw data were edited but not
    committed. Its one rebuild (of the commit) is what three tests check: verify passes, it says
    that the uncommitted edit is not verified, and a second clean build gives the same bytes."""
    project = tracked_copy(tmp_path_factory.mktemp("verify"))
    git_init(project)
    snapshot = project / "data/raw/dots-2022/dots.csv"
    text = snapshot.read_text()
    assert CELL_1986 in text
    snapshot.write_text(text.replace(CELL_1986, EDITED_1986))
    # And the package's code, as a developer's work tree would be: every figure's zero line thicker.
    # The copy's own package is the one imported (as a fresh clone's editable install would be).
    figures = project / "src/bilateral/figures.py"
    assert LINE_WIDTH in figures.read_text()
    figures.write_text(figures.read_text().replace(LINE_WIDTH, EDITED_LINE_WIDTH))
    own = {"PYTHONPATH": str(project / "src")}
    result = run([sys.executable, "-m", "bilateral", "verify", "--cores", "2", "--keep"], project, check=False, env=own)
    kept = re.search(r"^verify: rebuilt project kept in (.+)$", result.stdout, flags=re.MULTILINE)
    yield project, result, Path(kept[1]) if kept else None
    if kept:
        shutil.rmtree(kept[1], ignore_errors=True)


def test_every_declared_output_exists_and_is_well_formed(built):
    for name in FIGURES:
        png = (built / f"figures/{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        svg = (built / f"figures/{name}.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "</svg>" in svg
        notebook = json.loads((built / f"figures/{name}.ipynb").read_text())
        tags = [c.get("metadata", {}).get("tags", []) for c in notebook["cells"]]
        assert ["injected-parameters"] in tags
        rows = pd.read_csv(built / f"figures/{name}.csv")
        # Each row names who reported it: the mirror rows the USSR or Russia, about Bangladesh.
        assert (rows.reported_by == rows.reporter).all()
        mirror = rows[rows.report == "mirror"]
        assert set(mirror.partner) == {"Bangladesh"} and set(mirror.reporter) <= {"USSR", "Russian Federation"}
        own = rows[rows.report == "own"]
        assert set(own.reporter) == {"Bangladesh"} and set(own.partner) <= {"USSR", "Russian Federation"}
    for table in TABLES:
        for ext in ("csv", "md", "tex", "html"):
            assert (built / f"tables/{table}.{ext}").stat().st_size > 0
        assert "\\begin{longtable}" in (built / f"tables/{table}.tex").read_text()
        assert "<table" in (built / f"tables/{table}.html").read_text()


def test_figure_windows_follow_the_config(built):
    windows = {"figure1": (1981, 1991), "figure2": (1992, 2011), "figure3": (2012, 2019)}
    for name, (start, end) in windows.items():
        rows = pd.read_csv(built / f"figures/{name}.csv")
        assert sorted(rows.year.unique()) == list(range(start, end + 1))
    # Figure 1's partner side is the USSR, all IMF estimates; its CSV keeps the flags.
    fig1 = pd.read_csv(built / "figures/figure1.csv")
    assert fig1[fig1.reported_by == "USSR"].imports_estimate.all()
    # The 1986 rise of Soviet exports to Bangladesh (the paper's Figure 1 text):
    # Bangladesh's imports from the USSR, DOTS_16.xlsx: 38.88 (1985) -> 86.33 (1986).
    own = fig1[fig1.reported_by == "Bangladesh"].set_index("year")
    assert own.loc[1986, "imports_musd"] == pytest.approx(86.33)
    assert own.loc[1985, "imports_musd"] == pytest.approx(38.88)


@pytest.mark.slow
def test_second_run_does_nothing(built):
    result = run(["snakemake", "--cores", "2", "--dry-run"], built)
    assert "Nothing to be done" in result.stdout + result.stderr


@pytest.mark.slow
def test_notebooks_reproduce_their_key_numbers(built):
    """nbval re-executes the executed notebooks and compares the cells that print key numbers."""
    notebooks = [f"figures/{n}.ipynb" for n in FIGURES] + ["tables/regime_tables.ipynb", "tables/claims.ipynb"]
    before = digests(built)
    result = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-current-env",
            *notebooks,
        ],
        built,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout
    # Re-running the notebooks rewrote the figures and tables: they must come out the same.
    assert digests(built) == before


@pytest.mark.slow
@pytest.mark.xdist_group("verify")
def test_clean_rebuild_is_byte_identical(shared_build, verified):
    """Two clean builds in two folders: the session's and verify's rebuild."""
    _, result, again = verified
    assert again is not None and again != shared_build, result.stdout[-3000:] + result.stderr[-3000:]
    assert len(digests(again)) > 40
    assert digests(again) == digests(shared_build)


def test_committed_checksums_match_a_fresh_build(built):
    """CHECKSUMS.sha256 is current: what `make verify` compares with is what the code makes."""
    from bilateral.checksums import sha256_file

    expected = read_manifest(ROOT / MANIFEST)
    built_now = digests(built)
    for name in expected:
        if name.startswith("data/raw/"):
            built_now[name] = sha256_file(built / name)
    stale = {name for name, digest in expected.items() if built_now.get(name) != digest}
    assert not stale, f"{MANIFEST} is stale for {sorted(stale)}: run `make checksums` and commit"
    outputs = {name for name in built_now if not name.startswith("data/processed/") and not name.endswith("README.md")}
    assert outputs <= set(expected), sorted(outputs - set(expected))


def test_readme_list_of_programs_is_current(built):
    records = json.loads((built / "report/provenance.json").read_text())["products"]
    readme = (ROOT / "README.md").read_text()
    assert readme == with_programs_table(readme, records), "README's list of programs is stale: run `make readme`"


def test_provenance_records_every_output(built):
    record = json.loads((built / "report/provenance.json").read_text())
    recorded = {path for item in record["products"] for path in item["outputs"]}
    for name in ("figures/figure1.png", "tables/claims.csv", "tables/regimes_by_camp.tex"):
        assert name in recorded
    figure1 = next(item for item in record["products"] if "figures/figure1.png" in item["outputs"])
    assert figure1["program"] == "notebooks/trade_figure.ipynb"
    assert figure1["parameters"]["start"] == 1981
    assert "data/processed/dots-2022/panel.csv" in figure1["inputs"]
    assert record["data_provenance"]["dataset"] == "dots-2022"
    assert record["packages"]["pandas"] and "fingerprint" in record["code"]
    # The parameters are the ones the executed notebook received, not the config file's.
    injected = json.loads((built / "figures/figure1.ipynb").read_text())["metadata"]["papermill"]["parameters"]
    assert figure1["parameters"] == injected and injected["end"] == 1991
    assert record["panel"]["settings"]["panel"]["successor_rule"] == "fill_gaps"


WIDTHS = (1280, 390)  # a laptop and a phone (CSS pixels)


@pytest.mark.slow
def test_html_report_renders_in_a_real_browser(chromium, built):
    """At both widths the page never scrolls sideways (a wide table scrolls in its own box), every
    image loads, every table has a caption; screenshots of both are kept in the test's folder."""
    from playwright.sync_api import sync_playwright

    page_path = built / "report/index.html"
    shots = built / "report/screenshots"  # outside git: a copy of the project in pytest's tmp dir
    shots.mkdir(parents=True, exist_ok=True)
    errors, requests, seen = [], [], {}
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(chromium),
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_path.as_uri(), wait_until="load")
            seen[width] = {
                "widths": page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]"),
                "images": page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])"),
                "captions": page.eval_on_selector_all(
                    "table", "els => els.map(t => (t.querySelector(':scope > caption') || {}).textContent || '')"
                ),
                "claims_rows": page.eval_on_selector_all("#claims ~ div table tbody tr", "els => els.length"),
                "regime_rows": page.eval_on_selector_all("#regimes_by_government table tbody tr", "els => els.length"),
                "text": page.inner_text("body"),
            }
            page.screenshot(path=str(shots / f"report-{width}px.png"), full_page=True)
            page.close()
        browser.close()
    print(f"screenshots of the report: {shots}")
    assert errors == []
    governments = pd.read_csv(built / "tables/regimes_by_government.csv").government_id.nunique()
    for width, found in seen.items():
        scroll_width, client_width = found["widths"]
        assert scroll_width <= client_width, f"{width} px: the page scrolls sideways ({scroll_width} > {client_width})"
        # Figures 1-3 and the whole history, each loaded.
        assert len(found["images"]) == 4 and all(done and natural > 1000 for done, natural in found["images"])
        assert len(found["captions"]) >= 5 and all(c.strip() for c in found["captions"]), found["captions"]
        assert found["claims_rows"] >= 22
        # One row per government, both reporting sides in it.
        assert found["regime_rows"] == governments
        text = found["text"]
        assert "International Monetary Fund" in text and "✗ does not hold" in text and "✓ holds" in text
        # A range does not break: no-break spaces around the arrow (the 1986 rise, DOTS_16.xlsx).
        assert "38.88\u00a0→\u00a086.33" in text
        # The year -> government list is on the page.
        assert any(c.startswith("Which government each calendar year is assigned to") for c in found["captions"])
    # Self-contained: the only thing loaded is the page itself (images are data: URIs).
    assert {u for u in requests if not u.startswith("data:")} == {page_path.as_uri()}
    assert all((shots / f"report-{width}px.png").stat().st_size > 10_000 for width in WIDTHS)


@pytest.mark.slow
@pytest.mark.xdist_group("verify")
def test_verify_passes_and_names_a_changed_raw_file(verified):
    project, ok, _ = verified
    snapshot = project / "data/raw/dots-2022/dots.csv"
    # verify rebuilds what is committed: an uncommitted edit of the raw data (Bangladesh's 1986 imports
    # from the USSR, the number behind the paper's 1986 claim) is not what it checks, and it says so.
    assert EDITED_1986 in snapshot.read_text()
    assert ok.returncode == 0, ok.stdout[-3000:] + ok.stderr[-3000:]
    assert "verify: OK" in ok.stdout and "identical  figures/figure1.png" in ok.stdout
    assert "uncommitted changes in the work tree are not verified" in ok.stdout
    # Nor is the uncommitted edit of the package: the rebuild ran the commit's code, so every figure
    # is the committed one (with the work tree's code, all of them would differ).
    assert not re.search(r"^ +different ", ok.stdout, flags=re.MULTILINE), ok.stdout
    run(["git", "checkout", "--", "src/bilateral/figures.py"], project)
    commit = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam"]
    run([*commit, "edit the raw data"], project)
    # Committed but not its record: the rebuild stops before any work, naming the file and the record.
    refused = run([sys.executable, "-m", "bilateral", "verify", "--cores", "2"], project, check=False)
    assert refused.returncode == 1 and "raw different  data/raw/dots-2022/dots.csv" in refused.stdout
    assert "not the extract recorded in data/raw/dots-2022/provenance.json" in refused.stderr
    assert "verify: FAILED" in refused.stdout and "identical  figures" not in refused.stdout
    # With its record updated too (as `make snapshot` would), it rebuilds and names what changed.
    record_path = project / "data/raw/dots-2022/provenance.json"
    record = json.loads(record_path.read_text())
    record["extract"]["sha256"] = hashlib.sha256(snapshot.read_bytes()).hexdigest()
    record_path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    run([*commit, "record the edited raw data"], project)
    bad = run([sys.executable, "-m", "bilateral", "verify", "--cores", "2"], project, check=False)
    assert bad.returncode == 1
    assert "raw different  data/raw/dots-2022/dots.csv" in bad.stdout
    assert "different  figures/figure1.png" in bad.stdout and "different  figures/figure1.csv" in bad.stdout
    assert "identical  figures/figure3.png" in bad.stdout  # 2012-2019 does not use 1986
    assert "verify: FAILED" in bad.stdout


@pytest.mark.slow
def test_snakemake_report_has_figure_captions(built):
    run(["snakemake", "--report", "report/snakemake.html"], built)
    page = (built / "report/snakemake.html").read_text()
    assert "Hollow markers are" in page and "Figure 2: Bangladesh" in page


def test_outputs_are_readable_by_others(built):
    assert (built / "figures/figure1.png").stat().st_mode & 0o044 == 0o044


@pytest.mark.slow
def test_wrong_config_stops_before_any_work(built):
    result = run(["snakemake", "--cores", "1", "--dry-run", "--config", "figure_dpi=10"], built, check=False)
    assert result.returncode != 0
    assert "figure_dpi" in result.stderr + result.stdout
