"""A folder holding some of the IMF workbooks (../shared): symbolic links to them and their rows of
INDEX.csv. A run over a few pairs reads only its reporters' workbooks, in about a second, where the
whole folder (235 workbooks) takes half a minute; the tests that are about the whole folder read it."""

from __future__ import annotations

import csv
from pathlib import Path

from conftest import WORKBOOKS


def subset(folder: Path, files: list[str]) -> Path:
    """`folder` with links to the workbooks named in `files` and their rows of INDEX.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(WORKBOOKS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["file"] in files]
        header = reader.fieldnames
    with open(folder / "INDEX.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    for name in files:
        (folder / name).symlink_to(WORKBOOKS / name)
    return folder


def file_of(reporter: str) -> str:
    """The workbook of `reporter` (its name as INDEX.csv has it)."""
    with open(WORKBOOKS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        return next(row["file"] for row in csv.DictReader(handle) if row["reporter"] == reporter)


def of_reporters(folder: Path, reporters: list[str]) -> Path:
    """`folder` with the workbooks of `reporters`."""
    return subset(folder, [file_of(reporter) for reporter in reporters])
