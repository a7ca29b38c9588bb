# Shared settings: config validation and the raw data of the chosen source.
# Rules call `python`: `make` puts the pinned environment (.venv/bin) first on PATH.
import shlex

import yaml
from snakemake.utils import validate


validate(config, "../config/schema.yaml", set_default=True)

ENVIRONMENT = "../environment.yml"  # for `snakemake --use-conda`; same pins as requirements.lock
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
