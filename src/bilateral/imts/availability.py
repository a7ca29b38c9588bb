"""Ask the availability endpoint which years exist for each series, before downloading."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable

from .fetch import FetchError, get, session, user_agent
from .request import ImtsRequest


def time_range(answer: dict) -> tuple[str, str]:
    """(first, last) period from an availability answer's sdmx_metrics annotations."""
    found = {}
    for constraint in answer.get("data", {}).get("dataConstraints", []):
        for note in constraint.get("annotations", []):
            if note.get("id") in ("time_period_start", "time_period_end"):
                found[note["id"]] = note.get("title", "")
    return found.get("time_period_start", ""), found.get("time_period_end", "")


def series_of(requests: Iterable[ImtsRequest]) -> list[tuple[str, str, str]]:
    """(reporter, indicator, partner) of every series the requests ask for, each once, in order."""
    found: dict[tuple[str, str, str], None] = {}
    for request in requests:
        for one in itertools.product(request.reporters, request.indicators, request.partners):
            if one[0] != one[2]:
                found[one] = None
    return list(found)


def report(
    requests: ImtsRequest | Iterable[ImtsRequest],
    timeout=(10.0, 60.0),
    retries: int = 2,
    pause: float = 1.0,
    progress=None,
) -> str:
    """One availability request per series of `requests` (a run's plan: every pair's), `pause`
    seconds apart (the IMF allows 10 requests in 5 seconds, retries included: 1 s leaves room)."""
    if isinstance(requests, ImtsRequest):
        requests = [requests]
    requests = list(requests)
    http = session(retries, 1.0, user_agent(), timeout)
    lines = [f"{'series':<32} first       last"]
    series = series_of(requests)
    for number, (reporter, indicator, partner) in enumerate(series):
        if number and pause:
            time.sleep(pause)
        if progress and len(series) > 1:
            progress(f"availability {number + 1}/{len(series)}: {reporter}.{indicator}.{partner}")
        one = ImtsRequest(
            reporters=(reporter,), indicators=(indicator,), partners=(partner,), base_url=requests[0].base_url
        )
        url = one.availability_url("TIME_PERIOD")
        response = get(http, url, "application/json")
        if response.status != 200:
            raise FetchError(f"{url}: HTTP {response.status}")
        first, last = time_range(json.loads(response.data))
        lines.append(f"{reporter}.{indicator}.{partner:<14} {first or '-':<11} {last or '-'}")
    return "\n".join(lines)
