"""config/schema.yaml: every key documented and defaulted; the committed config is valid."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

SCHEMA = ROOT / "config" / "schema.yaml"


def _properties(schema: dict, path: str = ""):
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}{name}", sub
        yield from _properties(sub, f"{path}{name}.")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _properties(extra, f"{path}<name>.")


def test_every_key_has_a_description_and_a_default():
    undocumented = [
        path
        for path, sub in _properties(yaml.safe_load(SCHEMA.read_text()))
        if "description" not in sub or "default" not in sub
    ]
    assert undocumented == []


def test_committed_config_is_valid():
    validate(yaml.safe_load((ROOT / "config/config.yaml").read_text()), str(SCHEMA))


@pytest.mark.parametrize(
    "change",
    [
        {"panel": {"successor_rule": "guess"}},
        {"regimes": {"year_rule": "mid_year"}},
        {"colour": "red"},
        {"vintage": "28/11/2026"},
    ],
)
def test_wrong_values_are_refused(change):
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for key, value in change.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) and key in config else value
    with pytest.raises(WorkflowError):
        validate(config, str(SCHEMA))
