"""The data requests of a run (../shared/docs/imf-api.md, sections 0 and 5).

One pair: one request, every code of the pair as reporter and as partner (`request_fields`).
Many pairs: one request per reporter (`plan`), each asking for that reporter's report of the
partners the run's pairs need from it: the home country's report of its partner, the partner's
report of the home country (the mirror), the predecessor's, and the World total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from ..defaults import defaults
from ..pair import Pair

FLOW = "dataflow/IMF.STA/IMTS/+"  # version '+' = latest stable; the answer names the one used
MEDIA_TYPES = {
    "csv": "application/vnd.sdmx.data+csv;version=2.0.0",
    "xml": "application/xml",
}


def _default(key: str):
    """A request field of the default config (config/schema.yaml): the pair's codes, `imts` keys."""
    reporters, partners = Pair().imts_codes()
    if key == "reporters":
        return tuple(reporters)
    if key == "partners":
        return tuple(partners)
    value = defaults("imts", key)
    return tuple(value) if isinstance(value, list) else value


@dataclass(frozen=True)
class ImtsRequest:
    reporters: tuple[str, ...] = field(default_factory=lambda: _default("reporters"))
    indicators: tuple[str, ...] = field(default_factory=lambda: _default("indicators"))
    partners: tuple[str, ...] = field(default_factory=lambda: _default("partners"))
    frequency: str = "A"  # annual: the only frequency the project uses, not a setting
    first_year: int = field(default_factory=lambda: _default("first_year"))
    base_url: str = field(default_factory=lambda: _default("base_url"))
    format: str = field(default_factory=lambda: _default("format"))
    extra_headers: dict = field(default_factory=dict)

    @property
    def key(self) -> str:
        # COUNTRY.INDICATOR.COUNTERPART_COUNTRY.FREQUENCY, several codes joined with '+'.
        return ".".join(["+".join(self.reporters), "+".join(self.indicators), "+".join(self.partners), self.frequency])

    @property
    def url(self) -> str:
        time_filter = quote(f"ge:{self.first_year}", safe=":")
        return f"{self.base_url.rstrip('/')}/data/{FLOW}/{self.key}?c[TIME_PERIOD]={time_filter}"

    @property
    def accept(self) -> str:
        if self.format not in MEDIA_TYPES:
            raise ValueError(f"format {self.format!r} unknown; choose one of {sorted(MEDIA_TYPES)}")
        return MEDIA_TYPES[self.format]

    def availability_url(self, dimension: str = "TIME_PERIOD") -> str:
        base = self.base_url.rstrip("/")
        return f"{base}/availability/dataflow/IMF.STA/IMTS/+/{self.key}/{dimension}"


# Request fields taken from config 'imts' as they are; the codes come from config 'pair'.
CONFIG_KEYS = ("indicators", "first_year", "base_url", "format")


def request_fields(config: dict) -> dict:
    """The request of a (schema-completed) workflow config, as plain JSON-able fields."""
    reporters, partners = Pair.from_config(config["pair"]).imts_codes()
    return {k: config["imts"][k] for k in CONFIG_KEYS} | {"reporters": list(reporters), "partners": list(partners)}


def from_fields(fields: dict) -> ImtsRequest:
    """The request of `request_fields` (lists become tuples: a request is hashable)."""
    return ImtsRequest(**{key: tuple(value) if isinstance(value, list) else value for key, value in fields.items()})


# A body file per planned request: the single request keeps the name it always had.
SINGLE_BODY = "response.{format}"
# The IMF answers HTTP 400 to very long '+' lists (imf-api.md, 1.12 item 7): a reporter with more
# partners than this is asked in several requests (RUS x 215 reporters: 5 requests of at most 50).
MAX_PARTNERS = 50
WORLD = "G001"


def plan(config: dict, pairs) -> dict[str, ImtsRequest]:
    """The requests of a run, body file name -> request, in the order they are made.

    `pairs`: the run's pairs (bilateral.pairs.configured, the first being config `pair`). One pair
    gives today's single request (`request_fields`, response.csv); several give one request per
    reporter, named response-<reporter>.csv (response-<reporter>-<n>.csv when split, MAX_PARTNERS)."""
    pairs = list(pairs.values()) if isinstance(pairs, dict) else list(pairs)
    if len(pairs) <= 1:
        single = from_fields(request_fields(config))
        return {SINGLE_BODY.format(format=single.format): single}
    fields = {k: config["imts"][k] for k in CONFIG_KEYS}
    requests = {}
    for reporter, partners in reporter_partners(pairs).items():
        chunks = [partners[i : i + MAX_PARTNERS] for i in range(0, len(partners), MAX_PARTNERS)]
        for number, chunk in enumerate(chunks, start=1):
            suffix = f"-{number}" if len(chunks) > 1 else ""
            name = f"response-{reporter}{suffix}.{fields['format']}"
            requests[name] = from_fields(fields | {"reporters": [reporter], "partners": chunk})
    return requests


def reporter_partners(pairs) -> dict[str, list[str]]:
    """Reporter -> the partners the pairs need its report of (first seen first, the World last).

    Each pair asks, as its single request did, for every code of the pair as reporter and partner
    (Pair.imts_codes); the union is taken per reporter. A country's report of itself is left out:
    no such series exists."""
    found: dict[str, dict[str, None]] = {}
    for pair in pairs:
        reporters, partners = pair.imts_codes()
        for reporter in reporters:
            wanted = found.setdefault(reporter, {})
            for partner in partners:
                if partner not in (reporter, WORLD):
                    wanted[partner] = None
    return {reporter: [*partners, WORLD] for reporter, partners in found.items()}


def plan_fields(config: dict, pairs) -> dict[str, dict]:
    """`plan` as plain JSON-able fields (Snakemake params)."""
    return {name: _fields(request) for name, request in plan(config, pairs).items()}


def from_plan_fields(fields: dict[str, dict]) -> dict[str, ImtsRequest]:
    return {name: from_fields(one) for name, one in fields.items()}


def _fields(request: ImtsRequest) -> dict:
    keys = (*CONFIG_KEYS, "reporters", "partners")
    return {key: list(v) if isinstance(v := getattr(request, key), tuple) else v for key in keys}
