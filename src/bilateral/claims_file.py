"""Reading and checking the paper's claims file (config/claims.yaml), before any work.

Apart from bilateral.claims, which judges the claims against a panel with pandas, because the
workflow checks the file every time it loads and a load imports no pandas.
"""

from __future__ import annotations

from pathlib import Path

from . import yamlfile
from .errors import InputError

# The file's JSON Schema, beside the committed claims file.
SCHEMA = Path(__file__).resolve().parents[2] / "config" / "claims.schema.yaml"


class ClaimError(InputError):
    pass


def check_file(path: str | Path) -> None:
    """Check the claims file before any work (cheap: one small YAML file); raises ClaimError."""
    load(path)


def load(path: str | Path) -> list[dict]:
    """The claims, checked against config/claims.schema.yaml (errors name key path and line),
    then for what a schema cannot say: unique ids, windows of two years or more in order, growth
    from an earlier year to a later one, an extremum's year in its window, no growth of the balance."""
    label = yamlfile.entry_label("claims", "claim")
    document, lines = yamlfile.read_checked(path, "the paper's claims", SCHEMA, ClaimError, label)
    claims = document["claims"]
    ids = [c["id"] for c in claims]
    if len(set(ids)) != len(ids):
        raise ClaimError(f"{path}: duplicate claim ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for number, claim in enumerate(claims):
        where = f"{path}, line {lines[('claims', number)]}: claims[{number}] (claim {claim['id']!r})"
        if "window" in claim and claim["window"][0] >= claim["window"][1]:
            first, last = claim["window"]
            if first == last:  # a trend through one point, an extreme of one value: nothing to check
                raise ClaimError(f"{where}: the window [{first}, {last}] is one year; a window spans two or more")
            swap = f"swap them: [{last}, {first}]"
            raise ClaimError(f"{where}: the window [{first}, {last}] ends before it starts; {swap}")
        if claim["check"] == "growth" and claim["from"] >= claim["to"]:
            raise ClaimError(f"{where}: growth from {claim['from']} to {claim['to']}: 'from' must be the earlier year")
        if claim["check"] == "extremum" and not claim["window"][0] <= claim["year"] <= claim["window"][1]:
            raise ClaimError(f"{where}: year {claim['year']} is outside the window {claim['window']}")
        if claim["check"] in ("growth", "yoy_direction") and claim["series"] == "balance":
            # A balance changes sign; growth rates of it mean nothing.
            raise ClaimError(f"{where}: {claim['check']} is not defined for the balance")
    return claims


def check_governments(claims: list[dict], governments, path: str | Path = "config/claims.yaml") -> None:
    """A claim about a government must name one of the regimes file's ids."""
    ids = [g.id for g in governments]
    for claim in claims:
        for key in ("government", "versus"):
            if claim["check"] == "government_change" and claim[key] not in ids:
                raise ClaimError(f"{path}: claim {claim['id']!r}: {key} {claim[key]!r} is not a government id {ids}")
