"""The IMTS pull of many pairs: the plan of requests, the rate limit (fake clock, retries
included), resuming after an interruption, the atomic completion, and the parse of all answers."""

from __future__ import annotations

import hashlib
import json
import logging
from types import SimpleNamespace

import pandas as pd
import pytest
import throttler.throttler as throttler_module
import yaml
from conftest import ROOT, SNAPSHOT
from imf_server import ImfServer, Reply, key_of, serve_tidy, with_home
from snakemake.utils import validate

from bilateral import dots_cache, pairs
from bilateral.imts import batch
from bilateral.imts.fetch import METADATA, FetchError
from bilateral.imts.request import ImtsRequest, from_fields, plan, request_fields
from bilateral.settings import check_pairs

VINTAGE = "2099-01-01"
INDICATORS = ["XG_FOB_USD", "MG_CIF_USD"]


def _config(**overlay) -> dict:
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text()) | overlay
    validate(config, str(ROOT / "config/schema.yaml"), set_default=True)
    return config


def _pairs(config: dict) -> dict:
    names = dots_cache.name_of_code(dots_cache.load_names(ROOT / "config/dots_names.csv"))
    return pairs.configured(config, names)


def _served() -> pd.DataFrame:
    """The snapshot's Bangladesh / Russia / USSR / World rows, plus India (x2) and Pakistan (x3) made
    from Bangladesh's (imf_server.with_home): the three pairs of config/examples/three-pairs-russia.yaml."""
    raw = pd.read_csv(SNAPSHOT, keep_default_na=False, dtype={"partner_code": str, "reporter_code": str})
    codes = {"BGD", "RUS", "SUN", "G001"}
    rows = raw[raw.reporter_code.isin(codes) & raw.partner_code.isin(codes)]
    rows = rows[rows.indicator.isin(["TXG_FOB_USD", "TMG_CIF_USD"])]
    return with_home(with_home(rows, "IND", "India", 2.0), "PAK", "Pakistan", 3.0)


class FakeClock:
    """throttler's clock and sleep: time passes only when the limiter waits."""

    def __init__(self) -> None:
        self.now = 1000.0  # throttler starts its window at 0.0: a clock at 0 would wait at once

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        # A real sleep, even of 0 s, lets some time pass; throttler loops until a moment has.
        self.now += max(seconds, 0.001)


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(throttler_module, "time", SimpleNamespace(monotonic=fake.monotonic))
    monkeypatch.setattr(throttler_module, "asyncio", SimpleNamespace(sleep=fake.sleep))
    return fake


def _three_pairs(server: ImfServer) -> tuple[dict, dict[str, ImtsRequest]]:
    config = _config(
        source="imf-imts",
        vintage=VINTAGE,
        pairs={"homes": ["IND", "PAK"], "partner": "RUS"},
        imts={"base_url": server.base_url, "indicators": INDICATORS, "backoff": 0.0},
    )
    return config, plan(config, _pairs(config))


def _pull(requests, folder, **options):
    return batch.pull(requests, folder, VINTAGE, homes=("BGD", "IND", "PAK"), backoff=0.0, **options)


# --- the plan -------------------------------------------------------------------------------------


def test_the_plan_for_one_pair_is_the_single_request_of_before():
    config = _config()
    requests = plan(config, _pairs(config))
    assert list(requests) == ["response.csv"]
    assert requests["response.csv"] == from_fields(request_fields(config))
    # The request of ../shared/docs/imf-api.md, section 0, letter for letter.
    assert requests["response.csv"].url == (
        "https://api.imf.org/external/sdmx/3.0/data/dataflow/IMF.STA/IMTS/+/"
        "BGD+RUS+SUN.XG_FOB_USD+MG_CIF_USD+MG_FOB_USD+TBG_USD.BGD+RUS+SUN+G001.A?c[TIME_PERIOD]=ge:1972"
    )
    # The first pair listed again in `pairs` is still one pair: one request.
    again = _config(pairs=["BGD-RUS"])
    assert plan(again, _pairs(again)) == requests


def test_the_plan_for_three_pairs_has_one_request_per_reporter():
    config = _config(pairs={"homes": ["IND", "PAK"], "partner": "RUS"})
    requests = plan(config, _pairs(config))
    # Reporters: each home country, Russia and the USSR (the predecessor every x-RUS pair inherits).
    assert [r.reporters for r in requests.values()] == [("BGD",), ("RUS",), ("SUN",), ("IND",), ("PAK",)]
    assert list(requests) == [f"response-{code}.csv" for code in ("BGD", "RUS", "SUN", "IND", "PAK")]
    partners = {r.reporters[0]: set(r.partners) for r in requests.values()}
    # Each home country's own report of its partner, predecessor and the World; the partner's and
    # the predecessor's reports of every home country (the mirrors) and of each other.
    assert partners["IND"] == partners["PAK"] == {"RUS", "SUN", "G001"}
    assert partners["BGD"] == {"RUS", "SUN", "G001"}
    assert partners["RUS"] == {"BGD", "IND", "PAK", "SUN", "G001"}
    assert partners["SUN"] == {"BGD", "IND", "PAK", "RUS", "G001"}
    assert {r.indicators for r in requests.values()} == {tuple(config["imts"]["indicators"])}


def test_a_reporter_with_very_many_partners_is_asked_in_parts():
    # Long '+' lists are refused by the API (HTTP 400): Russia's report of 120 home countries comes
    # in three requests of at most 50 partners, together every partner once.
    names = dots_cache.name_of_code(dots_cache.load_names(ROOT / "config/dots_names.csv"))
    countries = (code for code in names if code.isalpha() and code not in {"RUS", "SUN", "BGD"})  # no G001
    homes = sorted(countries)[:120]
    config = _config(pairs={"homes": homes, "partner": "RUS"})
    requests = plan(config, _pairs(config))
    russia = [name for name in requests if name.startswith("response-RUS")]
    assert russia == ["response-RUS-1.csv", "response-RUS-2.csv", "response-RUS-3.csv"]
    asked = [p for name in russia for p in requests[name].partners if p != "G001"]
    assert sorted(asked) == sorted({*homes, "BGD", "SUN"}) and len(asked) == len(set(asked))
    assert max(len(requests[name].partners) for name in russia) <= 51  # 50 partners and the World


# --- the rate limit -------------------------------------------------------------------------------


def _most_in_any_window(times: list[float], period: float = 5.0) -> int:
    """The most tries that fall within one closed window of `period` seconds."""
    times = sorted(times)
    return max(sum(1 for t in times if start <= t <= start + period) for start in times)


def test_the_limiter_never_lets_eleven_requests_into_five_seconds(clock):
    limit = batch.RateLimit()
    times = []
    for _ in range(35):
        limit.wait()
        times.append(clock.now)
    assert _most_in_any_window(times) == 10
    assert times[9] == times[0]  # the first ten go at once
    assert times[10] > times[0] + 5.0  # the eleventh waits for the first to leave the window
    assert times[-1] - times[0] > 15.0  # 35 tries need more than three windows


def test_retries_count_against_the_rate_limit(clock, tmp_path):
    """Every answer's first try gets HTTP 503, the retry 200: 10 requests are 20 tries, never more
    than 10 in any 5 s of the fake clock."""
    served = _served()
    hits, first = [], set()
    with ImfServer() as server:
        answer = serve_tidy(served)

        def route(path):
            hits.append(clock.now)
            if path not in first:  # the whole URL: the 1980 requests have the same key
                first.add(path)
                return Reply(status=503, body=b"busy")
            return answer(path)

        server.route = route
        _, three = _three_pairs(server)
        # Ten requests: the plan's five, and the same five again from 1980 on (other URLs).
        requests = dict(three)
        for name, request in three.items():
            requests[name.replace(".csv", "-1980.csv")] = ImtsRequest(**{**vars(request), "first_year": 1980})
        _pull(requests, tmp_path / f"imts-{VINTAGE}", limit=batch.RateLimit())
    assert len(hits) == 20
    assert _most_in_any_window(hits) <= 10
    assert hits[-1] - hits[0] > 5.0  # the limiter did wait


# --- resume and atomic completion -------------------------------------------------------------------


def test_an_interrupted_pull_resumes_with_the_missing_requests_only(clock, tmp_path, caplog):
    served = _served()
    folder = tmp_path / f"imts-{VINTAGE}"
    partial = tmp_path / f".imts-{VINTAGE}.part"
    with ImfServer() as server:
        answer = serve_tidy(served)
        config, requests = _three_pairs(server)
        second = key_of(requests["response-RUS.csv"].url)
        seen_folder = []

        def failing(path):
            seen_folder.append(folder.exists())
            return Reply(status=404, body=b"not found") if key_of(path) == second else answer(path)

        server.route = failing
        with pytest.raises(FetchError, match=r"request 2/5: RUS failed: .*HTTP 404") as err:
            _pull(requests, folder, limit=batch.RateLimit())
        assert "1 finished request(s) of 5 are kept" in str(err.value) and str(partial) in str(err.value)
        # Nothing a rule could take for a vintage; the first answer waits in the partial folder.
        assert not folder.exists()
        assert sorted(p.name for p in partial.iterdir()) == ["response-BGD.csv", "response-BGD.csv.request.json"]
        first_body = (partial / "response-BGD.csv").read_bytes()
        assert len(server.requests) == 2

        server.requests.clear()

        def watched(path):
            seen_folder.append(folder.exists())
            return answer(path)

        server.route = watched
        with caplog.at_level(logging.INFO, logger="bilateral.imts"):
            _pull(requests, folder, limit=batch.RateLimit())
        asked = [key_of(r["path"]) for r in server.requests]
    # Only the four missing requests were made, in the plan's order.
    assert asked == [key_of(requests[n].url) for n in list(requests)[1:]]
    assert "request 1/5: BGD ... already done" in caplog.text
    assert "request 5/5: PAK ... done (HTTP 200" in caplog.text
    assert (folder / "response-BGD.csv").read_bytes() == first_body
    # The vintage folder appeared only at the end, in one rename; the partial folder is gone.
    assert seen_folder and not any(seen_folder)
    assert not partial.exists()
    assert sorted(p.name for p in folder.iterdir()) == sorted([*requests, METADATA])
    meta = json.loads((folder / METADATA).read_text())
    assert [r["request_url"] for r in meta["requests"]] == [r.url for r in requests.values()]
    for record in meta["requests"]:
        assert record["sha256"] == hashlib.sha256((folder / record["body_file"]).read_bytes()).hexdigest()
        assert record["requested_at_utc"].endswith("+00:00")
    assert meta["reporters_without_data"] == []


def test_a_finished_answer_changed_on_disk_is_asked_again(clock, tmp_path):
    served = _served()
    folder = tmp_path / f"imts-{VINTAGE}"
    partial = tmp_path / f".imts-{VINTAGE}.part"
    with ImfServer() as server:
        answer = serve_tidy(served)
        _, requests = _three_pairs(server)
        second = key_of(requests["response-RUS.csv"].url)
        server.route = lambda path: Reply(status=404) if key_of(path) == second else answer(path)
        with pytest.raises(FetchError):
            _pull(requests, folder, limit=batch.RateLimit())
        good = (partial / "response-BGD.csv").read_bytes()
        (partial / "response-BGD.csv").write_bytes(good[:-20])  # cut, as by a full disk
        server.requests.clear()
        server.route = answer
        _pull(requests, folder, limit=batch.RateLimit())
        asked = [key_of(r["path"]) for r in server.requests]
    assert asked == [key_of(r.url) for r in requests.values()]
    assert (folder / "response-BGD.csv").read_bytes() == good


def test_a_vintage_on_disk_is_not_downloaded_again_and_answers_only_its_plan(clock, tmp_path, monkeypatch):
    with ImfServer() as server:
        server.route = serve_tidy(_served())
        config, requests = _three_pairs(server)
        folder = tmp_path / "data/raw" / f"imts-{VINTAGE}"
        _pull(requests, folder, limit=batch.RateLimit())
        before = len(server.requests)
        _pull(requests, folder, limit=batch.RateLimit())
        assert len(server.requests) == before == 5
    monkeypatch.chdir(tmp_path)
    check_pairs(config, _pairs(config))  # the plan it was pulled for: fine
    fewer = {**config, "pairs": {"homes": ["IND"], "partner": "RUS"}}
    with pytest.raises(ValueError, match=r"config pair/pairs: .*A vintage is never changed"):
        check_pairs(fewer, _pairs(fewer))
    with pytest.raises(ValueError, match=r"pulled for 5 request\(s\), the configuration now asks for 1"):
        check_pairs({**config, "pairs": []}, _pairs({**config, "pairs": []}))


# --- answers without data ---------------------------------------------------------------------------


def test_a_home_country_without_data_is_an_error_naming_it_and_the_url(clock, tmp_path):
    served = _served()
    served = served[served.reporter_code != "PAK"]
    with ImfServer() as server:
        server.route = serve_tidy(served)
        _, requests = _three_pairs(server)
        with pytest.raises(FetchError) as err:
            _pull(requests, tmp_path / f"imts-{VINTAGE}", limit=batch.RateLimit())
    message = str(err.value)
    assert "request 5/5: PAK failed: reporter PAK:" in message
    assert requests["response-PAK.csv"].url in message and "no data rows" in message
    assert not (tmp_path / f"imts-{VINTAGE}").exists()


def test_a_mirror_reporter_without_data_is_a_warning_and_the_rest_is_parsed(clock, tmp_path, caplog):
    served = _served()
    served = served[served.reporter_code != "SUN"]
    folder = tmp_path / f"imts-{VINTAGE}"
    with ImfServer() as server:
        server.route = serve_tidy(served)
        _, requests = _three_pairs(server)
        with caplog.at_level(logging.WARNING, logger="bilateral.imts"):
            _pull(requests, folder, limit=batch.RateLimit())
    assert f"reporter SUN: {requests['response-SUN.csv'].url} answered with no data rows" in caplog.text
    assert json.loads((folder / METADATA).read_text())["reporters_without_data"] == ["SUN"]
    tidy = batch.parse_plan(folder, requests)
    assert set(tidy.reporter_code) == {"BGD", "RUS", "IND", "PAK"}


# --- the parse of all answers -------------------------------------------------------------------------


def test_all_answers_parse_into_one_tidy_table_of_the_served_rows(clock, tmp_path):
    from bilateral import tidy as tidy_module

    served = _served()
    folder = tmp_path / f"imts-{VINTAGE}"
    with ImfServer() as server:
        server.route = serve_tidy(served)
        _, requests = _three_pairs(server)
        _pull(requests, folder, limit=batch.RateLimit())
    parsed = batch.parse_plan(folder, requests)
    assert list(parsed.columns) == tidy_module.COLUMNS
    # Every served row comes back once, but the USSR's World totals of 1960-62: years before
    # imts.first_year (1972) are dropped by the client too.
    expected = served[served.year >= 1972]
    key = ["reporter_code", "partner_code", "indicator", "year"]
    got = parsed.set_index(key).value_musd.sort_index()
    want = expected.set_index(key).value_musd.sort_index()
    assert got.index.equals(want.index)
    # India's exports to Russia in 2019 are twice Bangladesh's (with_home), read from the snapshot.
    bgd = want.loc[("BGD", "RUS", "TXG_FOB_USD", 2019)]
    assert got.loc[("IND", "RUS", "TXG_FOB_USD", 2019)] == 2 * bgd
    assert (got - want).abs().max() == 0.0
