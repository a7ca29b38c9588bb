# Load time: validate every file the user edits, stop on anything inconsistent before any work,
# and derive the few values the rules share. Nothing here reads the output folders.
import sys
from pathlib import Path
from types import SimpleNamespace

from snakemake.utils import validate

# Modules that import no pandas: a load (every snakemake call, every job) does not need it (about
# 0.2 s); tests/test_load_imports.py checks it.
from bilateral import claims_file, defaults, dots_names, inputs, pair_sources, pairs_shape, regimes, settings, yamlfile
from bilateral import pairs as run_pairs
from bilateral.imts.request import plan_fields
from bilateral.pair import Pair
from bilateral.provenance import code_fingerprint

# A malformed entry of `pairs` named by its key path (pairs[3].home) before the schema's generic message.
pairs_shape.check(config.get("pairs"))
settings.check_finite(config)  # a schema's bounds let NaN through: every comparison with it is false
config.update(settings.whole_numbers(config))  # figure_dpi: 300.0 is the setting 300
settings.check_numbers_as_text(config, yamlfile.load_schema(defaults.CONFIG_SCHEMA))  # 1e3 is text to YAML
validate(config, "../config/schema.yaml", set_default=True)
# The raw snapshot against its record, the governments and the paper's claims against their
# schemas: a mistake stops the run naming the file and line, before any notebook starts.
inputs.check_before_work(config)
# The pair must be consistent (distinct codes; the predecessor is the partner's), the regimes file
# must list the home country's governments, and each figure's window must fit the panel.
Pair.from_config(config["pair"])
settings.check_regimes_country(config)
settings.check_windows(config)
# The thesis camp and the governments the claims name must be the regimes file's.
GOVERNMENTS = regimes.load(config["regimes"]["file"], config["regimes"]["camp_of"])
settings.check_thesis_camp(config, regimes.load_camps(config["regimes"]["file"]))
# The pairs of the run: wildcard value -> Pair; '' is config `pair`, at the paper's paths. Only the
# config, the committed name mapping and the source's list of reporters (INDEX.csv or a provenance
# record) are read here, never the data, so that planning hundreds of pairs stays quick; a pair the
# source has no reports for, or a group of countries, stops the run now, naming its key.
_NOTES = []
if config["pairs"]:
    _NAMES = dots_names.load_names(config["dots_xlsx"]["names"])
    PAIRS = run_pairs.configured(
        config,
        dots_names.name_of_code(_NAMES),
        pair_sources.source_codes(config, _NAMES, settings.dots_xlsx_folder(config)),
        _NOTES,
    )
else:
    PAIRS = run_pairs.configured(config, {})
for _note in _NOTES:
    print(f"note: {_note}", file=sys.stderr)
PAIR = PAIRS[run_pairs.PRIMARY]
REGIMES_COUNTRY = settings.regimes_country(config)
# An IMTS vintage on disk must answer the run's requests (a vintage is never changed).
settings.check_pairs(config, PAIRS)
# Each further regimes file is checked like the first one: schema, sequence, its country, the thesis camp.
# Only the files of configured pairs: the year rule and the thesis camp apply to the pairs whose
# regime tables and thesis test run; a file kept for a pair left out of `pairs` is not read.
for _code, _file in settings.further_regimes_files(config, PAIRS.values(), REGIMES_COUNTRY).items():
    regimes.check_file(_file)
    settings.check_regimes_country({**config, "pair": {"home": {"code": _code}}, "regimes": {"file": _file}})
    settings.check_thesis_camp({**config, "regimes": {**config["regimes"], "file": _file}}, regimes.load_camps(_file))
claims_file.check_governments(claims_file.load(settings.CLAIMS_FILE), GOVERNMENTS, settings.CLAIMS_FILE)
settings.check_thesis_claim(config, claims_file.load(settings.CLAIMS_FILE))
settings.check_kernel(config["kernel"])
for _warning in settings.title_warnings(config):
    print(f"warning: {_warning}", file=sys.stderr)

if config["source"] == "imf-imts" and not config["vintage"]:
    raise ValueError("config: source 'imf-imts' needs a vintage (the access date, YYYY-MM-DD)")
# A dataset is one vintage of raw data: 'dots-2022', 'dots-2022-xlsx' or 'imts-<access date>'.
DATASET = settings.dataset(config)
settings.check_dots_xlsx(config)
REVISION_BASE = config["revisions"]["base"]
# Titles may use {home}, {partner}, {start}, {end}: a wrong placeholder stops the run now.
settings.figure_titles(config)
HISTORY_TITLE = settings.history_title(config)
KERNEL = config["kernel"]
# The package is one value compared between runs, not 30 inputs: editing its code, or a change of
# an installed package's version (pandas, matplotlib...), re-runs every step that runs it, and a
# build prints each job's data inputs only.
PACKAGE = settings.code_digest()


def sources_of(name):
    """A params function for the rule called `name`, giving the content of the job's input files
    that no rule writes (its notebook, the regimes and claims files, committed raw data, the
    workbooks' index). Snakemake re-runs a job for an edited input only if the file is newer than the outputs: one
    restored with its earlier modification time (cp -p, mv, rsync -a, tar) would leave the outputs
    of the edit in place, and the record would give the restored file's sha256 beside them. As a
    parameter it is compared by value. A function of the wildcards alone: Snakemake does not
    compare a parameter computed from `input`."""

    def digest(wildcards):
        inputs = files_of([job(getattr(rules, name), **dict(wildcards.items()))], side="inputs")
        return settings.sources_digest(path for path in inputs if not path.startswith(written_prefixes()))

    digest.rule_name = name
    return digest


def check_sources_params():
    """Each rule's `sources` names the rule itself (a copied rule keeps its model's name)."""
    for step in workflow.rules:
        named = getattr(step.params.get("sources"), "rule_name", step.name)
        if named != step.name:
            raise ValueError(f"{step.name} (rules/*.smk) has sources=sources_of({named!r}), another rule's name")


def written_prefixes():
    """Where the rules write: each output pattern up to its first wildcard ('figures/', ...)."""
    if not _WRITTEN:
        for step in workflow.rules:
            for path in step.output:
                _WRITTEN.add(declared(path).split("{")[0])
        # A pattern that starts with a wildcard would say that every file is written.
        assert "" not in _WRITTEN, [step.output for step in workflow.rules]
        # A pulled IMTS vintage: fetch_imts wrote it, and exists only until it is on disk (its
        # files are never changed after). Its files count as written on every run, else the first
        # run's digest (made before the pull) would differ from the next one's.
        _WRITTEN.add("data/raw/imts-")
        # Jobs of a default storage provider (profiles/kubernetes) read local copies of stored files.
        _WRITTEN.add(".snakemake/")
    return tuple(_WRITTEN)


_WRITTEN = set()

ENVIRONMENT = "../environment.yml"  # for `snakemake --use-conda`; same pins as requirements.lock


def declared(path):
    """A rule's file as the rule wrote it. With a default storage provider (profiles/kubernetes),
    `rules.X.output` hands back the local copy of a storage object, which must not be mapped again
    when it is passed on as another rule's input."""
    stored = getattr(path, "flags", {}).get("storage_object")
    if stored is None:
        return str(path)
    return str(Path(stored.query).relative_to(workflow.storage_settings.default_storage_prefix))


def raw_record(dataset):
    """The provenance record of a dataset: written by the importer, the workbook cache or the fetch."""
    if dataset == settings.XLSX_DATASET:
        return f"data/processed/{dataset}/provenance.json"
    name = "provenance.json" if dataset == "dots-2022" else "metadata.json"
    return f"data/raw/{dataset}/{name}"


def raw_tidy_path(dataset):
    """The tidy data a dataset is cleaned from: committed for DOTS, the workbooks' Parquet cache,
    parsed for IMTS."""
    if dataset == "dots-2022":
        return "data/raw/dots-2022/dots.csv"
    if dataset == settings.XLSX_DATASET:
        return f"data/processed/{dataset}/dots.parquet"
    return f"data/processed/{dataset}/tidy.csv"


def raw_tidy(wildcards):
    return raw_tidy_path(wildcards.dataset)


# The years the raw data in use have for the pair, read now so that a figure's window is checked
# (and `earliest`/`latest` resolved) before any notebook runs; None for an IMTS vintage not pulled yet.
# Kept in .snakemake/ under the raw file's sha256 and the settings: a no-op need not re-read it.
COVERAGE = settings.data_coverage(config, raw_tidy_path(DATASET), cache=".snakemake/bilateral/coverage.json")


def figure_parameters(wildcards):
    """A figure's notebook parameters: its window with `earliest`/`latest` resolved from the data.
    A further pair's window stays as configured (its notebook resolves `earliest`/`latest` from its
    panel: no data are read at load time) and its title follows pair_outputs.figure_title."""
    if wildcards.pair != run_pairs.PRIMARY:
        start, end = (config["figures"][wildcards.figure][k] for k in ("start", "end"))
        titled = pair_config(wildcards.pair)
        for key, value in titled["figures"].items():
            titled["figures"][key] = value | {"title": config["pair_outputs"]["figure_title"]}
        nominal = settings.nominal_window(config, wildcards.figure)
        title = settings.figure_title(titled, wildcards.figure, *nominal)
        return config["figures"][wildcards.figure] | {
            "start": start,
            "end": end,
            "title": title,
            "dpi": config["figure_dpi"],
        }
    start, end, _ = settings.resolve_window(config, wildcards.figure, COVERAGE, DATASET)
    return config["figures"][wildcards.figure] | {
        "start": start,
        "end": end,
        "title": figure_title(wildcards.figure, start, end),
        "dpi": config["figure_dpi"],
    }


def pair_config(key):
    """The config as one pair sees it: its own `pair` section."""
    return {**config, "pair": PAIRS[key].to_config(), "figures": dict(config["figures"])}


def partners_label():
    """The partner the run's pairs share ('USSR/Russian Federation'), or a word for several."""
    labels = {pair.partner_label for pair in PAIRS.values()}
    return labels.pop() if len(labels) == 1 else "each pair's partner"


def pair_settings(wildcards):
    """The cleaning settings of one pair (the first pair's exactly as configured)."""
    section = config["pair"] if wildcards.pair == run_pairs.PRIMARY else PAIRS[wildcards.pair].to_config()
    return {"pair": section, "panel": config["panel"]}


def regimes_file(key):
    """The regimes file of a pair's home country, or None: config regimes.file for its own country,
    pair_outputs.regimes for others."""
    home = PAIRS[key].home.code
    if home == REGIMES_COUNTRY:
        return config["regimes"]["file"]
    return config["pair_outputs"]["regimes"].get(home)


def regimes_input(wildcards):
    """A pair's regimes file as an input; none (an empty list) when its home country has none."""
    return regimes_file(wildcards.pair) or []


def regime_parameters(wildcards):
    """The year-to-government setting and the camp coding; regimes.camp_of names the first file's ids."""
    own = regimes_file(wildcards.pair) == config["regimes"]["file"]
    return {"year_rule": config["regimes"]["year_rule"], "camp_of": config["regimes"]["camp_of"] if own else {}}


def history_parameters(wildcards):
    title = (
        HISTORY_TITLE if wildcards.pair == run_pairs.PRIMARY else settings.history_title(pair_config(wildcards.pair))
    )
    return {"title_pattern": title, **regime_parameters(wildcards), "dpi": config["figure_dpi"]}


def thesis_parameters(wildcards):
    return {**regime_parameters(wildcards), **config["thesis"]}


def figure_title(name, start, end):
    """The title for the resolved years (the nominal ones while the data are not there yet)."""
    nominal = settings.nominal_window(config, name)
    years = [year if isinstance(year, int) else default for year, default in zip((start, end), nominal)]
    return settings.figure_title(config, name, *years)


for _name in config["figures"]:
    _start, _end, _warning = settings.resolve_window(config, _name, COVERAGE, DATASET)
    for _text in (_warning, settings.title_years_warning(_name, figure_title(_name, _start, _end), _start, _end)):
        if _text:
            print(f"warning: {_text}", file=sys.stderr)


def imts_plan():
    """The IMTS requests of the run, body file -> request fields: one request (response.csv) for one
    pair, one per reporter for many (bilateral.imts.request.plan)."""
    return plan_fields(config, PAIRS)


IMTS_PLAN = imts_plan()


def notebook_jobs():
    """Every notebook run the config asks for, from the rules' own declarations: the first pair's
    (at the paper's paths), then each further pair's, then the comparison across them. The
    switches: the paper's claims only for its pair, the revision report only when two vintages
    differ, the comparison only when the run has more than one pair."""
    jobs = pair_jobs(run_pairs.PRIMARY)
    if settings.claims_apply(config):
        jobs.append(job(rules.claims))
    if REVISION_BASE != DATASET:
        jobs.append(job(rules.revision_report))
    for key in list(PAIRS)[1:]:
        jobs += pair_jobs(key)
    if len(PAIRS) > 1:
        jobs.append(job(rules.comparison))
    return jobs


def pair_jobs(key):
    """One pair's notebook runs: the figures and the whole history for every pair; the regime tables
    and the thesis test only for a home country with a regimes file."""
    with_regimes = regimes_file(key) is not None
    jobs = [job(rules.figure, pair=key, figure=name) for name in config["figures"]]
    if with_regimes:
        jobs.append(job(rules.regime_tables, pair=key))
    jobs.append(job(rules.history, pair=key))
    if with_regimes:
        jobs.append(job(rules.thesis, pair=key))
    return jobs


def job(rule, **wildcards):
    """One rule's files with its wildcards filled in, named as the rule names them; a further pair's
    jobs carry its label ('IND-RUS'), the first pair's none (its record stays the paper's)."""
    values = SimpleNamespace(**wildcards)

    def fill(files):
        named = {}
        for name, value in files.items():
            if callable(value):  # an input function of the wildcards (a pair's regimes file)
                value = value(values)
            paths = [value] if isinstance(value, str) else list(value)
            filled = [declared(path).format(**wildcards) for path in paths]
            named[name] = filled[0] if isinstance(value, str) else filled
        return named

    entry = {
        "rule": rule.rule.name,
        "description": (rule.rule.docstring or "").strip(),
        "inputs": fill(rule.input),
        "outputs": fill(rule.output),
    }
    if wildcards.get("pair"):
        entry["pair"] = run_pairs.label(wildcards["pair"], PAIR)
    return entry


def files_of(jobs, side="outputs"):
    """All paths of the jobs' named files, in order."""
    paths = []
    for entry in jobs:
        for value in entry[side].values():
            paths += [value] if isinstance(value, str) else value
    return paths


wildcard_constraints:
    figure="|".join(config["figures"]) or "none",
    dataset=r"dots-2022-xlsx|dots-2022|imts-\d{4}-\d{2}-\d{2}",
    pair=run_pairs.PATTERN,
    vintage=r"\d{4}-\d{2}-\d{2}",
