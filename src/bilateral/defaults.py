"""The workflow's defaults, read from config/schema.yaml: the one place they are written.

The package's own defaults (a Pair() with no arguments, PanelSettings(), an ImtsRequest()) come from
here, so running a step by hand gives what the workflow gives with an empty config.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

CONFIG_SCHEMA = Path(__file__).resolve().parents[2] / "config" / "schema.yaml"


@cache
def _completed() -> dict:
    # Snakemake's validator fills in every default of the schema, nested ones included.
    from snakemake.utils import validate

    config: dict = {}
    validate(config, str(CONFIG_SCHEMA), set_default=True)
    return config


def defaults(*keys: str):
    """The default config, or the part under `keys` (a fresh copy each time)."""
    part = _completed()
    for key in keys:
        part = part[key]
    return copy.deepcopy(part)
