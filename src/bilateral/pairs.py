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

from .pair import Country, Pair, PairError

PRIMARY = ""  # the wildcard value of the config's own pair: the paper's paths
# The wildcard's values: empty, or the pair's codes and a slash.
PATTERN = r"(|[A-Z0-9]{3,4}-[A-Z0-9]{3,4}/)"


def prefix(pair: Pair) -> str:
    """The folder of an additional pair's outputs, as the wildcard writes it: 'IND-RUS/'."""
    return f"{pair.home.code}-{pair.partner.code}/"


def label(key: str, primary: Pair) -> str:
    """'BGD-RUS' for a wildcard value (the first pair's is empty)."""
    return key.rstrip("/") if key else f"{primary.home.code}-{primary.partner.code}"


def _country(value, names: dict[str, str], where: str) -> Country:
    if isinstance(value, dict):
        return Country(code=value["code"], name=value["name"])
    if value not in names:
        raise PairError(
            f"{where}: {value!r} is not an IMTS code of a country in config/dots_names.csv; "
            "give the code as that file lists it, or the country as {code: ..., name: ...}"
        )
    return Country(code=value, name=names[value])


def _entry(entry, names: dict[str, str], primary: Pair, where: str) -> Pair:
    if isinstance(entry, str):
        home, _, partner = entry.partition("-")
        entry = {"home": home, "partner": partner}
    home = _country(entry["home"], names, f"{where}.home")
    partner = _country(entry["partner"], names, f"{where}.partner")
    if "predecessor" in entry:
        section = {"home": vars(home), "partner": vars(partner), "predecessor": entry["predecessor"]}
        return Pair.from_config(section)
    # The first pair's partner keeps its predecessor in every pair (Russia: the USSR before 1992).
    predecessor = primary.predecessor if partner.code == primary.partner.code else None
    try:
        return Pair(home=home, partner=partner, predecessor=predecessor)
    except PairError as err:
        raise PairError(f"{where}: {err}") from None


def entries(section) -> list:
    """The list form of config `pairs` (the compact form spelt out)."""
    if isinstance(section, dict):
        partner = section.get("partner")
        return [{"home": home, "partner": partner} for home in section.get("homes", [])]
    return list(section or [])


def configured(config: dict, names: dict[str, str]) -> dict[str, Pair]:
    """Wildcard value -> Pair for every pair of the run: the config's `pair` first (value ''), then
    `pairs` in their order; a pair listed twice (or the first pair again) counts once.
    `names`: IMTS code -> IMF name (dots_cache.name_of_code)."""
    primary = Pair.from_config(config["pair"])
    found = {PRIMARY: primary}
    seen = {(primary.home.code, primary.partner.code)}
    section = config.get("pairs") or []
    for number, entry in enumerate(entries(section)):
        pair = _entry(entry, names, primary, f"config pairs[{number}]")
        key = (pair.home.code, pair.partner.code)
        if key in seen:
            continue
        seen.add(key)
        found[prefix(pair)] = pair
    return found
