"""Pull a plan of IMTS requests (a run of many pairs): in order, within the API's rate limit,
resumable after an interruption, and kept as one vintage only when every request is done.

One request (one pair) is today's pull exactly (`fetch.fetch`: response.csv and its metadata.json).
Several requests (request.plan: one per reporter):

- Rate limit: the API allows 10 requests per 5 seconds. Every try counts, retries included:
  `fetch.download` (which drives the retries) calls `RateLimit.wait` before each one, so no 5 s
  window ever holds more than 10 tries, whatever fails.
- Resumable: each answer, once checked like a single pull (HTTP 200, framing, parsed and validated),
  is written atomically with a small record of its own (URL, sha256, time) into the hidden partial
  folder `data/raw/.imts-<vintage>.part/`. A rerun after an interruption keeps every finished
  answer whose record matches its body and asks only for the others. The partial folder is named
  after no output, so Snakemake neither reads nor deletes it.
- Atomic completion: only when all requests are done is metadata.json (listing every request)
  written and the partial folder renamed into `data/raw/imts-<vintage>/` in one step. Until then
  no vintage folder exists for a rule to read.
- An answer without data rows: an error naming the reporter and the URL when the reporter is the
  home country of a pair (its own report is the pair's main side: a figure without it is no
  figure of that country's trade, and the API answers an unknown code with exactly such an empty
  answer). For a reporter needed only for the mirror (the partner's or predecessor's report of the
  home country), a warning: the pair is still built from the home country's report, the mirror
  drawn as "no data in this vintage" (never zero), as with a source that lacks the partner's
  report; metadata.json lists such reporters under "reporters_without_data".
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import time
from pathlib import Path

import pandas as pd
from throttler import Throttler
from urllib3.util import parse_url

from .. import __version__, tidy
from ..atomic import write_bytes
from ..checksums import sha256_bytes, sha256_file
from ..defaults import defaults
from . import fetch
from .fetch import METADATA, FetchError
from .parse import ImtsFormatError, NoDataRows, parse, structure_id
from .request import ImtsRequest

log = logging.getLogger(__name__)

# The IMF's limit for api.imf.org: at most 10 requests in any 5 seconds.
RATE_REQUESTS = 10
RATE_PERIOD = 5.0
RECORD = ".request.json"  # beside each finished body in the partial folder: <body><RECORD>


class RateLimit:
    """At most `requests` tries in any `period` seconds (a rolling window), for synchronous code.

    The counting and waiting are throttler's (in the lock already, through Snakemake): its
    Throttler keeps the times of the last `requests` entries and lets a new one in only once the
    oldest is more than `period` seconds old."""

    def __init__(self, requests: int = RATE_REQUESTS, period: float = RATE_PERIOD) -> None:
        self.requests, self.period = requests, period
        self._throttler = Throttler(rate_limit=requests, period=period)

    def wait(self) -> None:
        asyncio.run(self._enter())

    async def _enter(self) -> None:
        async with self._throttler:
            pass


def partial_folder(folder: Path) -> Path:
    """Where the finished answers of an unfinished pull wait: data/raw/.imts-<vintage>.part/."""
    return folder.parent / f".{folder.name}.part"


def is_single(requests: dict[str, ImtsRequest]) -> bool:
    return len(requests) == 1


def pull(
    requests: dict[str, ImtsRequest],
    folder: str | Path,
    vintage: str,
    *,
    homes=(),
    retries: int | None = None,
    backoff: float | None = None,
    timeout: tuple[float, float] | None = None,
    contact: str | None = None,
    deadline: float | None = None,
    limit: RateLimit | None = None,
) -> Path:
    """Download the plan `requests` (body file -> request) into `folder` unless it is there.

    `homes`: the home countries of the run's pairs (an empty answer of theirs is an error).
    `deadline`: seconds for each request (its tries, waits and body). Options not given are
    config `imts`'s defaults."""
    folder = Path(folder)
    if is_single(requests):
        (request,) = requests.values()
        return fetch.fetch(
            request,
            folder,
            vintage,
            retries=retries,
            backoff=backoff,
            timeout=timeout,
            contact=contact,
            deadline=deadline,
        )
    imts = defaults("imts")
    retries = imts["retries"] if retries is None else retries
    backoff = imts["backoff"] if backoff is None else backoff
    timeout = (imts["connect_timeout"], imts["read_timeout"]) if timeout is None else timeout
    contact = imts["contact"] if contact is None else contact
    deadline = imts["deadline"] if deadline is None else deadline
    if is_complete(folder, requests):
        check_plan(folder, requests)
        log.info("%s is already on disk; not downloading it again", folder)
        return folder
    if folder.exists() and any(folder.iterdir()):
        raise FetchError(
            f"{folder}: holds files but no complete vintage (no {METADATA} matching the bodies): it is not used. "
            f"Move the folder away (e.g. to {folder.name}.old), then pull again: `make update-data VINTAGE={vintage}`"
        )
    try:
        _pull_all(requests, folder, vintage, set(homes), retries, backoff, timeout, contact, deadline, limit)
    except BaseException:
        # Snakemake makes the output folder before the job: leave no empty vintage behind.
        if folder.exists() and not any(folder.iterdir()):
            folder.rmdir()
        raise
    return folder


def _pull_all(requests, folder, vintage, homes, retries, backoff, timeout, contact, deadline, limit) -> None:
    partial = partial_folder(folder)
    partial.mkdir(parents=True, exist_ok=True)
    _discard_stale(partial, requests)
    http = fetch.session(retries, backoff, fetch.user_agent(contact), timeout)
    limit = limit or RateLimit()
    total = len(requests)
    records = []
    for number, (name, request) in enumerate(requests.items(), start=1):
        step = f"request {number}/{total}: {'+'.join(request.reporters)}"
        record = finished(partial, name, request)
        if record is not None:
            log.info("%s ... already done (kept from an earlier run)", step)
        else:
            log.info("%s ...", step)
            try:
                record = _pull_one(name, request, partial, http, limit, deadline, homes, folder)
            except FetchError as exc:
                done = sum(1 for n, r in requests.items() if finished(partial, n, r) is not None)
                raise FetchError(
                    f"{step} failed: {exc}\nThe {done} finished request(s) of {total} are kept in {partial}; "
                    f"run again (`make update-data VINTAGE={vintage}`) to ask only for the others."
                ) from None
            log.info("%s ... done (HTTP 200, %d observations)", step, record["observations"])
        records.append(record)
    _complete(partial, folder, vintage, records, http, deadline, limit)


def _pull_one(name, request, partial, http, limit, deadline, homes, folder) -> dict:
    url = request.url
    reporter = "+".join(request.reporters)
    requested_at = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    started = time.monotonic()
    response, body = fetch.download(http, url, request.accept, request.extra_headers, deadline, before_try=limit.wait)
    log.info("HTTP %d, %d bytes in %.1f s", response.status, len(body), time.monotonic() - started)
    if response.status != 200:
        text = body[:300].decode("utf-8", "replace")
        raise FetchError(f"{url}: HTTP {response.status} {response.reason}: {text!r}")
    content_type = response.headers.get("Content-Type", "")
    fetch._check_framing(response.headers, content_type, url, folder)
    try:
        rows = parse(body, content_type, request, where=f"{url} (body, as {name})")
    except NoDataRows:
        if set(request.reporters) & homes:
            raise FetchError(
                f"reporter {reporter}: {url} answered with no data rows. {reporter} is the home country of a pair: "
                "its own report is the pair's main side. The API answers an unknown code so: check the code "
                "(config pair/pairs), or leave that pair out"
            ) from None
        log.warning(
            "warning: reporter %s: %s answered with no data rows; its pairs are built from the home country's "
            "report, their mirror (%s's report) drawn as no data in this vintage",
            reporter,
            url,
            reporter,
        )
        rows = pd.DataFrame(columns=tidy.COLUMNS)
    except ImtsFormatError as exc:
        raise FetchError(f"{exc}{fetch._quote_lines(str(exc), body)}") from None
    record = {
        "reporter": reporter,
        "request_url": url,
        "sent_url": parse_url(url).url,
        "body_file": name,
        "requested_at_utc": requested_at,
        "http_status": response.status,
        "response_headers": dict(sorted(response.headers.items())),
        "content_type": content_type,
        "bytes": len(body),
        "sha256": sha256_bytes(body),
        "structure_id": structure_id(body, content_type),
        "observations": len(rows),
        "series_without_data": fetch.series_without_data(request, rows),
    }
    # The body first, its record last: a body without a record is not taken for a finished one.
    write_bytes(partial / name, body)
    write_bytes(partial / f"{name}{RECORD}", _json(record).encode())
    return record


def finished(partial: Path, name: str, request: ImtsRequest) -> dict | None:
    """The record of a finished answer in the partial folder, or None: a record must exist, name the
    same request and match its body's sha256 (a body written without its record is not finished)."""
    record_path, body = partial / f"{name}{RECORD}", partial / name
    if not (record_path.is_file() and body.is_file()):
        return None
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if record.get("request_url") != request.url or record.get("sha256") != sha256_file(body):
        return None
    return record


def _discard_stale(partial: Path, requests: dict[str, ImtsRequest]) -> None:
    """Remove what the plan cannot use: files of other requests, answers of another request under a
    planned name (settings changed since), bodies without a valid record (cut by an interruption)."""
    wanted = set(requests) | {f"{name}{RECORD}" for name in requests}
    for path in sorted(partial.iterdir()):
        stale = path.name not in wanted or (
            path.name in requests and finished(partial, path.name, requests[path.name]) is None
        )
        if stale and path.is_file():
            log.info("discarding %s (not a finished answer of this plan)", path)
            path.unlink()
            Path(f"{path}{RECORD}").unlink(missing_ok=True)


def _complete(partial, folder, vintage, records, http, deadline, limit) -> None:
    """metadata.json into the partial folder, the records out, then one rename into place."""
    empty = [record["reporter"] for record in records if record["observations"] == 0]
    metadata = {
        "dataset": f"imts-{vintage}",
        "producer": "International Monetary Fund (IMF), Statistics Department",
        "title": "International Trade in Goods (by partner country) (IMTS), annual",
        "vintage": vintage,
        "unit": "US dollars, millions (the API's plain US dollars divided by 10^6)",
        "citation": fetch.CITATION.format(vintage=vintage),
        "licence": "© International Monetary Fund; IMF terms of use for data (https://www.imf.org/external/terms.htm).",
        "request_headers": {"User-Agent": http.headers["User-Agent"]},
        "deadline_s": deadline,
        "rate_limit": f"at most {limit.requests} tries in any {limit.period:g} s, retries included",
        "requests": records,
        "reporters_without_data": empty,
        "program": f"bilateral {__version__} (bilateral.imts.batch)",
    }
    write_bytes(partial / METADATA, _json(metadata).encode())
    for record in records:
        (partial / f"{record['body_file']}{RECORD}").unlink()
    folder.parent.mkdir(parents=True, exist_ok=True)
    # rename(2) replaces the empty folder Snakemake may have made; it refuses a non-empty one.
    os.replace(partial, folder)
    log.info("wrote %s: %d answers and %s", folder, len(records), METADATA)


def _json(data: dict) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def is_complete(folder: Path, requests: dict[str, ImtsRequest]) -> bool:
    """A vintage on disk: its metadata exists and every body it lists matches its checksum."""
    if is_single(requests):
        return fetch.is_complete(folder, next(iter(requests.values())))
    meta = folder / METADATA
    if not meta.is_file():
        return False
    listed = json.loads(meta.read_text(encoding="utf-8")).get("requests")
    if not listed:
        return False
    return all(
        (folder / r["body_file"]).is_file() and sha256_file(folder / r["body_file"]) == r["sha256"] for r in listed
    )


def check_plan(folder: Path, requests: dict[str, ImtsRequest]) -> dict:
    """The vintage on disk must answer the plan configured now: the same requests (pairs, codes,
    years, format) under the same file names. A vintage is never changed."""
    if is_single(requests) and "requests" not in _metadata(folder):
        return fetch.check_request(folder, next(iter(requests.values())))
    metadata = _metadata(folder)
    recorded = [(r["body_file"], r["request_url"].split("/data/", 1)[-1]) for r in metadata.get("requests", [])]
    if not recorded:  # a single pull on disk, a plan of many now
        recorded = [(metadata.get("body_file"), metadata["request_url"].split("/data/", 1)[-1])]
    asked = [(name, request.url.split("/data/", 1)[1]) for name, request in requests.items()]
    if recorded != asked:
        differ = next((pair for pair in zip(recorded, asked, strict=False) if pair[0] != pair[1]), None)
        if differ:
            (disk_name, disk_key), (asked_name, asked_key) = differ
            detail = (
                f"first difference: on disk {disk_name} .../data/{disk_key}, asked {asked_name} .../data/{asked_key}"
            )
        else:
            detail = f"{len(recorded)} request(s) on disk, {len(asked)} asked"
        raise FetchError(
            f"{folder} was pulled for {len(recorded)} request(s), the configuration now asks for {len(asked)}, not "
            f"the same ({detail}). A vintage is never changed: pull a new vintage (another date) for these pairs, "
            "or restore the configuration."
        )
    return metadata


def _metadata(folder: Path) -> dict:
    return json.loads((folder / METADATA).read_text(encoding="utf-8"))


def parse_plan(folder: str | Path, requests: dict[str, ImtsRequest]) -> pd.DataFrame:
    """Every answer of a vintage on disk in the tidy shape (one frame, canonical order). One request:
    exactly `fetch.parse_vintage`. Answers recorded without data rows add nothing."""
    folder = Path(folder)
    if is_single(requests):
        return fetch.parse_vintage(folder, next(iter(requests.values())))
    metadata = check_plan(folder, requests)
    frames = []
    for record in metadata["requests"]:
        body_path = folder / record["body_file"]
        if sha256_file(body_path) != record["sha256"]:
            raise FetchError(f"{body_path}: sha256 differs from {folder / METADATA}; the raw file was changed")
        if record["observations"] == 0:
            continue
        request = requests[record["body_file"]]
        frames.append(parse(body_path.read_bytes(), record["content_type"], request, where=str(body_path)))
    return tidy.finish(pd.concat(frames, ignore_index=True))
