"""A fetch shows its steps on the terminal (bilateral.progress), as scripts/fetch_imts.py sets it up."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from imf_server import ImfServer, Reply

from bilateral import progress
from bilateral.imts.fetch import fetch
from bilateral.imts.request import ImtsRequest

BODY = (Path(__file__).parent / "fixtures/imf-responses/imts-sdmx3-sdmxcsv20-DERIVED-from-xml.csv").read_bytes()


def test_a_fetch_shows_each_try_and_the_result(tmp_path):
    stream = io.StringIO()
    handler = progress.show("bilateral.imts", "fetch", stream)
    try:
        with ImfServer() as server:
            server.replies = [Reply(status=503), Reply(body=BODY)]
            request = ImtsRequest(
                reporters=("USA",),
                indicators=("XG_FOB_USD",),
                partners=("G001", "G998"),
                first_year=2020,
                base_url=server.base_url,
                format="csv",
            )
            fetch(request, tmp_path / "imts-2099-01-01", "2099-01-01", retries=2, backoff=0.0, timeout=(2.0, 2.0))
    finally:
        logging.getLogger("bilateral.imts").removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines[0] == f"fetch: requesting {request.url}"
    assert lines[1] == "fetch: HTTP 503; retrying"
    assert lines[2].startswith(f"fetch: HTTP 200, {len(BODY)} bytes in ")
    assert lines[3].startswith(f"fetch: wrote {tmp_path / 'imts-2099-01-01' / 'response.csv'} (")
    assert len(lines) == 4  # one line a step, nothing else


def test_other_loggers_stay_off_the_terminal():
    stream = io.StringIO()
    handler = progress.show("bilateral.imts", "fetch", stream)
    try:
        logging.getLogger("bilateral.panel").warning("not a fetch step")
        logging.getLogger("urllib3").warning("nor this")
    finally:
        logging.getLogger("bilateral.imts").removeHandler(handler)
    assert stream.getvalue() == ""
