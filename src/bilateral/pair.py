"""The country pair the workflow studies (config `pair`): home, partner and the partner's predecessor.

Each country is named twice because the two sources name them differently: IMTS by code
(ISO 3166 alpha-3, SUN for the USSR), the DOTS workbooks in words ("Russian Federation",
"China, P.R.: Mainland"). A row belongs to a country when either its code or its IMF name
matches, so the committed snapshot, where most partners carry no code, serves any pair whose
IMF name is given.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import pandas as pd

# The reporting-side value of the mirror rows; the home side is the home country's name.
PARTNER_SIDE = "partner"


class PairError(ValueError):
    """The configured pair does not match the data."""


@dataclass(frozen=True)
class Country:
    code: str
    name: str

    def rows(self, frame: pd.DataFrame, role: str) -> pd.Series:
        """Rows of a tidy frame where this country is the `role` ('reporter' or 'partner')."""
        return (frame[f"{role}_code"] == self.code) | (frame[role] == self.name)


@dataclass(frozen=True)
class Pair:
    home: Country = Country("BGD", "Bangladesh")
    partner: Country = Country("RUS", "Russian Federation")
    predecessor: Country | None = Country("SUN", "USSR")

    @classmethod
    def from_config(cls, section: dict) -> Pair:
        predecessor = section.get("predecessor")
        return cls(
            home=Country(**section["home"]),
            partner=Country(**section["partner"]),
            predecessor=Country(**predecessor) if predecessor else None,
        )

    def to_config(self) -> dict:
        return {
            "home": vars(self.home),
            "partner": vars(self.partner),
            "predecessor": vars(self.predecessor) if self.predecessor else None,
        }

    @property
    def countries(self) -> tuple[Country, ...]:
        return tuple(c for c in (self.home, self.partner, self.predecessor) if c)

    @property
    def partner_label(self) -> str:
        """'USSR/Russian Federation', or the partner's name when it has no predecessor."""
        names = [c.name for c in (self.predecessor, self.partner) if c]
        return "/".join(names)

    @property
    def label(self) -> str:
        return f"{self.home.name}-{self.partner_label}"

    def imts_codes(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """IMTS reporters and counterparts for the pair: each side's own report and its World total."""
        codes = tuple(c.code for c in self.countries)
        return codes, (*codes, "G001")

    def check_present(self, raw: pd.DataFrame, source: str) -> None:
        """Stop with the close IMF names when a country of the pair appears nowhere in the data."""
        names = sorted(set(raw["reporter"]) | set(raw["partner"]))
        for role, country in (("home", self.home), ("partner", self.partner), ("predecessor", self.predecessor)):
            if country is None:
                continue
            if (country.rows(raw, "reporter") | country.rows(raw, "partner")).any():
                continue
            close = close_names(country.name, names)
            hint = f"; close IMF names: {', '.join(repr(n) for n in close)}" if close else ""
            raise PairError(
                f"{source}: no row has pair.{role} (code {country.code!r}, name {country.name!r}) as reporter "
                f"or partner{hint}. Give the IMF's name as the DOTS workbooks print it (config/config.yaml, pair)."
            )


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


def panel_label(panel: pd.DataFrame) -> str:
    """'Bangladesh-USSR/Russian Federation': the home country and the partners of a panel."""
    return f"{home_side(panel)}-{'/'.join(dict.fromkeys(panel['partner']))}"
