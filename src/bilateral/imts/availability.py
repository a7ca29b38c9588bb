"""Ask the availability endpoint which years exist for each series, before downloading."""

from __future__ import annotations

import itertools
import json
import time

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


def report(request: ImtsRequest, timeout=(10.0, 60.0), retries: int = 2, pause: float = 1.0) -> str:
    """One availability request per series, `pause` seconds apart (the IMF's limits are undocumented)."""
    http = session(retries, 1.0, user_agent(), timeout)
    lines = [f"{'series':<32} first       last"]
    pairs = [
        (reporter, indicator, partner)
        for reporter, indicator, partner in itertools.product(request.reporters, request.indicators, request.partners)
        if reporter != partner
    ]
    for number, (reporter, indicator, partner) in enumerate(pairs):
        if number and pause:
            time.sleep(pause)
        one = ImtsRequest(
            reporters=(reporter,), indicators=(indicator,), partners=(partner,), base_url=request.base_url
        )
        url = one.availability_url("TIME_PERIOD")
        response = get(http, url, "application/json")
        if response.status != 200:
            raise FetchError(f"{url}: HTTP {response.status}")
        first, last = time_range(json.loads(response.data))
        lines.append(f"{reporter}.{indicator}.{partner:<14} {first or '-':<11} {last or '-'}")
    return "\n".join(lines)
