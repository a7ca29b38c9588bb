"""config/schema.yaml: every key documented and defaulted; the committed config is valid."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from snakemake.exceptions import WorkflowError
from snakemake.utils import update_config, validate

SCHEMA = ROOT / "config" / "schema.yaml"


def _resolve(schema: dict, root: dict) -> dict:
    """A sub-schema with its `$ref` (into #/$defs) merged in; the sub-schema's own keys win."""
    ref = schema.get("$ref")
    if not ref:
        return schema
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolve(target, root), **schema}


def _properties(schema: dict, root: dict, path: str = ""):
    """(path, sub-schema, required?) of every key, through $ref, oneOf/anyOf and additionalProperties."""
    schema = _resolve(schema, root)
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}{name}", sub, name in required
        yield from _properties(sub, root, f"{path}{name}.")
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        yield from _properties(option, root, path)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        yield from _properties(extra, root, f"{path}<name>.")


def test_every_key_has_a_description_and_a_default():
    schema = yaml.safe_load(SCHEMA.read_text())
    keys = list(_properties(schema, schema))
    assert {"pair.home.code", "pair.predecessor.successor", "figures.<name>.main_side"} <= {p for p, _, _ in keys}
    undocumented = [path for path, sub, _ in keys if "description" not in sub]
    # A key the user must give (required) has no default; every other key has one.
    undefaulted = [path for path, sub, required in keys if not required and "default" not in sub]
    assert undocumented == [] and undefaulted == []


def test_committed_config_is_valid():
    validate(yaml.safe_load((ROOT / "config/config.yaml").read_text()), str(SCHEMA))


# Each refusal names the config key (jsonschema's "instance[...]" path) and the wrong value.
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"panel": {"successor_rule": "guess"}}, r"'guess' is not one of .*instance\['panel'\]\['successor_rule'\]"),
        ({"regimes": {"year_rule": "mid_year"}}, r"'mid_year' is not one of .*instance\['regimes'\]\['year_rule'\]"),
        ({"colour": "red"}, r"'colour' was unexpected"),
        ({"vintage": "28/11/2026"}, r"'28/11/2026' does not match .*instance\['vintage'\]"),
        (
            {"pair": {"partner": {"code": "China", "name": "China, P.R.: Mainland"}}},
            r"'China' does not match .*instance\['pair'\]\['partner'\]\['code'\]",
        ),
        (
            {"pair": {"predecessor": {"code": "SUN", "name": "USSR"}}},  # no successor named
            r"instance\['pair'\]\['predecessor'\]",
        ),
    ],
)
def test_wrong_values_are_refused(change, message):
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for key, value in change.items():
        config[key] = {**config[key], **value} if isinstance(value, dict) and key in config else value
    with pytest.raises(WorkflowError, match=f"(?s)Error validating config file.*{message}"):
        validate(config, str(SCHEMA))


@pytest.mark.parametrize(
    ("config", "where"),
    [
        ({"thesis": {"alpha": float("nan")}}, "thesis.alpha"),
        ({"figure_dpi": float("inf")}, "figure_dpi"),
        ({"pairs": [{"home": "BGD"}, {"weights": [1.0, float("-inf")]}]}, "pairs[1].weights[1]"),
    ],
)
def test_a_value_given_on_the_command_line_must_be_finite(config, where):
    """`--config figure_dpi=nan` is in no file for the strict reader to refuse: the load checks the
    merged config too, naming the key (nested ones too, from a --configfile Snakemake reads itself)."""
    from bilateral.settings import check_finite

    with pytest.raises(ValueError, match=rf"^config {re.escape(where)}: -?(nan|inf) is not a finite number"):
        check_finite(config)
    check_finite({"thesis": {"alpha": 0.05}, "pairs": [{"weights": [1.0, 2]}], "title": "nan"})


def test_the_sources_digest_follows_content_not_time(tmp_path, monkeypatch):
    """The `sources` parameter (rules/common.smk): equal content gives equal digests whatever the
    file's time; other content, another digest; a missing file is left to Snakemake to name."""
    import hashlib
    import os

    from bilateral.settings import sources_digest

    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text("x: 1\n")
    content = hashlib.sha256(b"x: 1\n").hexdigest()
    expected = hashlib.sha256(f"{content}  a.yaml\n".encode()).hexdigest()
    assert sources_digest(["a.yaml", "missing.yaml"]) == expected
    os.utime("a.yaml", ns=(0, 0))
    assert sources_digest(["a.yaml"]) == expected
    Path("a.yaml").write_text("x: 2\n")
    os.utime("a.yaml", ns=(0, 0))
    assert sources_digest(["a.yaml"]) != expected


@pytest.mark.parametrize(
    ("text", "where", "how"),
    [
        # YAML 1.1, as Snakemake reads a config file: a float needs a decimal point and a signed exponent.
        ("figure_dpi: 1e3", "figure_dpi: '1e3'", "a decimal point and a sign"),
        ("figure_dpi: 1.2e3", "figure_dpi: '1.2e3'", "a decimal point and a sign"),
        ("figures: {figure1: {start: 1.981e3}}", "figures.figure1.start: '1.981e3'", "a decimal point and a sign"),
        ("thesis: {permutations: '9999'}", "thesis.permutations: '9999'", "without quotes"),
        # Written as YAML reads a number, but quoted: the quotes are the mistake.
        ('figure_dpi: "1.0e+3"', "figure_dpi: '1.0e+3'", "without quotes"),
    ],
)
def test_a_number_yaml_reads_as_text_is_named_with_how_to_write_it(text, where, how):
    from bilateral.settings import check_numbers_as_text

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    update_config(config, yaml.safe_load(text))
    with pytest.raises(ValueError, match=rf"^config {re.escape(where)} is read as text, not a number: .*{how}"):
        check_numbers_as_text(config, yaml.safe_load(SCHEMA.read_text()))


@pytest.mark.parametrize(
    "text",
    [
        "figure_dpi: 1.0e+3",
        "figures: {figure1: {title: 1e3}}",
        "figure_dpi: 300",
        # Refused, but not for want of a number: left to the schema's own message.
        "pair: {partner: {code: '1e3', name: x}}",
    ],
)
def test_numbers_yaml_reads_as_numbers_and_text_where_text_belongs_pass(text):
    from bilateral.settings import check_numbers_as_text

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    update_config(config, yaml.safe_load(text))
    check_numbers_as_text(config, yaml.safe_load(SCHEMA.read_text()))
