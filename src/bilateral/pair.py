"""The country pair the workflow studies (config `pair`): home, partner and the partner's predecessor.

Each country is named twice because the two sources name them differently: IMTS by code
(ISO 3166 alpha-3, SUN for the USSR), the DOTS workbooks in words ("Russian Federation",
"China, P.R.: Mainland"). A row belongs to a country when either its code or its IMF name
matches, so the committed snapshot, where most partners carry no code, serves any pair whose
IMF name is given.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .defaults import defaults
from .errors import InputError

if TYPE_CHECKING:  # only in annotations: the provenance and page steps import this module without pandas
    import pandas as pd

log = logging.getLogger(__name__)

# The reporting-side value of the mirror rows; the home side is the home country's name.
PARTNER_SIDE = "partner"
# Between the names of a reporting side that changed (the USSR, then the Russian Federation).
SIDE_JOIN = " / "


class PairError(InputError):
    """The configured pair does not match the data."""


@dataclass(frozen=True)
class Country:
    code: str
    name: str

    def rows(self, frame: pd.DataFrame, role: str) -> pd.Series:
        """Rows of a tidy frame where this country is the `role` ('reporter' or 'partner')."""
        return (frame[f"{role}_code"] == self.code) | (frame[role] == self.name)


def _country(section: dict, role: str, where: str) -> Country:
    """section[role] as a Country; a missing or malformed one named by its key path."""
    if role not in section:
        raise PairError(f"config {where}.{role}: missing; give {{code: ..., name: ...}}")
    value = section[role]
    if not isinstance(value, dict):
        raise PairError(f"config {where}.{role}: {{code: ..., name: ...}}, not {value!r}")
    for key in ("code", "name"):
        if key not in value:
            raise PairError(f"config {where}.{role}.{key}: missing")
    unknown = sorted(set(value) - {"code", "name"})
    if unknown:
        raise PairError(f"config {where}.{role}.{unknown[0]}: unknown key; the keys are code, name")
    return Country(code=value["code"], name=value["name"])


def _default(role: str):
    """A country of the default pair (config/schema.yaml)."""
    section = defaults("pair", role)
    if section is None:
        return None
    section.pop("successor", None)
    return Country(**section)


@dataclass(frozen=True)
class Pair:
    home: Country = field(default_factory=lambda: _default("home"))
    partner: Country = field(default_factory=lambda: _default("partner"))
    predecessor: Country | None = field(default_factory=lambda: _default("predecessor"))

    def __post_init__(self) -> None:
        codes = [c.code for c in self.countries]
        if len(set(codes)) != len(codes):
            raise PairError(f"config pair: home, partner and predecessor need three different codes, got {codes}")

    @classmethod
    def from_config(cls, section: dict, where: str = "pair") -> Pair:
        """The pair of a config section; `where` is its key path ('pair', 'pairs[3]') for messages."""
        predecessor = dict(section.get("predecessor") or {})
        partner = _country(section, "partner", where)
        if predecessor:
            # The predecessor names its successor, so that one left over from another partner (a
            # config that changes only `partner`) stops the run instead of splicing in its years.
            successor = predecessor.pop("successor", None)
            if successor != partner.code:
                raise PairError(
                    f"config {where}.predecessor {predecessor.get('name')!r} is the predecessor of {successor}, but "
                    f"{where}.partner is {partner.code}: set {where}.predecessor to null or to {partner.code}'s "
                    "predecessor"
                )
        home = _country(section, "home", where)
        previous = _country({"predecessor": predecessor}, "predecessor", where) if predecessor else None
        try:
            return cls(home=home, partner=partner, predecessor=previous)
        except PairError as err:
            message = str(err).removeprefix("config pair: ")
            raise PairError(f"config {where}: {message}") from None

    def to_config(self) -> dict:
        predecessor = vars(self.predecessor) | {"successor": self.partner.code} if self.predecessor else None
        return {"home": vars(self.home), "partner": vars(self.partner), "predecessor": predecessor}

    @property
    def countries(self) -> tuple[Country, ...]:
        return tuple(c for c in (self.home, self.partner, self.predecessor) if c)

    @property
    def partner_label(self) -> str:
        """'USSR / Russian Federation', or the partner's name when it has no predecessor."""
        names = [c.name for c in (self.predecessor, self.partner) if c]
        return SIDE_JOIN.join(names)

    @property
    def label(self) -> str:
        return f"{self.home.name}–{self.partner_label}"

    def imts_codes(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """IMTS reporters and counterparts for the pair: each side's own report and its World total."""
        codes = tuple(c.code for c in self.countries)
        return codes, (*codes, "G001")

    def check_present(self, raw: pd.DataFrame, source: str) -> None:
        """Stop with the close IMF names when a country of the pair is not in the data as it must be:
        the home country as a reporter (its own report is the main side), the others at all."""
        names = sorted(set(raw["reporter"]) | set(raw["partner"]))
        home_reports = self.home.rows(raw, "reporter")
        for role, country in (("home", self.home), ("partner", self.partner), ("predecessor", self.predecessor)):
            if country is None:
                continue
            found = home_reports if role == "home" else country.rows(raw, "reporter") | country.rows(raw, "partner")
            if found.any():
                _check_name(raw, role, country, source)
                continue
            close = close_names(country.name, names)
            hint = f"; close IMF names: {', '.join(repr(n) for n in close)}" if close else ""
            where = "as reporter" if role == "home" else "as reporter or partner"
            snapshot = (
                "; the dots-2022 snapshot holds the reports of Bangladesh, the Russian Federation and the USSR only"
                if "dots-2022" in str(source)
                else ""
            )
            raise PairError(
                f"{source}: no row has pair.{role} (code {country.code!r}, name {country.name!r}) {where}{hint}. "
                f"Either the name is not the IMF's: give pair.{role}.name as the DOTS workbooks print it, in the "
                f"config file that sets it{snapshot}. Or the data file lacks that "
                f"{'reporter' if role == 'home' else 'country'}: it may be truncated or incomplete; "
                f"{record_hint(source)}."
            )
        if not (home_reports & (raw["partner_code"] == "G001")).any():
            log.warning(
                "%s: no World totals reported by %s: the share of World trade stays missing", source, self.home.name
            )


def _check_name(raw: pd.DataFrame, role: str, country: Country, source: str) -> None:
    """A country found by its code must carry the IMF's name too: the name labels every output."""
    by_code = set(raw.loc[raw["reporter_code"] == country.code, "reporter"])
    by_code |= set(raw.loc[raw["partner_code"] == country.code, "partner"])
    by_code.discard(country.code)  # IMTS pulls name countries by their codes: nothing to compare
    if by_code and country.name not in by_code:
        raise PairError(
            f"{source}: pair.{role} code {country.code!r} is named {', '.join(map(repr, sorted(by_code)))} in the "
            f"data, not {country.name!r}: give the IMF's name (config pair.{role}.name), which labels the outputs"
        )


def record_hint(source: str) -> str:
    """How to check a tidy data file against its record, by where it comes from."""
    if "dots-2022" in str(source):
        return (
            "check it against data/raw/dots-2022/provenance.json (sha256, rows) and restore it with "
            "`git checkout -- data/raw/dots-2022/dots.csv` or rebuild it with `make snapshot`"
        )
    if "imts-" in str(source):
        return "delete it and run the workflow again: it is rebuilt from data/raw/imts-<vintage>/ (its metadata.json)"
    return "compare it with the record it came with (sha256, number of rows)"


def close_names(name: str, names: list[str], n: int = 5) -> list[str]:
    """IMF names a user may have meant: those containing the name ('China' -> 'China, P.R.: Mainland'),
    then the most similar spellings."""
    containing = [candidate for candidate in names if name.casefold() in candidate.casefold()]
    similar = difflib.get_close_matches(name, names, n=n, cutoff=0.5)
    return list(dict.fromkeys(containing + similar))[:n]


def home_side(panel: pd.DataFrame) -> str:
    """The panel's home reporting side (the home country's name)."""
    sides = [s for s in dict.fromkeys(panel["reported_by"]) if s != PARTNER_SIDE]
    if len(sides) != 1:
        raise PairError(f"panel: expected one home reporting side beside {PARTNER_SIDE!r}, found {sides}")
    return sides[0]


def sides(panel: pd.DataFrame) -> tuple[str, str]:
    """The two reporting sides in a fixed order: the home country's own report, then the mirror."""
    return home_side(panel), PARTNER_SIDE


def side_names(panel: pd.DataFrame) -> dict[str, str]:
    """The name of each reporting side for readers and for CSV files: the home country's, and the
    partner's ('USSR / Russian Federation' when the partner changed), never the panel's key 'partner'.
    One spelling for every table, CSV and page (the figures' mirror labels join reporters the same way)."""
    home = home_side(panel)
    return {home: home, PARTNER_SIDE: SIDE_JOIN.join(dict.fromkeys(panel["partner"]))}


def named_sides(table: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """`table` with `reported_by` naming each side by its country (other values, such as
    'both sides', as they are)."""
    names = side_names(panel)
    return table.assign(reported_by=table["reported_by"].map(lambda side: names.get(side, side)))


def side_keys(table: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """`table` read back from a CSV written with named_sides: `reported_by` as the panel's keys
    (the home country, 'partner') again, for code that compares it with a panel."""
    keys = {name: side for side, name in side_names(panel).items()}
    return table.assign(reported_by=table["reported_by"].map(lambda name: keys.get(name, name)))


def panel_label(panel: pd.DataFrame) -> str:
    """'Bangladesh–USSR / Russian Federation': the home country and the partners of a panel."""
    return f"{home_side(panel)}–{side_names(panel)[PARTNER_SIDE]}"
