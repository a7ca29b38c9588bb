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
    from . import panel
    from .atomic import write_text
    from .schemas import read_raw

    raw = read_raw(args.raw)
    settings = panel.PanelSettings(
        succession_year=args.succession_year,
        successor_rule=args.successor_rule,
        first_year=args.first_year,
        last_year=args.last_year,
    )
    write_text(args.panel, panel.to_csv(panel.build_panel(raw, settings)))
    write_text(args.world, panel.to_csv(panel.build_world(raw, settings)))


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
    clean.add_argument("--panel", required=True, help="output: Bangladesh-USSR/Russia panel CSV")
    clean.add_argument("--world", required=True, help="output: Bangladesh-World CSV")
    clean.add_argument("--first-year", type=int, default=1972)
    clean.add_argument("--last-year", type=int, default=None)
    clean.add_argument("--succession-year", type=int, default=1992)
    clean.add_argument("--successor-rule", default="fill_gaps")
    clean.set_defaults(func=_clean)

    norm = commands.add_parser("normalise-notebook", help="strip run times from executed notebooks")
    norm.add_argument("notebooks", nargs="+")
    norm.set_defaults(func=_normalise)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        args.func(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
