"""Build the project's embedded raw snapshot `data/raw/dots-2022/` from the IMF workbooks.

The workbooks stay in ../shared (their README forbids copying them); only this tidy extract
and its provenance file are committed. Regenerating from the same workbooks gives the same
bytes, which a test checks.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import pandas as pd

from . import __version__, tidy
from .atomic import write_text
from .checksums import sha256_bytes, sha256_file

# The check of the committed extract lives in snapshot_record (the workflow's load imports no
# pandas); its names are this module's too.
from .snapshot_record import DATA_FILE, PROVENANCE_FILE, VINTAGE
from .snapshot_record import RecordError as RecordError
from .snapshot_record import check_record as check_record

log = logging.getLogger(__name__)

# The three reporters the paper needs (file names as in the shared folder's INDEX.csv).
WORKBOOKS = {
    "DOTS_16.xlsx": "Bangladesh",
    "DOTS_162.xlsx": "Russian Federation",
    "DOTS_203.xlsx": "USSR",
}
DEFAULT_SOURCE_DIR = Path("../shared/data/imf-dots-2022-xlsx")
CITATION = (
    "International Monetary Fund, Direction of Trade Statistics (DOTS), "
    "accessed via data.imf.org, vintage of early 2022."
)
LICENCE = (
    "The figures are the IMF's (© International Monetary Fund), used under the IMF's "
    "terms of use for data (https://www.imf.org/external/terms.htm) with attribution; "
    "the workbooks themselves are not redistributed."
)
ORIGIN = (
    "Excel exports of the former data.imf.org portal, as held in the public GitHub repository "
    "SamLeBlanc/Direction-of-Trade-Map, folder data/DOTS/, commit "
    "a769819d9b25a21a362d6cabfb10f150903f834d (2022-02-02)."
)


class SnapshotError(RuntimeError):
    pass


def _expected_checksums(source_dir: Path) -> dict[str, str]:
    index = source_dir / "INDEX.csv"
    if not index.exists():
        return {}
    with open(index, newline="", encoding="utf-8") as handle:
        return {row["file"]: row["sha256"] for row in csv.DictReader(handle)}


def build(source_dir: Path) -> tuple[str, dict]:
    """Return (tidy CSV text, provenance record) for the three workbooks in `source_dir`."""
    # Imported here: openpyxl takes a tenth of a second, and every workflow load imports this
    # module for check_record alone.
    from .dots_excel import read_workbook

    expected = _expected_checksums(source_dir)
    frames, sources = [], []
    for name, reporter in WORKBOOKS.items():
        path = source_dir / name
        if not path.exists():
            raise SnapshotError(f"{path}: workbook for {reporter} not found")
        digest = sha256_file(path)
        if name in expected and expected[name] != digest:
            raise SnapshotError(
                f"{path}: sha256 {digest} differs from INDEX.csv ({expected[name]}); "
                "the workbook was changed, refusing to build the snapshot from it"
            )
        log.info("reading %s (%s)", name, reporter)
        frame = read_workbook(path)
        found = frame["reporter"].iloc[0]
        if found != reporter:
            raise SnapshotError(f"{path}: reporter is {found!r}, expected {reporter!r}")
        frames.append(frame)
        sources.append({"file": name, "reporter": reporter, "sha256": digest})
    text = tidy.to_csv(pd.concat(frames, ignore_index=True))
    provenance = {
        "dataset": VINTAGE,
        "producer": "International Monetary Fund (IMF), Statistics Department",
        "title": "Direction of Trade Statistics (DOTS), annual, by partner country",
        "vintage": "early 2022 (data to 2020)",
        "unit": "US dollars, millions",
        "indicators": {
            tidy.EXPORTS: "Exports, FOB to partner",
            tidy.IMPORTS: "Imports, CIF from partner",
        },
        "estimate_flag": "true where the IMF marked the value as an estimate (' e' suffix)",
        "origin": ORIGIN,
        "citation": CITATION,
        "licence": LICENCE,
        "source_workbooks": sources,
        "extract": {
            "file": DATA_FILE,
            "sha256": sha256_bytes(text.encode()),
            "rows": text.count("\n") - 1,
        },
        "produced_by": {
            "command": "make snapshot  (= python -m bilateral snapshot --source ../shared/data/imf-dots-2022-xlsx)",
            "program": f"bilateral {__version__} (bilateral.snapshot)",
        },
    }
    return text, provenance


def write(source_dir: Path, out_dir: Path) -> Path:
    text, provenance = build(Path(source_dir))
    out_dir = Path(out_dir)
    write_text(out_dir / DATA_FILE, text)
    write_text(out_dir / PROVENANCE_FILE, json.dumps(provenance, indent=2, ensure_ascii=False) + "\n")
    log.info(
        "wrote %s (%d rows) and %s",
        out_dir / DATA_FILE,
        provenance["extract"]["rows"],
        PROVENANCE_FILE,
    )
    return out_dir / DATA_FILE
