"""What the workflow derives from its config before any work: the dataset in use, the figures'
titles and windows, and whether the paper's claims apply; each check stops the run naming the key.

Which files the workflow writes is not here: the rules' own output patterns declare them
(rules/common.smk builds the targets from them).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import re
from pathlib import Path

from . import envcheck, yamlfile
from .atomic import write_text
from .checksums import sha256_bytes, sha256_file
from .pair import SIDE_JOIN, Pair

CLAIMS_FILE = "config/claims.yaml"


def _yaml_key(path: str | Path, key: str, what: str):
    if not Path(path).is_file():
        raise FileNotFoundError(f"{path}: no such file ({what})")
    return (yamlfile.load_text(path) or {}).get(key)


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


def check_pairs(config: dict, pairs: dict) -> None:
    """An IMTS vintage already on disk must answer the run's requests (one for one pair, one per
    reporter for many): it is never downloaded again nor changed, so pairs it was not pulled for
    need a new vintage. Said before any work, naming the vintage."""
    if config["source"] != "imf-imts" or not config["vintage"]:
        return
    from .imts import batch
    from .imts.fetch import METADATA, FetchError
    from .imts.request import plan

    folder = Path(f"data/raw/imts-{config['vintage']}")
    if not (folder / METADATA).is_file():
        return
    try:
        batch.check_plan(folder, plan(config, pairs))
    except FetchError as err:
        raise ValueError(f"config pair/pairs: {err}") from None


def further_regimes_files(config: dict, pairs, regimes_country: str | None) -> dict[str, str]:
    """Home code -> regimes file (config pair_outputs.regimes) of the further pairs that use one: a
    file is checked (its schema, country, the thesis camp) only when a configured pair's regime tables
    and thesis test read it; regimes.file already serves its own country."""
    homes = {pair.home.code for pair in pairs} - {regimes_country}
    return {code: path for code, path in config["pair_outputs"]["regimes"].items() if code in homes}


def regimes_country(config: dict) -> str | None:
    """The country whose governments config regimes.file lists."""
    return _yaml_key(config["regimes"]["file"], "country", "config regimes.file")


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
    """The dataset in use: 'dots-2022', 'dots-2022-xlsx' or 'imts-<vintage>'."""
    return config["source"] if config["source"].startswith("dots-") else f"imts-{config['vintage']}"


XLSX_DATASET = "dots-2022-xlsx"
XLSX_DEFAULT_FOLDER = "../shared/data/imf-dots-2022-xlsx"


def dots_xlsx_folder(config: dict) -> str:
    """The folder of IMF workbooks: config dots_xlsx.folder, else $BILATERAL_DOTS_XLSX, else ../shared."""
    import os

    return config["dots_xlsx"]["folder"] or os.environ.get("BILATERAL_DOTS_XLSX") or XLSX_DEFAULT_FOLDER


def check_dots_xlsx(config: dict) -> None:
    """Source dots-2022-xlsx needs the workbooks until their cache is built: say where they were looked for."""
    if dataset(config) != XLSX_DATASET or Path(f"data/processed/{XLSX_DATASET}/dots.parquet").is_file():
        return
    folder = dots_xlsx_folder(config)
    if not (Path(folder) / "INDEX.csv").is_file():
        raise ValueError(
            f"config source {XLSX_DATASET}: no IMF DOTS workbooks in {folder} (no INDEX.csv there); set "
            "config dots_xlsx.folder or the environment variable BILATERAL_DOTS_XLSX to their folder"
        )


def read_tidy(path: str | Path, codes=None):
    """A tidy raw file as text-free frame columns (CSV or the workbooks' Parquet cache); from the
    cache only the rows the given reporters report, so that no step reads all 235 reporters."""
    import pandas as pd

    if str(path).endswith(".parquet"):
        from .dots_cache import read_reporters

        frame = read_reporters(path, codes)
        frame["value_musd"] = frame["value_musd"].map(repr).where(frame["value_musd"].notna(), "")
        return frame.astype({"year": str})
    columns = ["reporter_code", "reporter", "partner_code", "partner", "year", "value_musd"]
    return pd.read_csv(path, usecols=columns, dtype=str, keep_default_na=False)


def raw_files(config: dict, imts_bodies=None) -> list[str]:
    """The raw files the outputs are computed from: the dataset in use and the revision base.
    `imts_bodies`: the body files of the run's IMTS requests (rules/common.smk IMTS_PLAN); by
    default the single request's."""
    files = []
    for name in dict.fromkeys([dataset(config), config["revisions"]["base"]]):
        if name == "dots-2022":
            files += ["data/raw/dots-2022/dots.csv", "data/raw/dots-2022/provenance.json"]
        elif name == XLSX_DATASET:
            files += [f"data/processed/{name}/dots.parquet", f"data/processed/{name}/provenance.json"]
        else:
            bodies = imts_bodies or [f"response.{config['imts']['format']}"]
            files += [f"data/raw/{name}/{body}" for body in bodies] + [f"data/raw/{name}/metadata.json"]
    return files


# Words of the paper's own figure titles that name its partner: a title that keeps them while the
# pair is another one would label another country's data as Russia's.
PAPER_PARTNER_WORDS = ("Russia", "Soviet", "USSR")


def figure_title(config: dict, name: str, start: int, end: int) -> str:
    """A figure's title with {home}, {partner}, {start} and {end} filled in; {partner} names the
    predecessor, the partner or both, as the window covers them."""
    pair = Pair.from_config(config["pair"])
    succession = config["panel"]["succession_year"]
    partners = [pair.predecessor] if pair.predecessor and start < succession else []
    if not pair.predecessor or end >= succession:
        partners.append(pair.partner)
    values = {"home": pair.home.name, "partner": SIDE_JOIN.join(c.name for c in partners), "start": start, "end": end}
    template = config["figures"][name]["title"]
    try:
        return template.format_map(values)
    except (KeyError, IndexError, ValueError) as err:
        raise ValueError(
            f"config figures.{name}.title {template!r}: {err!r}; the placeholders are "
            "{home}, {partner}, {start} and {end} (double a brace to print one)"
        ) from None


def nominal_window(config: dict, name: str) -> tuple[int, int]:
    """A figure's window before the data are read: 'earliest' and 'latest' stand for the panel's
    configured bounds (the data decide them later, in `resolve_window`)."""
    figure, panel = config["figures"][name], config["panel"]
    start = panel["first_year"] if figure["start"] == EARLIEST else figure["start"]
    end = (panel["last_year"] or LATEST_UNKNOWN) if figure["end"] == LATEST else figure["end"]
    return start, end


EARLIEST, LATEST = "earliest", "latest"
LATEST_UNKNOWN = 9999  # 'latest' before the data are read: only for checks that need an order


def figure_titles(config: dict) -> dict[str, str]:
    """Each figure's title for its nominal window (checks its placeholders before any work)."""
    return {name: figure_title(config, name, *nominal_window(config, name)) for name in config["figures"]}


def title_years_warning(name: str, title: str, start, end) -> str | None:
    """A title that spells out other years than its window (a literal title kept after the window
    changed) would mislabel the figure."""
    spans = re.findall(r"\b(\d{4})\s*[–-]\s*(\d{4})\b", title)
    if isinstance(start, int) and isinstance(end, int) and spans and (str(start), str(end)) not in spans:
        return (
            f"config figures.{name}: the title {title!r} names {'–'.join(spans[0])}, but the window is "
            f"{start}–{end}; write {{start}}–{{end}} in the title to follow the window"
        )
    return None


def data_coverage(config: dict, raw_path: str | Path, cache: str | Path | None = None) -> dict | None:
    """The first and last year the raw data have a value for the pair, either reporting side,
    within the panel's years; None when the file is not there yet (an IMTS vintage not pulled).

    With `cache` (a JSON file), an answer is kept under the sha256 of the raw file, the settings it
    depends on and the code that computes it, so that an unchanged project is not re-read at every
    workflow load (a tenth of a second of every `make`)."""
    if not Path(raw_path).is_file():
        return None
    if cache is None:
        return _data_coverage(config, raw_path)
    key = sha256_bytes(
        json.dumps(
            [
                sha256_file(raw_path),
                config["pair"],
                {name: config["panel"][name] for name in ("succession_year", "first_year", "last_year")},
                [sha256_file(Path(__file__).with_name(name)) for name in ("settings.py", "pair.py")],
            ],
            sort_keys=True,
        ).encode()
    )
    try:
        kept = json.loads(Path(cache).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    if not isinstance(kept, dict):
        kept = {}
    if key in kept:
        return kept[key]
    coverage = _data_coverage(config, raw_path)  # raises, naming the file, before anything is kept
    kept = dict(list(kept.items())[-15:]) | {key: coverage}  # a few settings at a time (tests, overlays)
    write_text(cache, json.dumps(kept, indent=1, sort_keys=True) + "\n")
    return coverage


def _data_coverage(config: dict, raw_path: str | Path) -> dict:
    import pandas as pd

    pair = Pair.from_config(config["pair"])
    raw = read_tidy(raw_path, [c.code for c in pair.countries])
    # A name the data do not have stops here, before any work, with the IMF's names close to it.
    pair.check_present(raw, str(raw_path))
    raw = raw[raw["value_musd"] != ""].assign(year=lambda frame: frame["year"].astype(int))
    succession = config["panel"]["succession_year"]
    home_reports = pair.home.rows(raw, "reporter")
    home_partner = pair.home.rows(raw, "partner")
    spans = [(pair.partner, raw["year"] >= succession if pair.predecessor else raw["year"] > 0)]
    if pair.predecessor:
        spans.append((pair.predecessor, raw["year"] < succession))
    keep = pd.Series(False, index=raw.index)
    for country, years in spans:
        own = home_reports & country.rows(raw, "partner")
        mirror = home_partner & country.rows(raw, "reporter")
        keep |= years & (own | mirror)
    first, last = config["panel"]["first_year"], config["panel"]["last_year"]
    years = raw.loc[keep, "year"]
    years = years[(years >= first) & ((years <= last) if last else True)]
    return {"with_data": [int(years.min()), int(years.max())] if len(years) else None}


def resolve_window(config: dict, name: str, coverage: dict | None, dataset: str) -> tuple[int, int, str | None]:
    """A figure's window against the years the data have for the pair: 'earliest'/'latest' resolved; a
    window with no data at all stops the run; one that reaches past the data earns a warning.
    Without the data yet (an IMTS vintage not pulled) the window stays nominal."""
    figure = config["figures"][name]
    if coverage is None:
        return figure["start"], figure["end"], None  # the notebook resolves them from the panel
    covered = coverage["with_data"]
    if covered is None:
        raise ValueError(f"config figures.{name}: {dataset} has no data for the pair at all")
    first, last = covered
    start = first if figure["start"] == EARLIEST else figure["start"]
    end = last if figure["end"] == LATEST else figure["end"]
    if start > end:
        raise ValueError(f"config figures.{name}: start {start} is after end {end} (with the data's years filled in)")
    if end < first or start > last:
        raise ValueError(
            f"config figures.{name}: {start}–{end} has no data; {dataset} covers {first}–{last}. "
            f"Choose years in {first}–{last}, `end: latest`, or a newer vintage (make update-data)"
        )
    missing = [span for span in ((start, first - 1), (last + 1, end)) if span[0] <= span[1]]
    warning = None
    if missing:
        spans = ", ".join(f"{a}–{b}" if a != b else str(a) for a, b in missing)
        warning = (
            f"config figures.{name}: {start}–{end} reaches past the data: {dataset} has no data for {spans} "
            f"(it covers {first}–{last}); the figure keeps them on its axis, marked 'no data in this vintage'"
        )
    return start, end, warning


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


def check_finite(value, at: tuple = ()) -> None:
    """Every number of the config is finite. The config files are read strictly (bilateral.yamlfile);
    this catches a value given on the command line (`--config figure_dpi=nan`), which no file holds."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_finite(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_finite(item, (*at, index))
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"config {yamlfile.key_path(at)}: {value!r} is not a finite number; give a number")


def check_numbers_as_text(config: dict, schema: dict) -> None:
    """Before the schema's own check: a value the schema refuses that is a number written in a form
    YAML reads as text, named with how to write it (the schema alone would say only that '1e3' is
    not an integer, and the user sees a number)."""
    import jsonschema  # the schema's check imports it next anyway

    for error in jsonschema.Draft202012Validator(schema).iter_errors(config):
        how = yamlfile.number_as_text(error)
        if how:
            raise ValueError(f"config {yamlfile.key_path(error.absolute_path)}: {how}")


def whole_numbers(value):
    """`value` with every whole number written with a decimal point (300.0) as an int: the same
    setting as 300, which JSON Schema's `integer` accepts too; as a float it would reach the notebooks
    as 300.0, re-run them and change their bytes for a setting that did not change."""
    if isinstance(value, dict):
        return {key: whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [whole_numbers(item) for item in value]
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def check_windows(config: dict) -> None:
    """Each figure's window runs forward and lies within the panel's years (config panel); the
    data's own years are checked once the panel is built (`resolve_window`)."""
    first, last = config["panel"]["first_year"], config["panel"]["last_year"]
    for name, figure in config["figures"].items():
        start, end = nominal_window(config, name)
        if start > end:
            raise ValueError(f"config figures.{name}: start {start} is after end {end}; swap them")
        if figure["start"] != EARLIEST and start < first:
            raise ValueError(
                f"config figures.{name}: the window starts in {start}, before panel.first_year {first}: "
                f"start the figure in {first} or later (or `start: earliest`), or lower panel.first_year"
            )
        if last is not None and figure["end"] != LATEST and end > last:
            raise ValueError(
                f"config figures.{name}: the window ends in {end}, after panel.last_year {last}: "
                f"end the figure in {last} or earlier (or `end: latest`), or raise panel.last_year"
            )


def digest(paths, root: str | Path = ".") -> str:
    """sha256 over the sorted (path, content sha256) list: one value that changes when any file does."""
    names = sorted(Path(path).relative_to(root).as_posix() for path in paths)
    listing = "".join(f"{sha256_file(Path(root) / name)}  {name}\n" for name in names)
    return hashlib.sha256(listing.encode()).hexdigest()


def package_files(root: str | Path = ".") -> list[Path]:
    """The package's source and the rules' scripts (the glue from a rule to the package): every
    output computed by them changes when one of these does. By content: Snakemake notices an edited
    script only if it is newer than the outputs, not one restored with its earlier time."""
    return sorted([*Path(root).glob("src/bilateral/**/*.py"), *Path(root).glob("scripts/*.py")])


RUNTIME_CACHE = Path(".snakemake") / "bilateral" / "runtime-packages.json"


def environment_digest(root: str | Path = ".") -> str:
    """sha256 over the installed version of every package the steps run on (pandas, matplotlib,
    great-tables...: pyproject.toml's dependencies and what they require; bilateral.runtime_packages):
    a step's outputs depend on them as on the package's code, and the provenance record names their
    versions. Installed, not pinned: a package changed by hand counts too; the test and build tools
    (ruff, pytest) do not. Walking the packages' metadata takes a fifth of a second, so the result is
    kept in .snakemake/ under the installed distributions and the dependencies listed."""
    root = Path(root)
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    key = hashlib.sha256(json.dumps([sorted(envcheck.installed_versions().items()), pyproject]).encode()).hexdigest()
    cache = root / RUNTIME_CACHE
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        versions = kept["versions"] if kept["key"] == key else None
    except (OSError, ValueError, KeyError, TypeError):
        versions = None
    if versions is None:
        from . import runtime_packages  # packaging and the metadata walk: only when something changed

        versions = runtime_packages.of_project(root / "pyproject.toml")
        with contextlib.suppress(OSError):  # a read-only checkout still runs, reading them each time
            cache.parent.mkdir(parents=True, exist_ok=True)
            write_text(cache, json.dumps({"key": key, "versions": versions}, indent=1) + "\n")
    listing = "".join(f"{name}=={version}\n" for name, version in sorted(versions.items()))
    return hashlib.sha256(listing.encode()).hexdigest()


def code_digest(root: str | Path = ".") -> str:
    """One value for what runs a step: the package, the rules' scripts and the packages they run on."""
    parts = f"{digest(package_files(root), root)} {environment_digest(root)}"
    return hashlib.sha256(parts.encode()).hexdigest()


def sources_digest(paths) -> str:
    """sha256 over the sorted (name, content sha256) list of `paths`, as they are named (a path
    outside the project stays absolute); each file hashed once per state (_stamp).
    A missing file is left out: Snakemake names a missing input itself, more clearly."""
    names = sorted({name for name in map(str, paths) if os.path.isfile(name)})
    listing = "".join(f"{_sha256_of(name, *_stamp(name))}  {name}\n" for name in names)
    return hashlib.sha256(listing.encode()).hexdigest()


def _stamp(name: str) -> tuple[int, int, int, int]:
    """What changes with any write: the change time too, which no one can set back (an edit put
    back with its earlier modification time has a new one)."""
    status = os.stat(name)
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


@functools.cache
def _sha256_of(name: str, *stamp: int) -> str:
    return sha256_file(name)


def history_title(config: dict) -> str:
    """The whole-history title with {home} and {partner} filled in; {start} and {end} stay for the
    notebook, which knows the first and last year with data."""
    pair = Pair.from_config(config["pair"])
    values = {"home": pair.home.name, "partner": pair.partner_label, "start": "{start}", "end": "{end}"}
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


def check_thesis_claim(config: dict, claims: list[dict]) -> None:
    """The paper's thesis claim is judged on the thesis test's table, so both must name one camp."""
    if not claims_apply(config):
        return
    for claim in claims:
        if claim["check"] == "regime_thesis" and claim["camp"] != config["thesis"]["camp"]:
            raise ValueError(
                f"config thesis.camp {config['thesis']['camp']!r}: the claim {claim['id']!r} of {CLAIMS_FILE} is "
                f"about {claim['camp']!r}; test that camp (thesis.camp: {claim['camp']}) or change the claim"
            )


def check_kernel(name: str) -> None:
    """The Jupyter kernel the notebooks run with must exist (config kernel)."""
    from jupyter_core.paths import jupyter_path

    # A kernel is a folder holding kernel.json in one of Jupyter's kernel folders (where
    # jupyter_client looks): found there, it exists. jupyter_client itself, a tenth of a second to
    # import at every workflow load, answers the other cases and names the installed kernels.
    if any((Path(folder) / name.lower() / "kernel.json").is_file() for folder in jupyter_path("kernels")):
        return
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        KernelSpecManager().get_kernel_spec(name)
    except NoSuchKernel:
        known = sorted(KernelSpecManager().find_kernel_specs())
        raise ValueError(f"config kernel: no Jupyter kernel named {name!r}; installed: {known}") from None


def config_files(paths) -> dict[str, str]:
    """Each config file the run read (config/config.yaml and any --configfile), with its sha256.

    Snakemake gives a --configfile as an absolute path; a file inside the project is named relative to
    it, so that the same run in another folder (a clone, a cluster's scratch) gives the same record."""
    root = Path.cwd().resolve()

    def name(path) -> str:
        resolved = Path(path).resolve()
        return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)

    return {name(path): sha256_file(path) for path in paths}
