"""Download one IMTS vintage: the body byte-for-byte and a metadata file beside it.

Only this module touches the network. A vintage already on disk is never downloaded again.
A vintage is kept only when it is whole and valid: the body is downloaded within one overall
deadline, checked for completeness as far as HTTP allows, parsed and validated with the same
parser and raw-data schema the parse step uses, written with metadata.json into a hidden
partial folder beside the target, and only then moved into place in one rename. A failed pull
leaves nothing in data/raw that a later run could take for a vintage.

What "whole" can mean: SDMX-CSV has no terminator, so a body cut at a line boundary parses
cleanly. The body is trusted to be whole only when HTTP framed it: a Content-Length that the
bytes received match (urllib3 checks this), or chunked transfer encoding, whose last chunk marks
the end. A CSV body with neither framing is refused (it cannot be told from a cut one); an XML
body without framing is accepted when well-formed, its closing root tag being the terminator.
What no client can see: a server that itself stops writing early but frames what it wrote.
metadata.json lists the requested series the answer holds no value for ("series_without_data"),
for a reader to judge.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import urllib3
from urllib3.exceptions import (
    HTTPError,
    MaxRetryError,
    NameResolutionError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util import Retry, Timeout, parse_url
from urllib3.util.util import reraise

from .. import __version__
from ..atomic import _umask, write_bytes
from ..checksums import sha256_bytes, sha256_file
from ..defaults import defaults
from .parse import ImtsFormatError, parse, structure_id
from .request import ImtsRequest

log = logging.getLogger(__name__)

METADATA = "metadata.json"
CITATION = (
    "International Monetary Fund, International Trade in Goods (by partner country) (IMTS, "
    "formerly Direction of Trade Statistics), IMF.STA:IMTS, retrieved from api.imf.org on {vintage}."
)
RETRY_STATUSES = (429, 500, 502, 503, 504)


class FetchError(RuntimeError):
    """The IMF answer could not be obtained or is not usable; nothing was written."""


def body_name(request: ImtsRequest) -> str:
    return f"response.{request.format}"


def retry_hint(folder: Path) -> str:
    vintage = folder.name.removeprefix("imts-")
    return f"nothing was kept; pull again later with `make update-data VINTAGE={vintage}`"


class TransientRetry(Retry):
    """urllib3's Retry, except that a host name that does not resolve is not retried: that is a
    typo in the URL or no network, which a few seconds of backoff do not cure."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):
        if isinstance(error, NameResolutionError):
            raise reraise(type(error), error, _stacktrace)
        return super().increment(method, url, response, error, _pool, _stacktrace)


def session(retries: int, backoff: float, user_agent: str, timeout=(10.0, 120.0)) -> urllib3.PoolManager:
    """A connection pool that retries timeouts, broken bodies, 429 and 5xx with backoff, never other 4xx
    nor a name-resolution failure."""
    # urllib3 retries the first time at once, then waits backoff x 2, 4, 8 ... seconds (at most
    # a minute); a server's Retry-After is obeyed up to two minutes.
    retry = TransientRetry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        backoff_factor=backoff,
        backoff_max=60,
        retry_after_max=120,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    headers = {"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate"}  # urllib3 decodes both
    return urllib3.PoolManager(retries=retry, timeout=Timeout(connect=timeout[0], read=timeout[1]), headers=headers)


def _failure(url: str, http: urllib3.PoolManager, exc: HTTPError) -> FetchError:
    if isinstance(exc, NameResolutionError):
        host = parse_url(url).host
        return FetchError(
            f"{url}: the host name {host!r} does not resolve (no network, no DNS, or a wrong imts.base_url); "
            "not retried"
        )
    reason = getattr(exc, "reason", None) or exc
    retries = http.connection_pool_kw["retries"].total
    return FetchError(f"{url}: no usable answer ({retries} retries allowed; {type(reason).__name__}: {reason})")


def get(http: urllib3.PoolManager, url: str, accept: str, extra_headers: dict | None = None):
    """GET with the pool's retries; the whole body is read before the answer is returned."""
    headers = {**http.headers, "Accept": accept, **(extra_headers or {})}
    try:
        return http.request("GET", url, headers=headers, preload_content=True)
    except HTTPError as exc:
        raise _failure(url, http, exc) from None


def download(
    http: urllib3.PoolManager,
    url: str,
    accept: str,
    extra_headers: dict | None,
    deadline: float,
    before_try: Callable[[], None] | None = None,
):
    """GET within `deadline` seconds overall: (response, body).

    `before_try` is called before every try, the first and each retry (a batch's rate limit:
    bilateral.imts.batch); the time it waits counts against the deadline.

    The pool's Retry decides, as urllib3 would inside one request, which failure is retried
    (connection errors, timeouts, a body that breaks off, 429 and 5xx), how often, and how long
    to wait (backoff, Retry-After); the tries are driven here so that each gets only the time
    left, no wait runs past the deadline, and a body that trickles in is cut at the deadline.
    """
    headers = {**http.headers, "Accept": accept, **(extra_headers or {})}
    retry, timeout = http.connection_pool_kw["retries"], http.connection_pool_kw["timeout"]
    ends = time.monotonic() + deadline
    while True:
        if before_try is not None:
            before_try()
        left = _left(ends, url, deadline)
        per_try = Timeout(connect=min(timeout.connect_timeout, left), read=min(timeout.read_timeout, left))
        response = None
        try:
            response = http.request("GET", url, headers=headers, preload_content=False, retries=False, timeout=per_try)
            if not retry.is_retry("GET", response.status, "Retry-After" in response.headers):
                return response, _read_before(response, ends, url, deadline)
            retry = retry.increment("GET", url, response=response)
            log.info("HTTP %d; retrying", response.status)
            response.drain_conn()
        except MaxRetryError as exhausted:
            if response is not None and isinstance(exhausted.reason, ResponseError):
                # Retries on a status used up: the last answer (e.g. 503) is reported as it is.
                return response, _read_before(response, ends, url, deadline)
            raise _failure(url, http, exhausted) from None
        except HTTPError as exc:  # connection refused or reset, timeouts, a body cut short
            _left(ends, url, deadline)  # a deadline that passed is the clearer message
            try:
                retry = retry.increment("GET", url, error=exc)
            except HTTPError as final:
                raise _failure(url, http, final) from None
            log.info("%s: %s; retrying", type(exc).__name__, exc)
        _wait(retry, response, ends, url, deadline)


def _wait(retry: Retry, response, ends: float, url: str, deadline: float) -> None:
    """Sleep as the Retry says (Retry-After or backoff), unless that passes the deadline."""
    after = retry.get_retry_after(response) if response is not None and retry.respect_retry_after_header else None
    pause = after if after else retry.get_backoff_time()
    if time.monotonic() + pause >= ends:
        raise FetchError(
            f"{url}: the next try would start after the deadline of {deadline:g} s (wait {pause:g} s asked); "
            "the server is busy or too slow now: try later, or allow more time (the fetch deadline)"
        )
    time.sleep(pause)


def _left(ends: float, url: str, deadline: float) -> float:
    left = ends - time.monotonic()
    if left <= 0:
        raise FetchError(
            f"{url}: no complete answer within the deadline of {deadline:g} s (retries and waits included); "
            "the server is too slow now: try later, or allow more time (the fetch deadline)"
        )
    return left


def _read_before(response, ends: float, url: str, deadline: float) -> bytes:
    """The whole (decoded) body, or FetchError once the deadline has passed."""
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        # The blocked read returns and the body comes out short; once the body is read and
        # the connection released, there is nothing to shut.
        with contextlib.suppress(RuntimeError, ValueError, OSError):
            response.shutdown()

    timer = threading.Timer(max(ends - time.monotonic(), 0.0), cut)
    timer.daemon = True
    timer.start()
    try:
        body = response.read()
    except (ProtocolError, ReadTimeoutError):
        if expired.is_set():
            _left(ends, url, deadline)
        raise
    finally:
        timer.cancel()
        response.release_conn()
    if expired.is_set():
        _left(ends, url, deadline)
    return body


def user_agent(contact: str = "") -> str:
    agent = f"bilateral/{__version__} (reproducible research pipeline, bilateral trade from IMF IMTS"
    return agent + (f"; {contact})" if contact else ")")


def is_complete(folder: Path, request: ImtsRequest) -> bool:
    """A vintage is complete when its metadata exists and matches the body's checksum."""
    meta, body = folder / METADATA, folder / body_name(request)
    if not (meta.exists() and body.exists()):
        return False
    return json.loads(meta.read_text(encoding="utf-8")).get("sha256") == sha256_file(body)


def fetch(
    request: ImtsRequest,
    folder: str | Path,
    vintage: str,
    *,
    retries: int | None = None,
    backoff: float | None = None,
    timeout: tuple[float, float] | None = None,
    contact: str | None = None,
    deadline: float | None = None,
) -> Path:
    """Download `request` into `folder` unless that vintage is already there.

    `deadline`: seconds for the whole pull (all tries, waits and the body); then it gives up.
    An option not given is config `imts`'s default (config/schema.yaml).
    """
    imts = defaults("imts")
    retries = imts["retries"] if retries is None else retries
    backoff = imts["backoff"] if backoff is None else backoff
    timeout = (imts["connect_timeout"], imts["read_timeout"]) if timeout is None else timeout
    contact = imts["contact"] if contact is None else contact
    deadline = imts["deadline"] if deadline is None else deadline
    folder = Path(folder)
    if is_complete(folder, request):
        check_request(folder, request)
        log.info("%s is already on disk; not downloading it again", folder)
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise FetchError(
            f"{folder}: holds files but no complete vintage (no {METADATA} matching the body): it is not used. "
            f"Move the folder away (e.g. to {folder.name}.old), then pull again: "
            f"`make update-data VINTAGE={vintage}`"
        )
    try:
        _download(request, folder, vintage, retries, backoff, timeout, contact, deadline)
    except BaseException:
        # Snakemake makes the output folder before the job: leave no empty vintage behind.
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    return folder


def _download(request, folder, vintage, retries, backoff, timeout, contact, deadline) -> None:
    url = request.url
    http = session(retries, backoff, user_agent(contact), timeout)
    log.info("requesting %s", url)
    started = time.monotonic()
    requested_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    response, body = download(http, url, request.accept, request.extra_headers, deadline)
    log.info("HTTP %d, %d bytes in %.1f s", response.status, len(body), time.monotonic() - started)
    if response.status != 200:
        text = body[:300].decode("utf-8", "replace")
        raise FetchError(f"{url}: HTTP {response.status} {response.reason}: {text!r}")
    content_type = response.headers.get("Content-Type", "")
    _check_framing(response.headers, content_type, url, folder)
    try:
        rows = parse(body, content_type, request, where=f"{url} (body, as {body_name(request)})")
    except ImtsFormatError as exc:
        quoted = _quote_lines(str(exc), body)
        raise FetchError(
            f"{exc}{quoted}\n{retry_hint(folder)} (or report the answer to the IMF if it stays so)"
        ) from None
    metadata = _metadata(request, vintage, http, response, body, requested_at, rows, deadline)
    _keep(folder, {body_name(request): body, METADATA: _json(metadata).encode()})
    log.info("wrote %s (%d observations) and %s", folder / body_name(request), len(rows), METADATA)


def _quote_lines(message: str, body: bytes, limit: int = 3) -> str:
    """The body lines a message names, quoted: nothing is kept on disk to open at that line."""
    numbers = list(dict.fromkeys(int(n) for n in re.findall(r"\bline (\d+)", message)))[:limit]
    lines = body.decode("utf-8", "replace").splitlines()
    quoted = [f"  line {n} of the answer: {lines[n - 1][:200]}" for n in numbers if 0 < n <= len(lines)]
    return "\n" + "\n".join(quoted) if quoted else ""


def _check_framing(headers, content_type: str, url: str, folder: Path) -> None:
    """A CSV body is trusted to be whole only when HTTP framed it (module docstring)."""
    framed = "Content-Length" in headers or "chunked" in headers.get("Transfer-Encoding", "").lower()
    if not framed and "xml" not in content_type.lower():
        raise FetchError(
            f"{url}: the answer has neither Content-Length nor chunked transfer encoding, so a CSV body cut "
            f"short at a line boundary could not be told from a whole one; {retry_hint(folder)}, or ask for "
            "imts.format: xml, whose closing tag shows the end"
        )


def _metadata(request, vintage, http, response, body, requested_at, rows, deadline) -> dict:
    content_type = response.headers.get("Content-Type", "")
    return {
        "dataset": f"imts-{vintage}",
        "producer": "International Monetary Fund (IMF), Statistics Department",
        "title": "International Trade in Goods (by partner country) (IMTS), annual",
        "vintage": vintage,
        "unit": "US dollars, millions (the API's plain US dollars divided by 10^6)",
        "citation": CITATION.format(vintage=vintage),
        "licence": "© International Monetary Fund; IMF terms of use for data (https://www.imf.org/external/terms.htm).",
        "request_url": request.url,
        "sent_url": parse_url(request.url).url,  # as percent-encoded on the wire
        "request_headers": {"Accept": request.accept, "User-Agent": http.headers["User-Agent"]},
        "requested_at_utc": requested_at,
        "deadline_s": deadline,
        "http_status": response.status,
        "response_headers": dict(sorted(response.headers.items())),
        "content_type": content_type,
        "body_file": body_name(request),
        "bytes": len(body),
        "sha256": sha256_bytes(body),
        "structure_id": structure_id(body, content_type),
        "observations": len(rows),
        "series_without_data": series_without_data(request, rows),
        "program": f"bilateral {__version__} (bilateral.imts.fetch)",
    }


def series_without_data(request: ImtsRequest, rows) -> list[str]:
    """Requested series (reporter.indicator.partner) with no value in the answer: many simply do not
    exist (the USSR after 1991, a country's report to itself); a long list may also mean a cut body."""
    from .parse import INDICATOR_CODES

    found = set(zip(rows["reporter_code"], rows["indicator"], rows["partner_code"], strict=True))
    return [
        f"{reporter}.{indicator}.{partner}"
        for reporter in request.reporters
        for indicator in request.indicators
        for partner in request.partners
        if reporter != partner and (reporter, INDICATOR_CODES.get(indicator), partner) not in found
    ]


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _keep(folder: Path, files: dict[str, bytes]) -> None:
    """Write `files` into a hidden partial folder beside `folder`, then rename it into place:
    the vintage appears whole or not at all, and a crash leaves only a `.part` folder no rule reads."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".part", dir=folder.parent))
    try:
        for name, data in files.items():
            write_bytes(partial / name, data)
        os.chmod(partial, 0o777 & ~_umask())  # mkdtemp's folder is private
        # rename(2) replaces the empty folder Snakemake may have made; it refuses a non-empty one.
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


def check_request(folder: Path, request: ImtsRequest) -> dict:
    """The vintage on disk must answer the request configured now (same key, years, format)."""
    metadata = json.loads((folder / METADATA).read_text(encoding="utf-8"))
    asked = request.url.split("/data/", 1)[1]
    recorded = metadata["request_url"].split("/data/", 1)[-1]
    if recorded != asked or metadata.get("body_file") != body_name(request):
        raise FetchError(
            f"{folder} was pulled for .../data/{recorded} ({metadata.get('body_file')}); the configuration now asks "
            f"for .../data/{asked} ({body_name(request)}). A vintage is never changed: pull a new vintage "
            "(another date) or restore the configuration."
        )
    return metadata


def parse_vintage(folder: str | Path, request: ImtsRequest):
    """Parse a vintage on disk with the parser its recorded content type calls for."""
    folder = Path(folder)
    metadata = check_request(folder, request)
    body_path = folder / metadata["body_file"]
    if sha256_file(body_path) != metadata["sha256"]:
        raise FetchError(f"{body_path}: sha256 differs from {folder / METADATA}; the raw file was changed")
    try:
        return parse(body_path.read_bytes(), metadata["content_type"], request, where=str(body_path))
    except ImtsFormatError as exc:
        # Only a vintage kept by an earlier version, which validated after writing, gets here.
        raise ImtsFormatError(
            f"{exc}\n{folder} is not a valid vintage and is never used: move it away (e.g. to {folder.name}.bad); "
            + retry_hint(folder).replace("nothing was kept; pull", "then pull")
        ) from None
