"""Every reporter of the IMF DOTS workbooks, read once into one Parquet file (config source `dots-2022-xlsx`).

The committed snapshot (data/raw/dots-2022) holds three reporters; a run over many pairs needs
all 235. Reading the workbooks with openpyxl costs about half a second each, so they are read
once, in parallel processes, into data/processed/dots-2022-xlsx/dots.parquet; every pair's
cleaning step then reads only its reporters' rows from it. The workbooks stay outside the
repository (their README forbids copying them); their sha256 are checked against INDEX.csv and
recorded beside the cache.

Country names become codes through the committed mapping config/dots_names.csv (IMF name ->
IMTS code, or the kind of group the name is): a name the mapping lacks stops the build, naming
the workbook, so that no reporter's rows are silently left without a code.
"""

from __future__ import annotations

import json
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from . import __version__, tidy
from .atomic import write_bytes, write_text
from .checksums import sha256_bytes, sha256_file
from .dots_excel import first_difference, locate_name, read_workbook
from .dots_index import read_index

# The name mapping lives in dots_names (the workflow's load imports no pandas); its names are this
# module's too.
from .dots_names import NAMES_FILE as NAMES_FILE
from .dots_names import CacheError as CacheError
from .dots_names import load_names as load_names
from .dots_names import name_of_code as name_of_code

log = logging.getLogger(__name__)

VINTAGE = "dots-2022-xlsx"
DATA_FILE = "dots.parquet"
ROW_GROUP = 16_384  # rows; about one reporter's (a workbook has about 11,000 rows)
RECORD_FILE = "provenance.json"
# Column order and types of the cache: the tidy shape (src/bilateral/tidy.py).
ARROW_TYPES = {
    "reporter_code": "string",
    "reporter": "string",
    "partner_code": "string",
    "partner": "string",
    "partner_kind": "string",
    "indicator": "string",
    "year": "int64",
    "value_musd": "float64",
    "estimate": "bool",
}


def workbooks(source_dir: str | Path) -> list[dict]:
    """The workbooks listed in INDEX.csv (file, reporter, sha256), in the index's order; a malformed
    line stops the build naming it (bilateral.dots_index)."""
    return [{key: entry[key] for key in ("file", "reporter", "sha256")} for entry in read_index(source_dir)]


def repeated_reporters(source_dir: str | Path, listed: list[dict]) -> list[dict]:
    """The workbooks that repeat an earlier workbook's reporter, each checked to hold the same values.

    The shared INDEX.csv lists Nicaragua twice (DOTS_143.xlsx, DOTS_144.xlsx): the two files differ
    in sha256 but only in their zip timestamps (exported a minute apart); every cell is equal. Read
    both, the cache would hold each of Nicaragua's values twice. The first listed is kept (a rule that
    needs no judgement, and the kept data are the same either way); a copy whose values differ stops
    the build, naming both files and the first differing cell, since no rule can choose between them.
    """
    source_dir = Path(source_dir)
    first: dict[str, dict] = {}
    repeats = []
    for entry in listed:
        kept = first.setdefault(entry["reporter"], entry)
        if kept is entry:
            continue
        path, kept_path = source_dir / entry["file"], source_dir / kept["file"]
        for checked in (entry, kept):
            _check_digest(source_dir / checked["file"], checked["sha256"])
        difference = first_difference(kept_path, path)
        if difference:
            raise CacheError(
                f"{kept_path} and {path}: INDEX.csv lists both for {entry['reporter']!r}, but their values "
                f"differ: {difference}; remove the wrong one from INDEX.csv"
            )
        log.info(
            "%s repeats the reporter %r of %s with the same values in every cell: kept %s only",
            entry["file"],
            entry["reporter"],
            kept["file"],
            kept["file"],
        )
        repeats.append({"file": entry["file"], "kept": kept["file"], "reporter": entry["reporter"]})
    return repeats


def _check_digest(path: Path, expected: str) -> str:
    digest = sha256_file(path)
    if digest != expected:
        raise CacheError(f"{path}: sha256 {digest} differs from INDEX.csv ({expected}); the workbook was changed")
    return digest


def _read(task: tuple[str, str, str]) -> tuple[pd.DataFrame, str]:
    path, reporter, expected = task
    digest = _check_digest(Path(path), expected)
    frame = read_workbook(path)
    found = frame["reporter"].iloc[0] if len(frame) else reporter
    if found != reporter:
        raise CacheError(f"{path}: reporter is {found!r}, INDEX.csv says {reporter!r}")
    return frame, digest


def unmapped(frame: pd.DataFrame, names: dict[str, dict]) -> list[str]:
    """Names of the frame (reporters, and partners above the memorandum block) the mapping lacks."""
    seen = set(frame["reporter"]) | set(frame.loc[frame["partner_kind"] != "memorandum", "partner"])
    return sorted(seen - set(names))


def apply_codes(frame: pd.DataFrame, names: dict[str, dict], source: str, names_file=NAMES_FILE) -> pd.DataFrame:
    """Give every reporter and partner its IMTS code from the mapping (memorandum rows keep none)."""
    missing = unmapped(frame, names)
    if missing:
        # Where the first one is printed, so that the user can check its spelling in the workbook.
        cell = locate_name(source, missing[0]) if Path(source).is_file() else None
        at = f" ({missing[0]!r} at {cell}, row {cell.row}, column B)" if cell else ""
        raise CacheError(
            f"{source}: names not in {names_file}: {missing}{at}; add each to {names_file} with its IMTS code "
            "(or its kind of group)"
        )
    codes = {name: entry["code"] for name, entry in names.items()}
    frame = frame.copy()
    frame["reporter_code"] = frame["reporter"].map(codes)
    memo = frame["partner_kind"] == "memorandum"
    frame["partner_code"] = frame["partner"].map(codes).where(~memo, "")
    return frame


def build(source_dir: str | Path, names_file: str | Path = NAMES_FILE, processes: int | None = None):
    """(tidy frame of every reporter, provenance record) from the workbooks in `source_dir`."""
    source_dir = Path(source_dir)
    listed = workbooks(source_dir)
    names = load_names(names_file)
    for entry in listed:
        if not (source_dir / entry["file"]).is_file():
            raise CacheError(f"{source_dir / entry['file']}: listed in INDEX.csv but not found")
    repeats = repeated_reporters(source_dir, listed)
    dropped = {entry["file"] for entry in repeats}
    read_list = [entry for entry in listed if entry["file"] not in dropped]
    tasks = [(str(source_dir / entry["file"]), entry["reporter"], entry["sha256"]) for entry in read_list]
    processes = processes or max(1, min(len(os.sched_getaffinity(0)), len(tasks)))
    frames = []
    # Workbooks are independent: one process per core; map keeps the index's order.
    with ProcessPoolExecutor(max_workers=processes) as pool:
        read = zip(pool.map(_read, tasks, chunksize=4), read_list, strict=True)
        for count, ((frame, _), entry) in enumerate(read, start=1):
            frames.append(apply_codes(frame, names, str(source_dir / entry["file"]), names_file))
            if count % 25 == 0 or count == len(tasks):
                log.info("read %d of %d workbooks", count, len(tasks))
    data = tidy.finish(pd.concat(frames, ignore_index=True))
    record = {
        "dataset": VINTAGE,
        "producer": "International Monetary Fund (IMF), Statistics Department",
        "title": "Direction of Trade Statistics (DOTS), annual, by partner country",
        "vintage": "early 2022 (data to 2020)",
        "unit": "US dollars, millions",
        "indicators": {tidy.EXPORTS: "Exports, FOB to partner", tidy.IMPORTS: "Imports, CIF from partner"},
        "estimate_flag": "true where the IMF marked the value as an estimate (' e' suffix)",
        "citation": (
            "International Monetary Fund, Direction of Trade Statistics (DOTS), "
            "accessed via data.imf.org, vintage of early 2022."
        ),
        "licence": (
            "The figures are the IMF's (© International Monetary Fund), used under the IMF's terms of use "
            "for data (https://www.imf.org/external/terms.htm) with attribution; the workbooks are not redistributed."
        ),
        "source_workbooks": listed,
        # Workbooks of a reporter listed before, with equal values: not read, so no value counts twice.
        "repeated_workbooks": repeats,
        "names": {"file": Path(names_file).as_posix(), "sha256": sha256_file(names_file)},
        "extract": {"file": DATA_FILE, "rows": len(data), "reporters": int(data["reporter"].nunique())},
        "produced_by": {"program": f"bilateral {__version__} (bilateral.dots_cache)"},
    }
    return data, record


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as Parquet, byte-identical for equal data (no pandas index or timestamps stored)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    # Grouped by reporter code in small row groups: a pair's step reads its three reporters' groups
    # only (Parquet's per-group statistics let the filter skip the rest).
    frame = tidy.finish(frame).astype(ARROW_TYPES)
    frame = frame.sort_values("reporter_code", kind="stable").reset_index(drop=True)
    table = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(None)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=ROW_GROUP)
    return sink.getvalue().to_pybytes()


def write(source_dir: str | Path, out_dir: str | Path, names_file: str | Path = NAMES_FILE, processes=None) -> Path:
    """Build and write the cache and its record; nothing is written unless every workbook was read."""
    data, record = build(source_dir, names_file, processes)
    content = to_parquet_bytes(data)
    record["extract"]["sha256"] = sha256_bytes(content)
    out_dir = Path(out_dir)
    write_bytes(out_dir / DATA_FILE, content)
    write_text(out_dir / RECORD_FILE, json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    log.info("wrote %s (%d rows, %d reporters)", out_dir / DATA_FILE, len(data), record["extract"]["reporters"])
    return out_dir / DATA_FILE


def read_reporters(path: str | Path, codes) -> pd.DataFrame:
    """The cache's rows reported by the given codes (one pair's reporters), in the tidy shape."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, filters=[("reporter_code", "in", sorted(set(codes)))])
    # In the tidy order (by reporter name), as the CSV snapshot has it.
    frame = tidy.finish(table.to_pandas())
    frame.attrs["source"] = str(path)
    return frame
