# Load time: validate every file the user edits, stop on anything inconsistent before any work,
# and derive the few values the rules share. Nothing here reads the output folders.
import sys
from pathlib import Path

from snakemake.utils import validate

from bilateral import claims, inputs, regimes, settings
from bilateral.imts.request import request_fields
from bilateral.pair import Pair
from bilateral.provenance import code_fingerprint

validate(config, "../config/schema.yaml", set_default=True)
# The raw snapshot against its record, the governments and the paper's claims against their
# schemas: a mistake stops the run naming the file and line, before any notebook starts.
inputs.check_before_work(config)
# The pair must be consistent (distinct codes; the predecessor is the partner's), the regimes file
# must list the home country's governments, and each figure's window must fit the panel.
Pair.from_config(config["pair"])
settings.check_regimes_country(config)
settings.check_windows(config)
# The thesis camp and the governments the claims name must be the regimes file's.
GOVERNMENTS = regimes.load(config["regimes"]["file"], config["regimes"]["camp_of"])
settings.check_thesis_camp(config, regimes.load_camps(config["regimes"]["file"]))
claims.check_governments(claims.load(settings.CLAIMS_FILE), GOVERNMENTS, settings.CLAIMS_FILE)
settings.check_thesis_claim(config, claims.load(settings.CLAIMS_FILE))
settings.check_kernel(config["kernel"])
for _warning in settings.title_warnings(config):
    print(f"warning: {_warning}", file=sys.stderr)

if config["source"] == "imf-imts" and not config["vintage"]:
    raise ValueError("config: source 'imf-imts' needs a vintage (the access date, YYYY-MM-DD)")
# A dataset is one vintage of raw data: 'dots-2022' or 'imts-<access date>'.
DATASET = settings.dataset(config)
REVISION_BASE = config["revisions"]["base"]
# Titles may use {home}, {partner}, {start}, {end}: a wrong placeholder stops the run now.
settings.figure_titles(config)
HISTORY_TITLE = settings.history_title(config)
KERNEL = config["kernel"]
# The package is one value compared between runs, not 30 inputs: editing its code re-runs every
# step that runs it, and a build prints each job's data inputs only.
PACKAGE = settings.digest(settings.package_files())
ENVIRONMENT = "../environment.yml"  # for `snakemake --use-conda`; same pins as requirements.lock


def raw_record(dataset):
    """The provenance record of a dataset: written by the importer or by the fetch."""
    name = "provenance.json" if dataset == "dots-2022" else "metadata.json"
    return f"data/raw/{dataset}/{name}"


def raw_tidy_path(dataset):
    """The tidy CSV a dataset is cleaned from: committed for DOTS, parsed for IMTS."""
    if dataset == "dots-2022":
        return "data/raw/dots-2022/dots.csv"
    return f"data/processed/{dataset}/tidy.csv"


def raw_tidy(wildcards):
    return raw_tidy_path(wildcards.dataset)


# The years the raw data in use have for the pair, read now so that a figure's window is checked
# (and `earliest`/`latest` resolved) before any notebook runs; None for an IMTS vintage not pulled yet.
# Kept in .snakemake/ under the raw file's sha256 and the settings: a no-op need not re-read it.
COVERAGE = settings.data_coverage(config, raw_tidy_path(DATASET), cache=".snakemake/bilateral/coverage.json")


def figure_parameters(wildcards):
    """A figure's notebook parameters: its window with `earliest`/`latest` resolved from the data."""
    start, end, _ = settings.resolve_window(config, wildcards.figure, COVERAGE, DATASET)
    return config["figures"][wildcards.figure] | {
        "start": start,
        "end": end,
        "title": figure_title(wildcards.figure, start, end),
        "dpi": config["figure_dpi"],
    }


def figure_title(name, start, end):
    """The title for the resolved years (the nominal ones while the data are not there yet)."""
    nominal = settings.nominal_window(config, name)
    years = [year if isinstance(year, int) else default for year, default in zip((start, end), nominal)]
    return settings.figure_title(config, name, *years)


for _name in config["figures"]:
    _start, _end, _warning = settings.resolve_window(config, _name, COVERAGE, DATASET)
    for _text in (_warning, settings.title_years_warning(_name, figure_title(_name, _start, _end), _start, _end)):
        if _text:
            print(f"warning: {_text}", file=sys.stderr)


def imts_request():
    """The IMTS request fields of the config (the codes come from the pair)."""
    return request_fields(config)


def notebook_jobs():
    """Every notebook run the config asks for, from the rules' own declarations; the switches:
    the paper's claims only for its pair, the revision report only when two vintages differ."""
    jobs = [job(rules.figure, figure=name) for name in config["figures"]]
    jobs.append(job(rules.regime_tables))
    jobs.append(job(rules.history))
    jobs.append(job(rules.thesis))
    if settings.claims_apply(config):
        jobs.append(job(rules.claims))
    if REVISION_BASE != DATASET:
        jobs.append(job(rules.revision_report))
    return jobs


def job(rule, **wildcards):
    """One rule's files with its wildcards filled in, named as the rule names them."""

    def fill(files):
        named = {}
        for name, value in files.items():
            paths = [value] if isinstance(value, str) else list(value)
            filled = [str(path).format(**wildcards) for path in paths]
            named[name] = filled[0] if isinstance(value, str) else filled
        return named

    return {
        "rule": rule.rule.name,
        "description": (rule.rule.docstring or "").strip(),
        "inputs": fill(rule.input),
        "outputs": fill(rule.output),
    }


def files_of(jobs, side="outputs"):
    """All paths of the jobs' named files, in order."""
    paths = []
    for entry in jobs:
        for value in entry[side].values():
            paths += [value] if isinstance(value, str) else value
    return paths


wildcard_constraints:
    figure="|".join(config["figures"]) or "none",
    dataset=r"dots-2022|imts-\d{4}-\d{2}-\d{2}",
    vintage=r"\d{4}-\d{2}-\d{2}",
