"""IMTS: request, parsers on the recorded IMF bodies, and the fetch against a local HTTP server."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from imf_server import CSV, XML, ImfServer, Reply

from bilateral.imts.availability import time_range
from bilateral.imts.fetch import METADATA, FetchError, fetch, parse_vintage
from bilateral.imts.parse import ImtsFormatError, parse, structure_id
from bilateral.imts.request import ImtsRequest
from bilateral.revisions import compare_values

RESPONSES = Path(__file__).parent / "fixtures" / "imf-responses"
CSV_BODY = (RESPONSES / "imts-sdmx3-sdmxcsv20-DERIVED-from-xml.csv").read_bytes()
XML_BODY = (RESPONSES / "imts-sdmx3-sdmxml30-USA-XG_FOB_USD-2023-2024.xml").read_bytes()
# The recorded bodies hold US exports to the World (G001) and the EU (G998), 2023-2024.
US = ImtsRequest(reporters=("USA",), indicators=("XG_FOB_USD",), partners=("G001", "G998"), first_year=2020)


def _legacy_dots_value(year: str) -> float:
    """US exports to the World from the retired DOTS API, in US$ millions (a separate recording)."""
    record = json.loads((RESPONSES / "dots-legacy-compactdata-US-TXG_FOB_USD-2020-2023.json").read_text())
    series = record["CompactData"]["DataSet"]["Series"]
    world = next(s for s in series if s["@COUNTERPART_AREA"] == "W00")
    return float(next(o["@OBS_VALUE"] for o in world["Obs"] if o["@TIME_PERIOD"] == year))


def test_request_url_follows_the_documented_form():
    assert ImtsRequest().url == (
        "https://api.imf.org/external/sdmx/3.0/data/dataflow/IMF.STA/IMTS/+/"
        "BGD+RUS+SUN.XG_FOB_USD+MG_CIF_USD+MG_FOB_USD+TBG_USD.BGD+RUS+SUN+G001.A?c[TIME_PERIOD]=ge:1972"
    )
    assert ImtsRequest().accept == "application/vnd.sdmx.data+csv;version=2.0.0"


@pytest.mark.parametrize(("body", "content_type"), [(CSV_BODY, CSV), (XML_BODY, XML)])
def test_both_formats_give_the_same_tidy_rows_in_millions(body, content_type):
    rows = parse(body, content_type, US, "fixture")
    world = rows[rows.partner_code == "G001"].set_index("year")
    # IMTS gives plain dollars; in millions they equal the legacy DOTS figure exactly.
    assert world.loc[2023, "value_musd"] == _legacy_dots_value("2023") == 2019551.635133
    assert world.loc[2024, "value_musd"] == 2065411.250609  # OBS_VALUE 2065411250609 / 10^6
    assert set(rows.indicator) == {"TXG_FOB_USD"}
    assert set(rows.partner_kind) == {"world", "aggregate"}
    assert not rows.estimate.any()


def test_csv_and_xml_agree():
    assert parse(CSV_BODY, CSV, US, "csv").equals(parse(XML_BODY, XML, US, "xml"))


def test_structure_id_is_recorded():
    assert structure_id(CSV_BODY, CSV) == "IMF.STA:IMTS(1.0.0)"
    assert structure_id(XML_BODY, XML) == "IMF.STA.DSD_IMTS.1.0.0"


def _edited_csv(old: str, new: str) -> bytes:
    text = CSV_BODY.decode()
    assert old in text
    return text.replace(old, new, 1).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (_edited_csv("OBS_VALUE", "VALUE"), r"lacks required column\(s\) \['OBS_VALUE'\]"),
        (_edited_csv(",6,XG,FOB,USD,M,OL,\n", ",6,XG,FOB,EUR,M,OL,\n"), r"line 2: UNIT 'EUR', expected 'USD'"),
        (_edited_csv("2019551635133,6", "2019551635133,6,extra"), r"line 2: 17 fields, the header has 16"),
        (_edited_csv("A,2023,2019551635133", "A,2023,lots"), r"line 2: OBS_VALUE 'lots' is not a number"),
        (_edited_csv("USA,XG_FOB_USD,G001,A,2023", "FRA,XG_FOB_USD,G001,A,2023"), r"COUNTRY 'FRA' was not requested"),
        (CSV_BODY.split(b"\n")[0] + b"\n", "holds no data rows"),
        (b"", "empty body"),
        (_edited_csv(",UNIT,", ",UNITS,"), r"line 2: no UNIT attribute, expected 'USD'"),
    ],
)
def test_bad_bodies_are_refused_with_a_location(body, message):
    with pytest.raises(ImtsFormatError, match=message):
        parse(body, CSV, US, "fixture")


def test_estimate_status_and_missing_values():
    text = CSV_BODY.decode().splitlines()
    text[1] = text[1][: -len(",")] + ",e"  # STATUS e on 2023 World
    text[2] = text[2].replace("2065411250609", "")  # 2024 World has no value: no row
    rows = parse(("\n".join(text) + "\n").encode(), CSV, US, "fixture")
    world = rows[rows.partner_code == "G001"].set_index("year")
    assert bool(world.loc[2023, "estimate"]) and 2024 not in world.index


def test_ussr_reported_values_are_estimates_whatever_their_status():
    """The USSR never reported to the IMF: its rows are partner-derived (imf-api.md, section 4)."""
    sun = ImtsRequest(reporters=("SUN", "BGD"), indicators=("XG_FOB_USD",), partners=("BGD", "SUN"), first_year=1981)
    header = CSV_BODY.decode().splitlines()[0]
    body = "\n".join(
        [
            header,
            "dataflow,IMF.STA:IMTS(1.0.0),R,SUN,XG_FOB_USD,BGD,A,1986,78480000,6,XG,FOB,USD,M,OL,",
            "dataflow,IMF.STA:IMTS(1.0.0),R,BGD,XG_FOB_USD,SUN,A,1986,26420000,6,XG,FOB,USD,M,OL,",
        ]
    ).encode()
    rows = parse(body, CSV, sun, "fixture").set_index("reporter_code")
    assert bool(rows.loc["SUN", "estimate"]) and not bool(rows.loc["BGD", "estimate"])
    assert rows.loc["SUN", "value_musd"] == 78.48 and rows.loc["SUN", "reporter"] == "USSR"


def test_malformed_xml():
    with pytest.raises(ImtsFormatError, match="not well-formed XML"):
        parse(XML_BODY[:-40], XML, US, "fixture")


def test_availability_annotations():
    answer = json.loads((RESPONSES / "imts-sdmx3-availability-USA-INDICATOR.json").read_text())
    assert time_range(answer) == ("1948-01-01", "2025-09-01")


# --- the fetch against a real local server -------------------------------------------------


def _request(server, fmt="csv"):
    return ImtsRequest(
        reporters=US.reporters,
        indicators=US.indicators,
        partners=US.partners,
        first_year=2020,
        base_url=server.base_url,
        format=fmt,
    )


def _fetch(server, folder, fmt="csv", **kwargs):
    options = {"retries": 2, "backoff": 0.0, "timeout": (2.0, 2.0)} | kwargs
    return fetch(_request(server, fmt), folder, "2099-01-01", **options)


@pytest.mark.parametrize(("fmt", "body", "content_type"), [("csv", CSV_BODY, CSV), ("xml", XML_BODY, XML)])
def test_fetch_writes_body_and_metadata(tmp_path, fmt, body, content_type):
    with ImfServer() as server:
        server.replies = [Reply(body=body, content_type=content_type)]
        folder = _fetch(server, tmp_path / "imts-2099-01-01", fmt)
        sent = server.requests[0]
    assert (folder / f"response.{fmt}").read_bytes() == body
    meta = json.loads((folder / METADATA).read_text())
    assert meta["http_status"] == 200 and meta["content_type"] == content_type
    assert meta["request_url"].endswith("/USA.XG_FOB_USD.G001+G998.A?c[TIME_PERIOD]=ge:2020")
    assert meta["structure_id"] and meta["observations"] == 4 and meta["citation"]
    assert sent["path"].startswith("/external/sdmx/3.0/data/dataflow/IMF.STA/IMTS/+/USA.")
    assert sent["headers"]["User-Agent"].startswith("bilateral/")
    assert sent["headers"]["Accept"] == _request(server, fmt).accept
    assert parse_vintage(folder, _request(server, fmt)).value_musd.max() == 2065411.250609


@pytest.mark.parametrize("status", [500, 503, 429])
def test_retry_then_success(tmp_path, status):
    with ImfServer() as server:
        server.replies = [Reply(status=status, body=b"busy"), Reply(body=CSV_BODY)]
        _fetch(server, tmp_path / "v")
        assert len(server.requests) == 2
    assert (tmp_path / "v" / METADATA).exists()


def test_read_timeout_is_retried_then_reported(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY, delay=1.5)]
        with pytest.raises(FetchError, match=r"no usable answer \(1 retries allowed; ReadTimeoutError"):
            _fetch(server, tmp_path / "v", retries=1, timeout=(2.0, 0.3))
        assert len(server.requests) == 2  # the first try and one retry
    assert not list(tmp_path.glob("v/*"))


def test_a_body_broken_midway_is_retried(tmp_path):
    with ImfServer() as server:
        # The first answer announces the whole body, sends 100 bytes and drops the connection.
        server.replies = [Reply(body=CSV_BODY, cut_after=100), Reply(body=CSV_BODY)]
        _fetch(server, tmp_path / "v")
        assert len(server.requests) == 2
    assert (tmp_path / "v" / "response.csv").read_bytes() == CSV_BODY


def test_a_body_broken_every_time_is_reported_and_leaves_nothing(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY, cut_after=100)]
        with pytest.raises(FetchError, match=r"no usable answer \(1 retries allowed; ProtocolError.*IncompleteRead"):
            _fetch(server, tmp_path / "v", retries=1)
        assert len(server.requests) == 2
    assert not list(tmp_path.glob("v/*"))


def test_a_gzipped_answer_is_kept_decoded(tmp_path):
    import gzip

    with ImfServer() as server:
        server.replies = [Reply(body=gzip.compress(CSV_BODY, mtime=0), headers={"Content-Encoding": "gzip"})]
        _fetch(server, tmp_path / "v")
        assert "gzip" in server.requests[0]["headers"]["Accept-Encoding"]
    assert (tmp_path / "v" / "response.csv").read_bytes() == CSV_BODY


def test_403_is_not_retried(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(status=403, body=b"Access Denied")]
        with pytest.raises(FetchError, match="HTTP 403"):
            _fetch(server, tmp_path / "v")
        assert len(server.requests) == 1
    assert not list(tmp_path.glob("v/*"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (CSV_BODY.split(b"\n")[0] + b"\n", r"holds no data rows"),
        (CSV_BODY.replace(b",USD,", b",EUR,"), r"UNIT 'EUR'"),
        (CSV_BODY.replace(b"COUNTERPART_COUNTRY", b"PARTNER"), r"lacks required column"),
        (CSV_BODY.replace(b"2019551635133,6", b"2019551635133,6,x"), r"fields, the header has"),
    ],
)
def test_bad_200_answers_leave_nothing(tmp_path, body, message):
    with ImfServer() as server:
        server.replies = [Reply(body=body)]
        with pytest.raises(FetchError, match=message) as err:
            _fetch(server, tmp_path / "v")
    assert server.base_url in str(err.value)  # the URL is printed
    assert not list(tmp_path.glob("v/*"))


def test_a_vintage_on_disk_is_not_downloaded_again(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY)]
        _fetch(server, tmp_path / "v")
        _fetch(server, tmp_path / "v")
        assert len(server.requests) == 1


def test_a_vintage_is_not_reused_for_another_request(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY)]
        _fetch(server, tmp_path / "v")
        wider = ImtsRequest(
            reporters=US.reporters,
            indicators=US.indicators,
            partners=US.partners,
            first_year=1990,
            base_url=server.base_url,
        )
        with pytest.raises(FetchError, match="A vintage is never changed"):
            fetch(wider, tmp_path / "v", "2099-01-01", retries=0, backoff=0.0)
        with pytest.raises(FetchError, match="A vintage is never changed"):
            parse_vintage(tmp_path / "v", wider)
        assert len(server.requests) == 1


def test_a_failed_pull_leaves_no_empty_folder(tmp_path):
    (tmp_path / "v").mkdir()  # as Snakemake makes it before the job
    with ImfServer() as server:
        server.replies = [Reply(status=404, body=b"no")]
        with pytest.raises(FetchError, match="HTTP 404"):
            _fetch(server, tmp_path / "v")
    assert not (tmp_path / "v").exists()


def test_an_edited_raw_body_is_detected(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY)]
        folder = _fetch(server, tmp_path / "v")
    body = folder / "response.csv"
    body.write_bytes(body.read_bytes().replace(b"2019551635133", b"2019551635134"))
    with pytest.raises(FetchError, match="sha256 differs"):
        parse_vintage(folder, _request(server))


def test_revisions_between_two_recorded_vintages():
    """The retired DOTS API (2024-09-20, US$ m) against IMTS (2025-12-16, US$): both real recordings."""
    record = json.loads((RESPONSES / "dots-legacy-compactdata-US-TXG_FOB_USD-2020-2023.json").read_text())
    codes = {"W00": "G001", "B0": "G998"}  # old DOTS codes -> IMTS codes (imf-api.md, section 4)
    legacy = pd.DataFrame(
        [
            {
                "partner_code": codes[s["@COUNTERPART_AREA"]],
                "year": int(o["@TIME_PERIOD"]),
                "value_musd": float(o["@OBS_VALUE"]),
            }
            for s in record["CompactData"]["DataSet"]["Series"]
            for o in s["Obs"]
        ]
    )
    imts = parse(XML_BODY, XML, US, "xml")[["partner_code", "year", "value_musd"]]
    table = compare_values(legacy, imts, ["partner_code", "year"]).set_index(["partner_code", "year"])
    # 2023 is in both recordings, with the same value once IMTS dollars are read as millions.
    assert table.loc[("G001", 2023), "present_in"] == "both"
    assert table.loc[("G001", 2023), "revision_musd"] == 0 and table.loc[("G998", 2023), "revision_musd"] == 0
    assert sorted(table[table.present_in == "base only"].index.get_level_values("year").unique()) == [2020, 2021, 2022]
    assert list(table[table.present_in == "new only"].index.get_level_values("year").unique()) == [2024]


def test_availability_report_against_the_local_server():
    from bilateral.imts.availability import report

    body = (RESPONSES / "imts-sdmx3-availability-USA-INDICATOR.json").read_bytes()
    with ImfServer() as server:
        server.replies = [Reply(body=body, content_type="application/json")]
        request = ImtsRequest(
            reporters=("USA",), indicators=("XG_FOB_USD",), partners=("G001",), base_url=server.base_url
        )
        text = report(request, timeout=(2.0, 2.0))
        path = server.requests[0]["path"]
    assert path == "/external/sdmx/3.0/availability/dataflow/IMF.STA/IMTS/+/USA.XG_FOB_USD.G001.A/TIME_PERIOD"
    assert "USA.XG_FOB_USD.G001" in text and "1948-01-01" in text and "2025-09-01" in text


def test_make_availability_asks_for_the_configured_pair(tmp_path, monkeypatch, capsys):
    # `make availability` runs `bilateral imts-availability --config config/config.yaml`.
    from bilateral.cli import main

    body = (RESPONSES / "imts-sdmx3-availability-USA-INDICATOR.json").read_bytes()
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    with ImfServer() as server:
        server.replies = [Reply(body=body, content_type="application/json")]
        config["pair"] = {
            "home": {"code": "BGD", "name": "Bangladesh"},
            "partner": {"code": "CHN", "name": "China, P.R.: Mainland"},
            "predecessor": None,
        }
        config["imts"] |= {"base_url": server.base_url, "indicators": ["XG_FOB_USD"]}
        path = tmp_path / "mine.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True))
        monkeypatch.chdir(ROOT)  # the schema is found relative to the project, as make runs it
        main(["imts-availability", "--config", str(path), "--pause", "0"])
        asked = sorted(r["path"].split("/IMTS/+/")[1] for r in server.requests)
    assert asked == [
        "BGD.XG_FOB_USD.CHN.A/TIME_PERIOD",
        "BGD.XG_FOB_USD.G001.A/TIME_PERIOD",
        "CHN.XG_FOB_USD.BGD.A/TIME_PERIOD",
        "CHN.XG_FOB_USD.G001.A/TIME_PERIOD",
    ]
    assert "BGD.XG_FOB_USD.CHN" in capsys.readouterr().out


def test_make_availability_asks_for_every_pair_of_the_run(tmp_path, monkeypatch, capsys):
    # Many pairs: each series of every pair, once (each country's report of the other and of the World).
    from bilateral.cli import main

    body = (RESPONSES / "imts-sdmx3-availability-USA-INDICATOR.json").read_bytes()
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    with ImfServer() as server:
        server.replies = [Reply(body=body, content_type="application/json")]
        config["pair"] = {
            "home": {"code": "BGD", "name": "Bangladesh"},
            "partner": {"code": "CHN", "name": "China, P.R.: Mainland"},
            "predecessor": None,
        }
        config["pairs"] = ["IND-RUS", "BGD-CHN"]  # the second is the first pair again: asked once
        config["imts"] |= {"base_url": server.base_url, "indicators": ["XG_FOB_USD"]}
        path = tmp_path / "mine.yaml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True))
        monkeypatch.chdir(ROOT)
        main(["imts-availability", "--config", str(path), "--pause", "0"])
        asked = [r["path"].split("/IMTS/+/")[1].removesuffix(".A/TIME_PERIOD") for r in server.requests]
    expected = [
        f"{reporter}.XG_FOB_USD.{partner}"
        for home, partner_of_home in (("BGD", "CHN"), ("IND", "RUS"))
        for reporter, partner in (
            (home, partner_of_home),
            (partner_of_home, home),
            (home, "G001"),
            (partner_of_home, "G001"),
        )
    ]
    assert sorted(asked) == sorted(expected) and len(asked) == 8
    out, err = capsys.readouterr()
    assert "RUS.XG_FOB_USD.IND" in out and "availability 8/8" in err
