"""Command line: `python -m bilateral <command>` (also installed as `bilateral`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _snapshot(args: argparse.Namespace) -> None:
    from . import snapshot

    snapshot.write(Path(args.source), Path(args.out))


def _clean(args: argparse.Namespace) -> None:
    import json

    from . import panel
    from .atomic import write_text
    from .pair import Pair
    from .schemas import read_raw

    raw = read_raw(args.raw)
    pair = Pair.from_config(json.loads(args.pair)) if args.pair else Pair()
    pair.check_present(raw, args.raw)
    settings = panel.PanelSettings(
        succession_year=args.succession_year,
        successor_rule=args.successor_rule,
        first_year=args.first_year,
        last_year=args.last_year,
        pair=pair,
    )
    write_text(args.panel, panel.to_csv(panel.build_panel(raw, settings)))
    write_text(args.world, panel.to_csv(panel.build_world(raw, settings)))


def _imts_request(args: argparse.Namespace):
    import json

    from .imts.request import ImtsRequest, request_fields

    if args.request:
        settings = json.loads(args.request)
    elif args.config:
        settings = request_fields(_load_config(args.config))
    else:
        settings = {}
    for key in ("reporters", "indicators", "partners"):
        if key in settings:
            settings[key] = tuple(settings[key])
    return ImtsRequest(**settings)


def _fetch_imts(args: argparse.Namespace) -> None:
    from .imts import fetch

    fetch.fetch(
        _imts_request(args),
        args.out,
        args.vintage,
        retries=args.retries,
        backoff=args.backoff,
        timeout=(args.connect_timeout, args.read_timeout),
        contact=args.contact,
    )


def _parse_imts(args: argparse.Namespace) -> None:
    from . import tidy
    from .atomic import write_text
    from .imts import fetch
    from .schemas import RAW, validate

    frame = fetch.parse_vintage(args.folder, _imts_request(args))
    validate(frame, RAW, args.folder)
    write_text(args.out, tidy.to_csv(frame))


def _availability(args: argparse.Namespace) -> None:
    from .imts import availability

    print(availability.report(_imts_request(args), timeout=(args.connect_timeout, args.read_timeout), pause=args.pause))


def _load_config(path: str) -> dict:
    """The workflow's config (JSON text from a rule, or a YAML file) with the schema's defaults."""
    import json

    import yaml
    from snakemake.utils import validate

    if path.lstrip().startswith("{"):
        return json.loads(path)
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    validate(config, "config/schema.yaml", set_default=True)
    return config


def _provenance(args: argparse.Namespace) -> None:
    import json

    from .atomic import write_text
    from .provenance import manifest

    record = manifest(_load_config(args.config))
    write_text(args.out, json.dumps(record, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def _report(args: argparse.Namespace) -> None:
    from .report import write

    write(_load_config(args.config), args.provenance, args.out)


def _checksums(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .atomic import write_text
    from .products import outputs, raw_files
    from .verify import MANIFEST, manifest_text

    config = _load_config(args.config)
    root = Path(".")
    write_text(root / MANIFEST, manifest_text(root, raw_files(config), outputs(config) + ["report/provenance.json"]))


def _verify(args: argparse.Namespace) -> None:
    from .verify import verify

    if not verify(".", cores=args.cores, keep=args.keep):
        raise SystemExit(1)


def _programs(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .atomic import write_text
    from .products import programs_table, with_programs_table

    config = _load_config(args.config)
    if args.update:
        write_text(args.update, with_programs_table(Path(args.update).read_text(encoding="utf-8"), config))
    else:
        print(programs_table(config), end="")


def _normalise(args: argparse.Namespace) -> None:
    from .notebooks import normalise_file

    for path in args.notebooks:
        normalise_file(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bilateral", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands = parser.add_subparsers(dest="command", required=True)

    snap = commands.add_parser("snapshot", help="rebuild data/raw/dots-2022 from the IMF workbooks")
    snap.add_argument("--source", default="../shared/data/imf-dots-2022-xlsx")
    snap.add_argument("--out", default="data/raw/dots-2022")
    snap.set_defaults(func=_snapshot)

    clean = commands.add_parser("clean", help="build the processed panel from a tidy raw CSV")
    clean.add_argument("raw", help="tidy raw CSV (data/raw/dots-2022/dots.csv or a parsed IMTS pull)")
    clean.add_argument("--panel", required=True, help="output: the pair's panel CSV")
    clean.add_argument("--world", required=True, help="output: the home country's trade with the World, CSV")
    clean.add_argument("--pair", default="", help="JSON object of config 'pair' (default Bangladesh-USSR/Russia)")
    clean.add_argument("--first-year", type=int, default=1972)
    clean.add_argument("--last-year", type=int, default=None)
    clean.add_argument("--succession-year", type=int, default=1992)
    clean.add_argument("--successor-rule", default="fill_gaps")
    clean.set_defaults(func=_clean)

    norm = commands.add_parser("normalise-notebook", help="strip run times from executed notebooks")
    norm.add_argument("notebooks", nargs="+")
    norm.set_defaults(func=_normalise)

    def request_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--request", default="", help="JSON object of ImtsRequest fields (config 'imts')")
        sub.add_argument("--config", default="", help="or: the workflow config to take the request from")
        sub.add_argument("--connect-timeout", type=float, default=10.0)
        sub.add_argument("--read-timeout", type=float, default=120.0)

    fetch = commands.add_parser("fetch-imts", help="download one IMTS vintage (the only network step)")
    fetch.add_argument("--vintage", required=True, help="access date, YYYY-MM-DD")
    fetch.add_argument("--out", required=True, help="folder data/raw/imts-<vintage>")
    fetch.add_argument("--retries", type=int, default=4)
    fetch.add_argument("--backoff", type=float, default=1.0)
    fetch.add_argument("--contact", default="", help="added to the User-Agent")
    request_options(fetch)
    fetch.set_defaults(func=_fetch_imts)

    parse_cmd = commands.add_parser("parse-imts", help="parse a downloaded vintage into the tidy shape")
    parse_cmd.add_argument("folder")
    parse_cmd.add_argument("--out", required=True)
    request_options(parse_cmd)
    parse_cmd.set_defaults(func=_parse_imts)

    avail = commands.add_parser("imts-availability", help="ask the IMF which years exist, before downloading")
    avail.add_argument("--pause", type=float, default=1.0, help="seconds between requests")
    request_options(avail)
    avail.set_defaults(func=_availability)

    prov = commands.add_parser("provenance", help="write the provenance manifest of every output")
    prov.add_argument("--config", required=True, help="the workflow config, as JSON or a YAML file")
    prov.add_argument("--out", required=True)
    prov.set_defaults(func=_provenance)

    rep = commands.add_parser("report", help="write the self-contained HTML report")
    rep.add_argument("--config", required=True)
    rep.add_argument("--provenance", required=True)
    rep.add_argument("--out", required=True)
    rep.set_defaults(func=_report)

    sums = commands.add_parser("checksums", help="rewrite CHECKSUMS.sha256 from the current outputs")
    sums.add_argument("--config", default="config/config.yaml")
    sums.set_defaults(func=_checksums)

    ver = commands.add_parser("verify", help="rebuild in a temporary directory and compare with CHECKSUMS.sha256")
    ver.add_argument("--cores", default="all")
    ver.add_argument("--keep", action="store_true", help="keep the temporary rebuild")
    ver.set_defaults(func=_verify)

    prog = commands.add_parser("programs", help="print the list of tables and programs (Markdown)")
    prog.add_argument("--config", default="config/config.yaml")
    prog.add_argument("--update", metavar="README", help="rewrite the generated block of this file instead")
    prog.set_defaults(func=_programs)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        args.func(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
