"""Download one IMTS vintage: the body byte-for-byte and a metadata file beside it.

Only this module touches the network. A vintage already on disk is never downloaded again.
The body is parsed before anything is written, so a bad answer leaves nothing in data/raw.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path

import urllib3
from urllib3.exceptions import HTTPError
from urllib3.util import Retry, Timeout, parse_url

from .. import __version__
from ..atomic import write_bytes, write_text
from ..checksums import sha256_bytes, sha256_file
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


def session(retries: int, backoff: float, user_agent: str, timeout=(10.0, 120.0)) -> urllib3.PoolManager:
    """A connection pool that retries timeouts, broken bodies, 429 and 5xx with backoff, never other 4xx."""
    # urllib3 retries the first time at once, then waits backoff x 2, 4, 8 ... seconds (at most
    # a minute); a server's Retry-After is obeyed up to two minutes. urllib3 itself, not requests:
    # it reads the whole body inside its retry loop (preload_content), so a connection that breaks
    # in the middle of the body is retried too, where requests would give up.
    retry = Retry(
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


def get(http: urllib3.PoolManager, url: str, accept: str, extra_headers: dict | None = None):
    """GET with the pool's retries; the whole body is read before the answer is returned."""
    headers = {**http.headers, "Accept": accept, **(extra_headers or {})}
    try:
        return http.request("GET", url, headers=headers, preload_content=True)
    except HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        retries = http.connection_pool_kw["retries"].total
        raise FetchError(
            f"{url}: no usable answer ({retries} retries allowed; {type(reason).__name__}: {reason})"
        ) from None


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
    retries: int = 4,
    backoff: float = 1.0,
    timeout: tuple[float, float] = (10.0, 120.0),
    contact: str = "",
) -> Path:
    """Download `request` into `folder` unless that vintage is already there."""
    folder = Path(folder)
    if is_complete(folder, request):
        check_request(folder, request)
        log.info("%s is already on disk; not downloading it again", folder)
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise FetchError(f"{folder}: holds files but no complete vintage; move them away and pull again")
    try:
        return _download(request, folder, vintage, retries, backoff, timeout, contact)
    except BaseException:
        # Snakemake makes the output folder before the job: leave no empty vintage behind.
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        raise


def _download(request, folder, vintage, retries, backoff, timeout, contact) -> Path:
    url = request.url
    http = session(retries, backoff, user_agent(contact), timeout)
    log.info("requesting %s", url)
    started = time.monotonic()
    requested_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    response = get(http, url, request.accept, request.extra_headers)
    body = response.data
    log.info("HTTP %d, %d bytes in %.1f s", response.status, len(body), time.monotonic() - started)
    if response.status != 200:
        text = body[:300].decode("utf-8", "replace")
        raise FetchError(f"{url}: HTTP {response.status} {response.reason}: {text!r}")
    content_type = response.headers.get("Content-Type", "")
    try:
        rows = parse(body, content_type, request, where=url)
    except ImtsFormatError as exc:
        raise FetchError(str(exc)) from None
    metadata = {
        "dataset": f"imts-{vintage}",
        "producer": "International Monetary Fund (IMF), Statistics Department",
        "title": "International Trade in Goods (by partner country) (IMTS), annual",
        "vintage": vintage,
        "unit": "US dollars, millions (the API's plain US dollars divided by 10^6)",
        "citation": CITATION.format(vintage=vintage),
        "licence": "© International Monetary Fund; IMF terms of use for data (https://www.imf.org/external/terms.htm).",
        "request_url": url,
        "sent_url": parse_url(url).url,  # as percent-encoded on the wire
        "request_headers": {"Accept": request.accept, "User-Agent": http.headers["User-Agent"]},
        "requested_at_utc": requested_at,
        "http_status": response.status,
        "response_headers": dict(sorted(response.headers.items())),
        "content_type": content_type,
        "body_file": body_name(request),
        "bytes": len(body),
        "sha256": sha256_bytes(body),
        "structure_id": structure_id(body, content_type),
        "observations": len(rows),
        "program": f"bilateral {__version__} (bilateral.imts.fetch)",
    }
    body_path = folder / body_name(request)
    try:
        write_bytes(body_path, body)
        # The metadata file goes last: it marks the vintage as complete.
        write_text(folder / METADATA, json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    except BaseException:
        body_path.unlink(missing_ok=True)
        raise
    log.info("wrote %s (%d observations) and %s", body_path, len(rows), METADATA)
    return folder


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
    return parse(body_path.read_bytes(), metadata["content_type"], request, where=str(body_path))
