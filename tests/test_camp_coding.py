"""Each government cites a source, judgements say so, and an alternative camp coding given in config
(regimes.camp_of) rebuilds the tables as if the regimes file itself said it."""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT

from bilateral import regime_tables, regimes
from bilateral.panel import build_world

REGIMES = ROOT / "config/regimes.yaml"


def test_every_government_cites_a_source_and_the_judgements_are_marked():
    document = yaml.safe_load(REGIMES.read_text())
    assert all(entry["source"].strip() for entry in document["governments"])
    judged = {entry["id"]: entry["judgement"] for entry in document["governments"] if "judgement" in entry}
    # The two codings the issue names as judgements, each with its alternative.
    assert "camp_of: {mostaq: Awami League}" in judged["mostaq"]
    assert "1978" in judged["zia"] and "camp_of: {zia: BNP}" in judged["zia"]


def test_a_recoded_camp_equals_the_file_edited_by_hand(tmp_path, raw, panel):
    # The independent route: the same file with Zia's camp written as BNP.
    text = REGIMES.read_text()
    marker = "  - id: zia\n    government: Ziaur Rahman\n    camp: military\n"
    assert marker in text
    edited = tmp_path / "regimes.yaml"
    edited.write_text(text.replace(marker, marker.replace("camp: military", "camp: BNP")))
    world = build_world(raw)
    camps = regimes.load_camps(REGIMES)
    by_config = regime_tables.by_camp(panel, world, regimes.load(REGIMES, {"zia": "BNP"}), "plurality", camps)
    by_hand = regime_tables.by_camp(panel, world, regimes.load(edited), "plurality", camps)
    assert by_config.equals(by_hand)
    # And it is a different table from the file's own coding (Zia's 1976-1980 move to BNP).
    default = regime_tables.by_camp(panel, world, regimes.load(REGIMES), "plurality", camps)
    assert not by_config.equals(default)


@pytest.mark.parametrize(
    ("camp_of", "message"),
    [
        ({"zia2": "BNP"}, "config regimes.camp_of: 'zia2' is not a government id"),
        ({"zia": "Jatiya Party"}, "config regimes.camp_of.zia: 'Jatiya Party' is not one of the camps"),
    ],
)
def test_a_recoding_names_only_the_files_governments_and_camps(camp_of, message):
    with pytest.raises(regimes.RegimeError, match=message):
        regimes.load(REGIMES, camp_of)
