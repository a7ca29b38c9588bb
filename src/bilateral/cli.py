"""Command line: `python -m bilateral <command>` (also installed as `bilateral`)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _snapshot(args: argparse.Namespace) -> None:
    from . import snapshot

    snapshot.write(Path(args.source), Path(args.out))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bilateral", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    commands = parser.add_subparsers(dest="command", required=True)

    snap = commands.add_parser("snapshot", help="rebuild data/raw/dots-2022 from the IMF workbooks")
    snap.add_argument("--source", default="../shared/data/imf-dots-2022-xlsx")
    snap.add_argument("--out", default="data/raw/dots-2022")
    snap.set_defaults(func=_snapshot)

    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        args.func(args)
    except (OSError, ValueError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
