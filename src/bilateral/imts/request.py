"""The one data request the project makes (../shared/docs/imf-api.md, sections 0 and 5)."""

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
