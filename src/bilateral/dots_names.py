"""The committed mapping of the IMF workbooks' country names to codes (config/dots_names.csv).

Apart from bilateral.dots_cache, which builds the workbooks' cache with pandas, because the workflow
reads the mapping every time it loads (which pairs a config names) and a load imports no pandas.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .errors import InputError

NAMES_FILE = Path("config/dots_names.csv")
NAME_KINDS = ("country", "aggregate", "unallocated", "memorandum")


class CacheError(InputError):
    """The workbooks or the name mapping are not what the cache can be built from."""


def load_names(path: str | Path = NAMES_FILE) -> dict[str, dict]:
    """IMF name -> {'code', 'kind'} from the committed mapping; a malformed row names its line."""
    path = Path(path)
    if not path.is_file():
        raise CacheError(f"{path}: missing; restore it with `git checkout -- {path}`")
    names: dict[str, dict] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["name", "code", "kind"]:
            raise CacheError(f"{path}, line 1: expected the header name,code,kind, found {reader.fieldnames}")
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            if row["kind"] not in NAME_KINDS:
                raise CacheError(f"{where}: kind {row['kind']!r} is not one of {list(NAME_KINDS)}")
            if row["kind"] == "country" and not row["code"]:
                raise CacheError(f"{where}: the country {row['name']!r} has no code")
            if row["name"] in names:
                raise CacheError(f"{where}: {row['name']!r} is listed twice")
            names[row["name"]] = {"code": row["code"], "kind": row["kind"]}
    return names


def name_of_code(names: dict[str, dict]) -> dict[str, str]:
    """IMTS code -> the IMF name the workbooks print (the first name listed for a code)."""
    found: dict[str, str] = {}
    for name, entry in names.items():
        if entry["code"]:
            found.setdefault(entry["code"], name)
    return found
