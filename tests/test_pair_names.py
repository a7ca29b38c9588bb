"""A pair's names are checked against the data before any work: a code found under another name
(a typo that the code alone would let through) or a name the data lack stops the run."""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import ROOT, SNAPSHOT
from snakemake.utils import validate

from bilateral import settings
from bilateral.pair import PairError


@pytest.fixture(scope="module")
def config():
    loaded = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    validate(loaded, str(ROOT / "config/schema.yaml"), set_default=True)
    return loaded


def with_partner(config, partner, predecessor=None):
    changed = copy.deepcopy(config)
    changed["pair"]["partner"] = partner
    changed["pair"]["predecessor"] = predecessor
    return changed


def test_a_code_under_another_name_is_refused(config):
    # The snapshot's rows for RUS read 'Russian Federation' (DOTS_162.xlsx, cell B4).
    wrong = with_partner(config, {"code": "RUS", "name": "Russia"})
    with pytest.raises(
        PairError, match="pair.partner code 'RUS' is named 'Russian Federation' in the data, not 'Russia'"
    ):
        settings.data_coverage(wrong, SNAPSHOT)


def test_a_name_the_data_lack_lists_close_names(config):
    china = with_partner(config, {"code": "CHN", "name": "China"})
    with pytest.raises(
        PairError, match=r"no row has pair.partner \(code 'CHN', name 'China'\).*'China, P.R.: Mainland'"
    ):
        settings.data_coverage(china, SNAPSHOT)


def test_the_papers_pair_passes(config):
    assert settings.data_coverage(config, SNAPSHOT) == {"with_data": [1972, 2020]}
