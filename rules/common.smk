# Shared settings: config validation, the interpreter, the raw data of the chosen source.
import shlex
import sys

import yaml
from snakemake.utils import validate


validate(config, "../config/schema.yaml", set_default=True)

# Run tools with the interpreter that runs Snakemake, so the pinned environment is used
# even when its bin/ folder is not on PATH.
PYTHON = shlex.quote(sys.executable)
SOURCE = config["source"]
RAW_DIR = f"data/raw/{SOURCE}"
PROCESSED_DIR = f"data/processed/{SOURCE}"
TABLES = ["regimes_by_government", "regimes_by_camp", "year_assignment"]
TABLE_FORMATS = ["csv", "md", "tex", "html"]


def raw_tidy(wildcards):
    """The tidy raw CSV of the configured source."""
    return f"{RAW_DIR}/dots.csv"


def papermill_params(values):
    """Parameters as one YAML string, so titles with quotes or dashes survive the shell."""
    return shlex.quote(yaml.safe_dump(values, allow_unicode=True, sort_keys=True))


wildcard_constraints:
    figure="|".join(config["figures"]) or "none",
