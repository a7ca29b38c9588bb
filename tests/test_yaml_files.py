"""The YAML files the user edits (regimes, claims) have schemas; errors name file, key path and line."""

from __future__ import annotations

import re

import jsonschema
import pytest
import yaml
from conftest import ROOT

from bilateral import claims, regimes
from bilateral.errors import InputError

REGIMES = (ROOT / "config" / "regimes.yaml").read_text(encoding="utf-8")
CLAIMS = (ROOT / "config" / "claims.yaml").read_text(encoding="utf-8")


def _line_of(text: str, fragment: str) -> int:
    """1-based line of the first line holding `fragment`, counted here independently of the code."""
    return next(n for n, line in enumerate(text.splitlines(), start=1) if fragment in line)


def _properties(schema: dict, path: str = ""):
    """(path, sub-schema) of every property, through items, allOf/anyOf and if/then."""
    for name, sub in schema.get("properties", {}).items():
        yield f"{path}{name}", sub
        yield from _properties(sub, f"{path}{name}.")
    if isinstance(schema.get("items"), dict):
        yield from _properties(schema["items"], f"{path}[].")


@pytest.mark.parametrize("name", ["regimes.schema.yaml", "claims.schema.yaml"])
def test_every_property_is_described_and_the_schema_is_valid(name):
    schema = yaml.safe_load((ROOT / "config" / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    keys = dict(_properties(schema))
    assert len(keys) >= 8
    assert [path for path, sub in keys.items() if "description" not in sub] == []


def test_the_committed_files_pass():
    regimes.check_file(ROOT / "config" / "regimes.yaml")
    claims.check_file(ROOT / "config" / "claims.yaml")


def _refused(tmp_path, module, text: str) -> str:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        module.load(path)
    assert str(path) in str(err.value)
    return str(err.value)


@pytest.mark.parametrize("module", [regimes, claims])
@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_file(tmp_path, module, text):
    assert "the file is empty" in _refused(tmp_path, module, text)


def test_a_syntax_error_names_its_line(tmp_path):
    text = REGIMES.replace("    camp: BNP\n    start: 1981-05-30", "    camp: BNP\n   start: 1981-05-30", 1)
    line = _line_of(text, "   start: 1981-05-30")
    assert f", line {line}, column " in _refused(tmp_path, regimes, text)


def test_a_date_that_does_not_exist_names_government_and_field(tmp_path):
    message = _refused(tmp_path, regimes, REGIMES.replace("end: 1975-08-15\n", "end: 1975-13-01\n", 1))
    line = _line_of(REGIMES, "end: 1975-08-15")  # the line of the key itself
    assert f"line {line}: governments[0].end (government 'mujib'): '1975-13-01' is not a date" in message


@pytest.mark.parametrize("name", ["Ziaur | Rahman", '"Ziaur\\nRahman"'])
def test_a_government_name_with_a_bar_or_newline_is_refused(tmp_path, name):
    message = _refused(tmp_path, regimes, REGIMES.replace("government: Ziaur Rahman", f"government: {name}", 1))
    assert "governments[2].government (government 'zia')" in message and "without '|'" in message


def test_a_missing_key_names_the_entry(tmp_path):
    message = _refused(
        tmp_path, regimes, REGIMES.replace("    camp: BNP\n    start: 1981-05-30", "    start: 1981-05-30", 1)
    )
    line = _line_of(REGIMES, "id: sattar")
    assert f"line {line}: governments[3] (government 'sattar'): 'camp' is a required property" in message


def test_a_gap_names_the_lines(tmp_path):
    message = _refused(tmp_path, regimes, REGIMES.replace("end: 1975-08-15\n", "end: 1975-08-14\n", 1))
    first, second = _line_of(REGIMES, "id: mujib"), _line_of(REGIMES, "id: mostaq")
    assert f"lines {first}-{second}: gap between mujib" in message


@pytest.mark.parametrize("empty", ["claims: []\n", "claims:\n"])
def test_a_claims_file_without_claims_is_an_error(tmp_path, empty):
    text = CLAIMS.split("\nclaims:")[0] + "\n" + empty
    message = _refused(tmp_path, claims, text)
    assert f"line {_line_of(text, 'claims:')}: claims:" in message


def test_a_misspelt_claim_key_names_the_claim(tmp_path):
    message = _refused(tmp_path, claims, CLAIMS.replace("min_change_pct: 20", "min_change: 20", 1))
    assert "claims[0] (claim 'fig1-soviet-exports-1986'): key 'min_change' is not one of" in message


@pytest.mark.parametrize("number", [".nan", ".NaN", ".inf", "-.inf", "+.Inf", "1.0e+999"])
def test_a_number_that_is_not_finite_is_refused_at_its_line_and_column(tmp_path, number):
    """A schema's bounds let NaN through (every comparison with it is false), and .inf would make
    every growth claim hold: both are refused where they stand."""
    text = CLAIMS.replace("    tolerance_pct: 5\n", f"    tolerance_pct: {number}\n", 1)
    line = _line_of(text, f"tolerance_pct: {number}")
    column = len("    tolerance_pct: ") + 1
    message = _refused(tmp_path, claims, text)
    assert f", line {line}, column {column}: {number!r} is not a finite number" in message


@pytest.mark.parametrize("module, text, key", [(regimes, REGIMES, "camp"), (claims, CLAIMS, "min_change_pct")])
def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path, module, text, key):
    """YAML keeps the last of two equal keys without a word: the value the reader sees first is not used."""
    entry = next(line for line in text.splitlines() if line.startswith(f"    {key}: "))
    doubled = text.replace(f"{entry}\n", f"{entry}\n{entry}\n", 1)
    first = _line_of(text, entry)
    message = _refused(tmp_path, module, doubled)
    assert f", line {first + 1}, column 5: the key {key!r} is given twice (first on line {first})" in message


def test_a_config_file_with_a_key_twice_or_a_nan_is_refused(tmp_path):
    """config/config.yaml and each --configfile are read the same strict way (the workflow and
    `make` read them before Snakemake's own reader, which would take both)."""
    from bilateral.yamlfile import read_yaml_mapping

    config = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    alpha = next(line for line in config.splitlines() if line.startswith("  alpha: "))
    path = tmp_path / "config.yaml"
    path.write_text(config.replace(alpha, "  alpha: .nan", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=rf", line {_line_of(config, alpha)}, column 10: '.nan' is not a finite"):
        read_yaml_mapping(path)
    path.write_text("figure_dpi: 300\npanel: {first_year: 1975}\nfigure_dpi: 150\n", encoding="utf-8")
    twice = r", line 3, column 1: the key 'figure_dpi' is given twice \(first on line 1\)"
    with pytest.raises(ValueError, match=twice):
        read_yaml_mapping(path)


def test_a_merge_key_is_not_a_key_given_twice(tmp_path):
    from bilateral.yamlfile import read_yaml_mapping

    path = tmp_path / "overlay.yaml"
    path.write_text("base: &b {start: 1981, end: 1991}\nfigures:\n  figure1:\n    <<: *b\n    end: 1990\n")
    assert read_yaml_mapping(path)["figures"]["figure1"] == {"start": 1981, "end": 1990}


@pytest.mark.parametrize(
    ("text", "key", "line", "first"),
    [
        # Keys that YAML reads as the same value are the same key of the mapping it builds.
        ("panel:\n  1: a\n  0x1: b\n", "0x1", 3, 2),
        ("panel:\n  1: a\n  1.0: b\n", "1.0", 3, 2),
        ("panel:\n  true: a\n  yes: b\n", "yes", 3, 2),
        ("panel:\n  ~: a\n  null: b\n", "null", 3, 2),
        # A merge given twice, and a key twice inside what is merged.
        ("thesis:\n  <<: {alpha: 0.01}\n  <<: {alpha: 0.2}\n", "<<", 3, 2),
        ("thesis:\n  <<: {alpha: 0.2, alpha: 0.01}\n", "alpha", 2, 2),
    ],
)
def test_keys_that_are_the_same_for_yaml_are_refused(tmp_path, text, key, line, first):
    from bilateral.yamlfile import read_yaml_mapping

    path = tmp_path / "overlay.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf", line {line}, column \d+: the key '{re.escape(key)}' is given twice "):
        read_yaml_mapping(path)
    assert f"(first on line {first})" in _refused(tmp_path, claims, text)


def test_a_key_and_its_quoted_number_are_two_keys(tmp_path):
    from bilateral.yamlfile import read_yaml_mapping

    path = tmp_path / "overlay.yaml"
    path.write_text("panel:\n  1: a\n  '1': b\n", encoding="utf-8")
    assert read_yaml_mapping(path) == {"panel": {1: "a", "1": "b"}}
