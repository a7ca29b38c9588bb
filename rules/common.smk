# Shared settings: config validation and where the chosen source's data live.
import json
import os
import shlex
import sys
import glob
from pathlib import Path

import yaml
from snakemake.utils import validate

from bilateral.imts.request import request_fields
from bilateral.pair import Pair
from bilateral.products import (
    check_regimes_country,
    claims_apply,
    dataset,
    figure_titles,
    outputs,
    raw_files,
    title_warnings,
)
from bilateral.provenance import fingerprinted_files


validate(config, "../config/schema.yaml", set_default=True)


envvars:
    "PATH",


# Rules call `python`: make it the interpreter running Snakemake (the pinned environment),
# whatever else is on PATH.
SEARCH_PATH = os.environ["PATH"]
os.environ["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), SEARCH_PATH])

# The pair must be consistent (distinct codes; the predecessor is the partner's), and the
# governments in the regimes file must be the home country's: both stop the run before any work.
Pair.from_config(config["pair"])
check_regimes_country(config)
# Titles may use {home}, {partner}, {start}, {end} (src/bilateral/products.py fills them in).
FIGURE_TITLES = figure_titles(config)
for _warning in title_warnings(config):
    print(f"warning: {_warning}", file=sys.stderr)
if not claims_apply(config) and glob.glob("tables/claims.*"):
    print(
        "warning: tables/claims.* are left from a run of the paper's pair and are not outputs of this one"
        " (the paper's claims are about Bangladesh-Russia); `make clean-outputs` removes them",
        file=sys.stderr,
    )

ENVIRONMENT = "../environment.yml"  # for `snakemake --use-conda`; same pins as requirements.lock
SOURCE = config["source"]
if SOURCE == "imf-imts" and not config["vintage"]:
    raise ValueError("config: source 'imf-imts' needs a vintage (the access date, YYYY-MM-DD)")
# A dataset is one vintage of raw data: 'dots-2022' or 'imts-<access date>'.
DATASET = dataset(config)
# Every file the workflow delivers (src/bilateral/products.py lists them with their programs).
PRODUCT_OUTPUTS = outputs(config) + ["report/provenance.json"]
# The package code is an input wherever it runs, so editing it reruns what depends on it.
PACKAGE = sorted(glob.glob("src/bilateral/**/*.py", recursive=True))
# Everything the code-and-data fingerprint in the provenance record covers.
FINGERPRINTED = [str(path) for path in fingerprinted_files(Path("."))] + raw_files(config)
REVISION_BASE = config["revisions"]["base"]
TABLES = ["regimes_by_government", "regimes_by_camp", "year_assignment"]
TABLE_FORMATS = ["csv", "md", "tex", "html"]


def provenance(dataset):
    """The provenance record of a dataset: written by the importer or by the fetch."""
    name = "provenance.json" if dataset == "dots-2022" else "metadata.json"
    return f"data/raw/{dataset}/{name}"


def raw_tidy(wildcards):
    """The tidy CSV a dataset is cleaned from: committed for DOTS, parsed for IMTS."""
    if wildcards.dataset == "dots-2022":
        return "data/raw/dots-2022/dots.csv"
    return f"data/processed/{wildcards.dataset}/tidy.csv"


def panel(dataset):
    return f"data/processed/{dataset}/panel.csv"


def imts_request():
    """The IMTS request fields as JSON for the command line (`--request`); the codes come from the pair."""
    return shlex.quote(json.dumps(request_fields(config), sort_keys=True))


# Every notebook rule: run the notebook with papermill (parameters as YAML, kernel named), then
# strip run times from the executed copy so that rebuilds are byte-identical.
PAPERMILL = (
    "python -m papermill {input.notebook} {output.notebook} -k {params.kernel}"
    " -y {params.values} --no-progress-bar --log-output > {log} 2>&1"
    " && python -m bilateral normalise-notebook {output.notebook}"
)


def papermill_params(values):
    """Parameters as one YAML string, so titles with quotes or dashes survive the shell."""
    return shlex.quote(yaml.safe_dump(values, allow_unicode=True, sort_keys=True))


wildcard_constraints:
    figure="|".join(config["figures"]) or "none",
    dataset=r"dots-2022|imts-\d{4}-\d{2}-\d{2}",
    vintage=r"\d{4}-\d{2}-\d{2}",
