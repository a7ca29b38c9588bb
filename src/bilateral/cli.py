"""Command line: `python -m bilateral <command>` (also installed as `bilateral`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _snapshot(args: argparse.Namespace) -> None:
    from . import snapshot

    snapshot.write(Path(args.source), Path(args.out))


def _imts_plan(config: dict) -> dict:
    """The run's IMTS requests (every pair's), as the workflow plans them (rules/common.smk)."""
    from . import dots_cache
    from . import pairs as run_pairs
    from .imts.request import plan

    names = dots_cache.name_of_code(dots_cache.load_names(config["dots_xlsx"]["names"])) if config["pairs"] else {}
    return plan(config, run_pairs.configured(config, names))


def _availability(args: argparse.Namespace) -> None:
    from .imts import availability

    config = _load_config(args.config)
    imts = config["imts"]
    _stop_if_unreachable(imts, "make availability")
    timeout = (imts["connect_timeout"], imts["read_timeout"])
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    print(availability.report(_imts_plan(config).values(), timeout=timeout, pause=args.pause, progress=say))


def _imts_check(args: argparse.Namespace) -> None:
    """Before `make update-data` runs the workflow: a vintage on disk needs no network; otherwise the
    IMF's host must be reachable, or the command ends here with one paragraph and nothing written."""
    if Path(f"data/raw/imts-{args.vintage}/metadata.json").exists():
        return
    _stop_if_unreachable(_load_config(args.config)["imts"], "make update-data")


def _stop_if_unreachable(imts: dict, command: str) -> None:
    from .imts import offline

    failed = offline.problem(imts["base_url"], imts["connect_timeout"])
    if failed:
        print(offline.paragraph(command, failed), file=sys.stderr)
        raise SystemExit(1)


def _load_config(paths: list[str]) -> dict:
    """The workflow's config files, each on top of the one before (as Snakemake merges
    --configfile), with the schema's defaults."""
    import yaml
    from snakemake.utils import update_config, validate

    config: dict = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            update_config(config, yaml.safe_load(handle) or {})
    validate(config, "config/schema.yaml", set_default=True)
    return config


def _checksums(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .atomic import write_text
    from .verify import MANIFEST, manifest_text, recorded_files

    raw, outputs = recorded_files(args.provenance)
    write_text(Path(MANIFEST), manifest_text(Path("."), raw, outputs))


def _verify(args: argparse.Namespace) -> None:
    from .verify import verify

    if not verify(".", cores=args.cores, keep=args.keep):
        raise SystemExit(1)


def _programs(args: argparse.Namespace) -> None:
    import json
    from pathlib import Path

    from .atomic import write_text
    from .programs import programs_table, with_programs_table

    records = json.loads(Path(args.provenance).read_text(encoding="utf-8"))["products"]
    if args.update:
        write_text(args.update, with_programs_table(Path(args.update).read_text(encoding="utf-8"), records))
    else:
        print(programs_table(records), end="")


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

    norm = commands.add_parser("normalise-notebook", help="strip run times from executed notebooks")
    norm.add_argument("notebooks", nargs="+")
    norm.set_defaults(func=_normalise)

    avail = commands.add_parser("imts-availability", help="ask the IMF which years exist, before downloading")
    avail.add_argument("--pause", type=float, default=1.0, help="seconds between requests")
    config_help = "a workflow config file (pair, imts); repeat to lay one over another"
    avail.add_argument("--config", action="append", default=None, help=config_help)
    avail.set_defaults(func=_availability)

    check = commands.add_parser("imts-check", help="before a pull: is the vintage on disk, or the IMF reachable?")
    check.add_argument("--config", action="append", default=None, help=config_help)
    check.add_argument("--vintage", required=True)
    check.set_defaults(func=_imts_check)

    sums = commands.add_parser("checksums", help="rewrite CHECKSUMS.sha256 from the current outputs")
    sums.add_argument("--provenance", default="report/provenance.json", help="the build's record of its outputs")
    sums.set_defaults(func=_checksums)

    ver = commands.add_parser("verify", help="rebuild in a temporary directory and compare with CHECKSUMS.sha256")
    ver.add_argument("--cores", default="all")
    ver.add_argument("--keep", action="store_true", help="keep the temporary rebuild")
    ver.set_defaults(func=_verify)

    prog = commands.add_parser("programs", help="print the list of tables and programs (Markdown)")
    prog.add_argument("--provenance", default="report/provenance.json", help="the build's record of its outputs")
    prog.add_argument("--update", metavar="README", help="rewrite the generated block of this file instead")
    prog.set_defaults(func=_programs)

    args = parser.parse_args(argv)
    if getattr(args, "config", "") is None:
        args.config = ["config/config.yaml"]
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        args.func(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
