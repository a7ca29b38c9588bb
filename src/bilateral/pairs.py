"""The pairs of one run (config `pair` and `pairs`) and where each one's outputs go.

The config's `pair` is the run's first pair: its outputs keep the paper's paths and names
(figures/figure1.png, tables/thesis.csv, ...), so the default config builds exactly the paper's
products. Every further pair of `pairs` writes under a folder of its own, named by its codes
(figures/IND-RUS/figure1.png, tables/IND-RUS/..., data/processed/<dataset>/IND-RUS/panel.csv).
The rules take that folder as the wildcard `pair`: empty for the first pair, 'IND-RUS/' for the
others, so one output pattern serves every pair.

`pairs` is either a list (each entry 'IND-RUS', {home: IND, partner: RUS}, or a full pair with
names as under `pair`) or the compact {homes: [IND, PAK], partner: RUS}. A code alone takes its
IMF name from config/dots_names.csv; a pair whose partner is the first pair's partner inherits its
predecessor (the USSR before 1992 for Russia), so every pair is cleaned by the same rules.
"""

from __future__ import annotations

import difflib

from . import pairs_shape
from .pair import Country, Pair, PairError
from .pair_sources import SourceCodes

PRIMARY = ""  # the wildcard value of the config's own pair: the paper's paths
# The wildcard's values: empty, or the pair's codes and a slash.
PATTERN = r"(|[A-Z0-9]{3,4}-[A-Z0-9]{3,4}/)"


def prefix(pair: Pair) -> str:
    """The folder of an additional pair's outputs, as the wildcard writes it: 'IND-RUS/'."""
    return f"{pair.home.code}-{pair.partner.code}/"


def label(key: str, primary: Pair) -> str:
    """'BGD-RUS' for a wildcard value (the first pair's is empty)."""
    return key.rstrip("/") if key else f"{primary.home.code}-{primary.partner.code}"


def _country(value, names: dict[str, str], where: str, source: SourceCodes | None) -> Country:
    if isinstance(value, dict):
        country = Country(code=value["code"], name=value["name"])
    elif value not in names:
        close = difflib.get_close_matches(str(value), list(names), n=5, cutoff=0.3)
        hint = f"; close codes: {', '.join(f'{c} ({names[c]})' for c in close)}" if close else ""
        raise PairError(
            f"config {where}: {value!r} is not an IMTS code of a country in config/dots_names.csv{hint}; "
            "give the code as that file lists it, or the country as {code: ..., name: ...}"
        )
    else:
        country = Country(code=value, name=names[value])
    if source is not None:
        source.check(country.code, where)
    return country


def _entry(entry, names: dict[str, str], primary: Pair, where: str, source: SourceCodes | None) -> Pair:
    if isinstance(entry, str):
        home, _, partner = entry.partition("-")
        entry = {"home": home, "partner": partner}
    # The compact form's keys are the user's: pairs.homes[i] for a home, pairs.partner for the partner.
    compact = where.startswith("pairs.homes[")
    home = _country(entry["home"], names, where if compact else f"{where}.home", source)
    partner = _country(entry["partner"], names, "pairs.partner" if compact else f"{where}.partner", source)
    if "predecessor" in entry:  # null: no predecessor, unlike an entry without the key
        section = {"home": vars(home), "partner": vars(partner), "predecessor": entry["predecessor"]}
        return Pair.from_config(section, where=where)
    # The first pair's partner keeps its predecessor in every pair (Russia: the USSR before 1992).
    predecessor = primary.predecessor if partner.code == primary.partner.code else None
    try:
        return Pair(home=home, partner=partner, predecessor=predecessor)
    except PairError as err:
        raise PairError(f"config {where}: {str(err).removeprefix('config pair: ')}") from None


def entries(section) -> list[tuple[str, object]]:
    """(key path, entry) of config `pairs`, the compact form spelt out (its key: pairs.homes[i])."""
    if isinstance(section, dict):
        partner = section.get("partner")
        return [
            (f"pairs.homes[{number}]", {"home": home, "partner": partner})
            for number, home in enumerate(section.get("homes", []))
        ]
    return [(f"pairs[{number}]", entry) for number, entry in enumerate(section or [])]


def configured(
    config: dict, names: dict[str, str], source: SourceCodes | None = None, notes: list[str] | None = None
) -> dict[str, Pair]:
    """Wildcard value -> Pair for every pair of the run: the config's `pair` first (value ''), then
    `pairs` in their order. `names`: IMTS code -> IMF name (dots_cache.name_of_code); `source`: the
    reporters of the data in use, to refuse a pair the data cannot serve before any work.

    A pair listed twice (or the first pair again) with the same details counts once, with a note in
    `notes`; listed twice with different details (names, predecessor) it is refused, naming both
    places, since either choice would silently drop what the user wrote in the other."""
    pairs_shape.check(config.get("pairs"))
    primary = Pair.from_config(config["pair"])
    found = {PRIMARY: primary}
    first = {(primary.home.code, primary.partner.code): ("pair", primary)}
    for where, entry in entries(config.get("pairs") or []):
        pair = _entry(entry, names, primary, where, source)
        key = (pair.home.code, pair.partner.code)
        if key in first:
            before, kept = first[key]
            if kept != pair:
                raise PairError(
                    f"config {where} and {before} are both {key[0]}-{key[1]} but differ: {pair.to_config()} "
                    f"against {kept.to_config()}; list the pair once, with the details you mean"
                )
            if notes is not None:
                notes.append(f"config {where} repeats {before} ({key[0]}-{key[1]}): kept once")
            continue
        first[key] = (where, pair)
        found[prefix(pair)] = pair
    return found
