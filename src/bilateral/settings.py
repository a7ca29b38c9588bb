"""What the workflow derives from its config before any work: the dataset in use, the figures'
titles and windows, and whether the paper's claims apply; each check stops the run naming the key.

Which files the workflow writes is not here: the rules' own output patterns declare them
(rules/common.smk builds the targets from them).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from .checksums import sha256_file
from .pair import Pair

CLAIMS_FILE = "config/claims.yaml"


def _yaml_key(path: str | Path, key: str, what: str):
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file ({what})")
    with open(path, encoding="utf-8") as handle:
        return (yaml.safe_load(handle) or {}).get(key)


def check_regimes_country(config: dict) -> None:
    """The regimes file lists one country's governments: it must be the pair's home country."""
    path = config["regimes"]["file"]
    country = _yaml_key(path, "country", "config regimes.file")
    home = config["pair"]["home"]["code"]
    if country is None:
        raise ValueError(f"{path}: no 'country' key; add 'country: {home}' (the IMTS code of the governments' country)")
    if country != home:
        raise ValueError(
            f"{path}: 'country: {country}' but config pair.home is {home}; give a regimes file of {home}'s "
            "governments (config regimes.file) with 'country: " + home + "'"
        )


def claims_apply(config: dict, claims_file: str | Path = CLAIMS_FILE) -> bool:
    """The paper's claims are about one pair and its succession; they are checked only for that panel."""
    about = _yaml_key(claims_file, "pair", "the paper's claims") or {}
    pair = Pair.from_config(config["pair"])
    studied = {
        "home": pair.home.code,
        "partner": pair.partner.code,
        "predecessor": pair.predecessor.code if pair.predecessor else None,
        "succession_year": config["panel"]["succession_year"],
    }
    return about == studied


def dataset(config: dict) -> str:
    """The dataset in use: 'dots-2022' or 'imts-<vintage>'."""
    return "dots-2022" if config["source"] == "dots-2022" else f"imts-{config['vintage']}"


def raw_files(config: dict) -> list[str]:
    """The raw files the outputs are computed from: the dataset in use and the revision base."""
    files = []
    for name in dict.fromkeys([dataset(config), config["revisions"]["base"]]):
        if name == "dots-2022":
            files += ["data/raw/dots-2022/dots.csv", "data/raw/dots-2022/provenance.json"]
        else:
            files += [f"data/raw/{name}/response.{config['imts']['format']}", f"data/raw/{name}/metadata.json"]
    return files


# Words of the paper's own figure titles that name its partner: a title that keeps them while the
# pair is another one would label another country's data as Russia's.
PAPER_PARTNER_WORDS = ("Russia", "Soviet", "USSR")


def figure_titles(config: dict) -> dict[str, str]:
    """Each figure's title with {home}, {partner}, {start} and {end} filled in; {partner} names
    the predecessor, the partner or both, as the window covers them."""
    pair = Pair.from_config(config["pair"])
    succession = config["panel"]["succession_year"]
    titles = {}
    for name, figure in config["figures"].items():
        partners = [pair.predecessor] if pair.predecessor and figure["start"] < succession else []
        if not pair.predecessor or figure["end"] >= succession:
            partners.append(pair.partner)
        values = {
            "home": pair.home.name,
            "partner": "/".join(c.name for c in partners),
            "start": figure["start"],
            "end": figure["end"],
        }
        try:
            titles[name] = figure["title"].format_map(values)
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(
                f"config figures.{name}.title {figure['title']!r}: {err!r}; the placeholders are "
                "{home}, {partner}, {start} and {end} (double a brace to print one)"
            ) from None
    return titles


def title_warnings(config: dict) -> list[str]:
    """Figure titles that still name the paper's partner while the pair is another."""
    if claims_apply(config):
        return []
    pair = Pair.from_config(config["pair"])
    names = " ".join(c.name for c in pair.countries)
    warnings = []
    for name, title in figure_titles(config).items():
        stale = [word for word in PAPER_PARTNER_WORDS if word in title and word not in names]
        if stale:
            warnings.append(
                f"config figures.{name}.title {title!r} names {', '.join(stale)}, but the pair is {pair.label}: "
                "give the figure a title of its own (placeholders {home}, {partner}, {start}, {end})"
            )
    return warnings


def check_windows(config: dict) -> None:
    """Each figure's window runs forward and lies within the panel's years (config panel)."""
    first, last = config["panel"]["first_year"], config["panel"]["last_year"]
    for name, figure in config["figures"].items():
        start, end = figure["start"], figure["end"]
        if start > end:
            raise ValueError(f"config figures.{name}: start {start} is after end {end}; swap them")
        if start < first:
            raise ValueError(
                f"config figures.{name}: the window starts in {start}, before panel.first_year {first}: "
                f"start the figure in {first} or later, or lower panel.first_year"
            )
        if last is not None and end > last:
            raise ValueError(
                f"config figures.{name}: the window ends in {end}, after panel.last_year {last}: "
                f"end the figure in {last} or earlier, or raise panel.last_year"
            )


def digest(paths, root: str | Path = ".") -> str:
    """sha256 over the sorted (path, content sha256) list: one value that changes when any file does."""
    names = sorted(Path(path).relative_to(root).as_posix() for path in paths)
    listing = "".join(f"{sha256_file(Path(root) / name)}  {name}\n" for name in names)
    return hashlib.sha256(listing.encode()).hexdigest()


def package_files(root: str | Path = ".") -> list[Path]:
    """The package's source: every output computed by it changes when one of these does."""
    return sorted(Path(root).glob("src/bilateral/**/*.py"))


def read_yaml_mapping(path: str | Path) -> dict:
    """A YAML file that must hold a mapping: a syntax error or an empty file names the file and line."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8") as handle:
            document = yaml.safe_load(handle)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValueError(f"{path}{where}: not valid YAML ({err.problem or err.context}); fix the file") from None
    if not isinstance(document, dict) or not document:
        found = type(document).__name__ if document else "nothing"
        raise ValueError(
            f"{path}: expected settings as 'key: value' lines, found {found}; restore it with `git checkout -- {path}`"
        )
    return document


def history_title(config: dict) -> str:
    """The whole-history title with {home} and {partner} filled in; {start} and {end} stay for the
    notebook, which knows the first and last year with data."""
    pair = Pair.from_config(config["pair"])
    partners = [pair.predecessor, pair.partner] if pair.predecessor else [pair.partner]
    values = {"home": pair.home.name, "partner": "/".join(c.name for c in partners), "start": "{start}", "end": "{end}"}
    title = config["history"]["title"]
    try:
        return title.format_map(values)
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(
            f"config history.title {title!r}: {err!r}; "
            "the placeholders are {home}, {partner}, {start} and {end}"
        ) from None


def check_thesis_camp(config: dict, camps) -> None:
    """The tested camp must be one of the regimes file's camps, or every test would compare nothing."""
    camp = config["thesis"]["camp"]
    if camp not in camps:
        raise ValueError(
            f"config thesis.camp {camp!r} is not one of the camps of {config['regimes']['file']}: {list(camps)}"
        )
