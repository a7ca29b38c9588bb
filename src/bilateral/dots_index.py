"""INDEX.csv of a folder of IMF DOTS workbooks, checked line by line (no pandas: read at workflow load).

The folder is the user's choice (config dots_xlsx.folder or $BILATERAL_DOTS_XLSX), so its index may
be an edited or truncated copy: every problem is reported with the file and the line to fix.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .errors import InputError

INDEX_FILE = "INDEX.csv"
# The columns the cache reads; the year columns of the shared index are informative only.
REQUIRED = ("file", "reporter", "sha256")
SHA256 = re.compile(r"[0-9a-f]{64}")


class IndexFileError(InputError):
    """INDEX.csv is not a list of workbooks the cache can read."""


def read_index(folder: str | Path) -> list[dict]:
    """[{'file', 'reporter', 'sha256', 'line'}] in the index's order; stops naming the file and line
    on a missing column, an empty cell, a malformed sha256, a workbook listed twice or no workbook."""
    index = Path(folder) / INDEX_FILE
    if not index.is_file():
        raise IndexFileError(f"{index}: missing; is {folder} the folder of the IMF DOTS workbooks (config dots_xlsx)?")
    entries: list[dict] = []
    first_line: dict[str, int] = {}
    with open(index, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        missing = [column for column in REQUIRED if column not in header]
        if missing:
            raise IndexFileError(f"{index}, line 1: no column {', '.join(missing)} in the header {header}")
        for row in reader:
            where = f"{index}, line {reader.line_num}"
            if None in row or any(value is None for value in row.values()):
                raise IndexFileError(
                    f"{where}: {len(header)} columns expected ({', '.join(header)}), the line has another number"
                )
            empty = [column for column in REQUIRED if not row[column].strip()]
            if empty:
                raise IndexFileError(f"{where}: empty cell in column {', '.join(empty)}")
            if not SHA256.fullmatch(row["sha256"]):
                raise IndexFileError(f"{where}: column sha256 {row['sha256']!r} is not 64 lowercase hex digits")
            name = row["file"]
            if name in first_line:
                raise IndexFileError(
                    f"{where}: {name} is listed again (first on line {first_line[name]}); list it once"
                )
            first_line[name] = reader.line_num
            entries.append(
                {"file": name, "reporter": row["reporter"], "sha256": row["sha256"], "line": reader.line_num}
            )
    if not entries:
        raise IndexFileError(f"{index}: no workbook listed (header only); restore the folder's INDEX.csv")
    return entries
