"""The YAML files the user edits (regimes, claims) have schemas; errors name file, key path and line."""

from __future__ import annotations

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
