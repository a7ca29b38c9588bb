"""A vintage is kept only when it is whole and valid (issue 7), against the local IMF server.

Each bad answer must leave nothing in the data folder (not even a hidden partial folder) that
a later run could take for a vintage, and a good answer afterwards must be kept as usual.
"""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest
from imf_server import XML, ImfServer, Reply
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError

from bilateral.checksums import sha256_bytes
from bilateral.imts.fetch import METADATA, FetchError, TransientRetry, fetch, parse_vintage
from bilateral.imts.parse import ImtsFormatError
from bilateral.imts.request import ImtsRequest

RESPONSES = Path(__file__).parent / "fixtures" / "imf-responses"
CSV_BODY = (RESPONSES / "imts-sdmx3-sdmxcsv20-DERIVED-from-xml.csv").read_bytes()
XML_BODY = (RESPONSES / "imts-sdmx3-sdmxml30-USA-XG_FOB_USD-2023-2024.xml").read_bytes()
# Line 4 of the CSV body is US exports to the EU (G998) in 2023.
EU_2023 = b"369756760426"
# The body cut after its third line: every line whole, the fourth observation gone.
CUT_AT_LINE = b"".join(CSV_BODY.splitlines(keepends=True)[:3])


def _request(server, fmt="csv"):
    return ImtsRequest(
        reporters=("USA",),
        indicators=("XG_FOB_USD",),
        partners=("G001", "G998"),
        first_year=2020,
        base_url=server.base_url,
        format=fmt,
    )


def _pull(server, data, fmt="csv", **options):
    """Pull into data/imts-2099-01-01 with quick retries; the folder."""
    options = {"retries": 1, "backoff": 0.0, "timeout": (2.0, 2.0)} | options
    return fetch(_request(server, fmt), data / "imts-2099-01-01", "2099-01-01", **options)


def _nothing_left(data: Path) -> None:
    # Path.iterdir lists hidden entries too: no '.imts-....part' may remain.
    assert list(data.iterdir()) == []


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (Reply(body=CUT_AT_LINE, length=False), "neither Content-Length nor chunked transfer encoding"),
        (Reply(body=CSV_BODY.replace(EU_2023, b"-" + EU_2023)), r"line 4: row fails trade flows are >= 0"),
        (Reply(body=CSV_BODY + CSV_BODY.splitlines(keepends=True)[3]), r"line 6: row has the same reporter"),
        (Reply(body=CSV_BODY.replace(EU_2023, b"Infinity")), r"line 4: OBS_VALUE 'Infinity' is not a finite number"),
    ],
)
def test_a_cut_or_invalid_body_is_not_kept(tmp_path, reply, message):
    with ImfServer() as server:
        server.replies = [reply, Reply(body=CSV_BODY)]
        with pytest.raises(FetchError, match=message) as err:
            _pull(server, tmp_path)
        assert "make update-data VINTAGE=2099-01-01" in str(err.value)
        _nothing_left(tmp_path)
        # The next run pulls again and keeps the good answer: nothing blocked it.
        folder = _pull(server, tmp_path)
    assert (folder / "response.csv").read_bytes() == CSV_BODY
    assert json.loads((folder / METADATA).read_text())["sha256"] == sha256_bytes(CSV_BODY)


def test_a_chunked_body_is_kept(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY, chunked=True)]
        folder = _pull(server, tmp_path)
    meta = json.loads((folder / METADATA).read_text())
    assert (folder / "response.csv").read_bytes() == CSV_BODY
    assert meta["response_headers"]["Transfer-Encoding"] == "chunked"
    assert [p.name for p in tmp_path.iterdir()] == ["imts-2099-01-01"]


def test_a_chunked_body_without_its_last_chunk_is_retried_then_refused(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CUT_AT_LINE, chunked=True, last_chunk=False)]
        with pytest.raises(FetchError, match=r"no usable answer \(1 retries allowed; ProtocolError"):
            _pull(server, tmp_path)
        assert len(server.requests) == 2
    _nothing_left(tmp_path)


def test_an_xml_body_without_length_is_kept_whole_and_refused_cut(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=XML_BODY[:-40], content_type=XML, length=False)]
        with pytest.raises(FetchError, match="not well-formed XML"):
            _pull(server, tmp_path, "xml")
        _nothing_left(tmp_path)
        server.replies = [Reply(body=XML_BODY, content_type=XML, length=False)]
        folder = _pull(server, tmp_path, "xml")
    assert (folder / "response.xml").read_bytes() == XML_BODY


@pytest.mark.slow
def test_a_trickling_server_is_given_up_on_at_the_deadline(tmp_path):
    with ImfServer() as server:
        # One byte every 0.2 s: no read ever times out, the 528-byte body would take 100 s.
        server.replies = [Reply(body=CSV_BODY, drip=0.2)]
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"no complete answer within the deadline of 1\.5 s"):
            _pull(server, tmp_path, deadline=1.5)
        elapsed = time.monotonic() - started
    assert 1.5 <= elapsed < 4
    _nothing_left(tmp_path)


@pytest.mark.slow
def test_a_server_that_never_answers_is_given_up_on_at_the_deadline(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY, delay=3.0)]
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"deadline of 1 s"):
            _pull(server, tmp_path, retries=4, timeout=(2.0, 10.0), deadline=1.0)
        # One try, cut at the time left (1 s) rather than the 10 s read timeout, and no second try.
        assert time.monotonic() - started < 2.5 and len(server.requests) == 1


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(tmp_path):
    with ImfServer() as server:
        server.replies = [Reply(status=503, body=b"busy", headers={"Retry-After": "60"})]
        started = time.monotonic()
        with pytest.raises(FetchError, match=r"would start after the deadline of 5 s \(wait 60 s asked\)"):
            _pull(server, tmp_path, deadline=5.0)
        assert time.monotonic() - started < 2


def test_a_name_that_does_not_resolve_is_not_retried(tmp_path, monkeypatch):
    asked = []

    def no_dns(host, *args, **kwargs):
        asked.append(host)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    request = ImtsRequest(base_url="http://api.imf.invalid/external/sdmx/3.0")
    with pytest.raises(FetchError, match=r"host name 'api.imf.invalid' does not resolve.*not retried"):
        fetch(request, tmp_path / "imts-2099-01-01", "2099-01-01", retries=3, backoff=0.0)
    assert asked == ["api.imf.invalid"]
    _nothing_left(tmp_path)


def test_the_retry_policy_retries_connect_timeouts_but_not_name_resolution():
    retry = TransientRetry(total=2, connect=2)
    assert retry.increment("GET", "u", error=ConnectTimeoutError("slow")).connect == 1
    with pytest.raises(NameResolutionError):
        retry.increment("GET", "u", error=NameResolutionError("api.imf.invalid", None, "no such name"))


def test_an_invalid_vintage_kept_by_an_older_version_says_what_to_do(tmp_path):
    # As the older fetch wrote it: body and metadata, before validating the body.
    folder = tmp_path / "imts-2099-01-01"
    folder.mkdir()
    body = CSV_BODY.replace(EU_2023, b"-" + EU_2023)
    (folder / "response.csv").write_bytes(body)
    with ImfServer() as server:
        request = _request(server)
    meta = {"request_url": request.url, "body_file": "response.csv", "sha256": sha256_bytes(body)}
    (folder / METADATA).write_text(json.dumps(meta | {"content_type": "text/csv", "vintage": "2099-01-01"}))
    with pytest.raises(ImtsFormatError) as err:
        parse_vintage(folder, request)
    message = str(err.value)
    assert f"{folder / 'response.csv'}: 1 problem(s):\n  line 4: row fails trade flows are >= 0" in message
    assert "is not a valid vintage" in message and "make update-data VINTAGE=2099-01-01" in message


def test_leftover_files_without_metadata_are_named_with_the_command(tmp_path):
    folder = tmp_path / "imts-2099-01-01"
    folder.mkdir()
    (folder / "response.csv").write_bytes(CUT_AT_LINE)
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY)]
        with pytest.raises(FetchError, match=r"no complete vintage.*make update-data VINTAGE=2099-01-01"):
            _pull(server, tmp_path)
        assert server.requests == []


def test_a_body_the_server_itself_cut_but_framed_is_kept_and_its_gaps_listed(tmp_path):
    """The limit no client can pass: a server that stops early but sends a matching Content-Length.
    The body is kept (it parses and validates); metadata.json lists the requested series with no
    value, here the EU (G998), for a reader to judge."""
    with ImfServer() as server:
        server.replies = [Reply(body=CUT_AT_LINE)]
        folder = _pull(server, tmp_path)
    meta = json.loads((folder / METADATA).read_text())
    assert meta["observations"] == 2 and meta["series_without_data"] == ["USA.XG_FOB_USD.G998"]


def test_the_empty_folder_snakemake_makes_is_replaced_by_the_vintage(tmp_path):
    (tmp_path / "imts-2099-01-01").mkdir()
    with ImfServer() as server:
        server.replies = [Reply(body=CSV_BODY)]
        folder = _pull(server, tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == [METADATA, "response.csv"]
    assert [p.name for p in tmp_path.iterdir()] == ["imts-2099-01-01"]
    assert json.loads((folder / METADATA).read_text())["series_without_data"] == []


def test_a_refused_answer_quotes_the_line_it_names(tmp_path):
    body = CSV_BODY.replace(EU_2023, b"-" + EU_2023)
    fourth = body.decode().splitlines()[3]
    with ImfServer() as server:
        server.replies = [Reply(body=body)]
        with pytest.raises(FetchError) as err:
            _pull(server, tmp_path)
    assert f"line 4 of the answer: {fourth}" in str(err.value)
