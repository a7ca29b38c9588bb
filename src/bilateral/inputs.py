"""Checks of the inputs a run depends on, cheap enough for every workflow load (issue 7).

One call before any work: the committed raw snapshot against its record, and the YAML files the
user edits (the governments, the paper's claims) against their schemas. Each raises the
project's InputError, whose message names the file, the place and what to do.
"""

from __future__ import annotations

from pathlib import Path

from . import claims_file, regimes, snapshot_record
from .settings import CLAIMS_FILE, dataset


def check_before_work(config: dict, root: str | Path = ".") -> None:
    """Check what the run will read, before any rule runs (a few milliseconds).

    - data/raw/dots-2022/dots.csv against the sha256 and row count in its provenance.json,
      whenever the run uses it (as its source or as the revision base);
    - the regimes file (config regimes.file) against config/regimes.schema.yaml, plus no gaps
      or overlaps between governments;
    - config/claims.yaml against config/claims.schema.yaml (it is read even for another pair,
      to decide whether the claims apply).
    `config` is the schema-completed workflow config; paths are relative to `root`.
    """
    root = Path(root)
    if "dots-2022" in (dataset(config), config["revisions"]["base"]):
        snapshot_record.check_record(root / "data" / "raw" / snapshot_record.VINTAGE)
    regimes.check_file(root / config["regimes"]["file"])
    claims_file.check_file(root / CLAIMS_FILE)
