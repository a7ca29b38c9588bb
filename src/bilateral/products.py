"""What the workflow produces: each paper item, the notebook that makes it, its parameters and files.

The Snakefile builds its targets from this list, the provenance manifest records it, and the
README's "List of tables and programs" is generated from it (a test fails when the README is stale).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .pair import Pair

TABLE_FORMATS = ("csv", "md", "tex", "html")
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


def products(config: dict) -> list[dict]:
    data = dataset(config)
    titles = figure_titles(config)
    items = []
    for number, (name, figure) in enumerate(config["figures"].items(), start=1):
        items.append(
            {
                "item": f"Figure {number}" if name == f"figure{number}" else name,
                "title": titles[name],
                "rule": "figure",
                "program": "notebooks/trade_figure.ipynb",
                "parameters": {
                    "start": figure["start"],
                    "end": figure["end"],
                    "main_side": figure.get("main_side", "home"),
                    "dpi": config["figure_dpi"],
                },
                "outputs": [f"figures/{name}.{ext}" for ext in ("png", "svg", "csv", "ipynb")],
            }
        )
    regimes = {"regimes": config["regimes"]["file"], "year_rule": config["regimes"]["year_rule"]}
    pair = Pair.from_config(config["pair"])
    items += [
        {
            "item": "Regime table (by government)",
            "title": f"{pair.label} trade under each government, both reporting sides",
            "rule": "regime_tables",
            "program": "notebooks/regime_tables.ipynb",
            "parameters": regimes,
            "outputs": [f"tables/regimes_by_government.{ext}" for ext in TABLE_FORMATS],
        },
        {
            "item": "Regime table (by camp)",
            "title": "The same, grouped by camp",
            "rule": "regime_tables",
            "program": "notebooks/regime_tables.ipynb",
            "parameters": regimes,
            "outputs": [f"tables/regimes_by_camp.{ext}" for ext in TABLE_FORMATS],
        },
        {
            "item": "Year assignment",
            "title": "Which government each calendar year is assigned to",
            "rule": "regime_tables",
            "program": "notebooks/regime_tables.ipynb",
            "parameters": regimes,
            "outputs": [f"tables/year_assignment.{ext}" for ext in TABLE_FORMATS] + ["tables/regime_tables.ipynb"],
        },
    ]
    if claims_apply(config):
        items.append(
            {
                "item": "Claims",
                "title": "The paper's quantitative claims, checked on both reporting sides",
                "rule": "claims",
                "program": "notebooks/claims.ipynb",
                "parameters": {"claims": CLAIMS_FILE},
                "outputs": ["tables/claims.csv", "tables/claims.md", "tables/claims.html", "tables/claims.ipynb"],
            }
        )
    base = config["revisions"]["base"]
    if base != data:
        items.append(
            {
                "item": "Revision report",
                "title": f"{data} against {base}, series by series and year by year",
                "rule": "revision_report",
                "program": "notebooks/revision_report.ipynb",
                "parameters": {"base": base, "new": data},
                "outputs": [f"tables/revisions.{ext}" for ext in TABLE_FORMATS]
                + [f"tables/revisions_summary.{ext}" for ext in TABLE_FORMATS]
                + ["figures/revisions.png", "figures/revisions.svg", "tables/revision_report.ipynb"],
            }
        )
    items.append(
        {
            "item": "Report",
            "title": "One self-contained HTML page: figures, tables, claims, provenance, citation",
            "rule": "html_report",
            "program": "src/bilateral/report.py",
            "parameters": {},
            "outputs": ["report/index.html"],
        }
    )
    return items


def outputs(config: dict) -> list[str]:
    return [path for item in products(config) for path in item["outputs"]]


def programs_table(config: dict) -> str:
    """The README's "List of tables and programs" (AEA template style), as Markdown."""
    lines = [
        "| Figure/Table | Program | Parameters | Output files |",
        "|---|---|---|---|",
    ]
    for item in products(config):
        params = ", ".join(f"{k}={v}" for k, v in item["parameters"].items()) or "-"
        files = ", ".join(f"`{p}`" for p in item["outputs"])
        label = item["title"] if item["title"].startswith(item["item"]) else f"{item['item']}: {item['title']}"
        lines.append(f"| {label} | `{item['program']}` | {params} | {files} |")
    return "\n".join(lines) + "\n"


START, END = "<!-- programs:start -->", "<!-- programs:end -->"


def with_programs_table(readme: str, config: dict) -> str:
    """The README text with its generated block replaced by the current list."""
    if START not in readme or END not in readme:
        raise ValueError(f"README has no {START} ... {END} block")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    note = "<!-- generated by `make readme` from src/bilateral/products.py and config/config.yaml; do not edit -->\n"
    return f"{head}{START}\n{note}{programs_table(config)}{END}{tail}"
