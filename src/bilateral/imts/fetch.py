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

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

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


def session(retries: int, backoff: float, user_agent: str) -> requests.Session:
    """A session that retries timeouts, 429 and 5xx with exponential backoff, never other 4xx."""
    # urllib3 retries the first time at once, then waits backoff x 2, 4, 8 ... seconds (at most
    # a minute); a server's Retry-After is obeyed up to two minutes.
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
    http = requests.Session()
    http.mount("http://", HTTPAdapter(max_retries=retry))
    http.mount("https://", HTTPAdapter(max_retries=retry))
    http.headers["User-Agent"] = user_agent
    return http


def user_agent(contact: str = "") -> str:
    agent = f"bilateral/{__version__} (reproducible research pipeline, Bangladesh-Russia trade"
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
    http = session(retries, backoff, user_agent(contact))
    log.info("requesting %s", url)
    started = time.monotonic()
    requested_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    try:
        response = http.get(url, headers={"Accept": request.accept, **request.extra_headers}, timeout=timeout)
    except requests.exceptions.RequestException as exc:
        raise FetchError(f"{url}: no usable answer ({retries} retries allowed; {type(exc).__name__}: {exc})") from None
    log.info("HTTP %d, %d bytes in %.1f s", response.status_code, len(response.content), time.monotonic() - started)
    if response.status_code != 200:
        raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}: {response.text[:300]!r}")
    body = response.content
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
        "sent_url": response.request.url,  # as percent-encoded on the wire
        "request_headers": {"Accept": request.accept, "User-Agent": http.headers["User-Agent"]},
        "requested_at_utc": requested_at,
        "http_status": response.status_code,
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
