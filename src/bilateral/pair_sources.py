"""Which countries the source of a run has reports of: config `pairs` checked at workflow load.

A pair needs both countries' own reports (the home side and the mirror). Found missing only when
the pair's cleaning step runs, a typo would stop a run of two hundred pairs after the workbooks'
cache was built; here it stops before any work, naming the key (`pairs[3].home`) and the close
codes. Only small files are read, with the csv and json modules: the workbooks' INDEX.csv (or the
cache's record once the workbooks are gone), or the committed snapshot's provenance record.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from .dots_index import INDEX_FILE, read_index
from .pair import PairError

SNAPSHOT_RECORD = "data/raw/dots-2022/provenance.json"
XLSX_CACHE_RECORD = "data/processed/dots-2022-xlsx/provenance.json"


@dataclass(frozen=True)
class SourceCodes:
    """The reporters of a source by IMTS code, and the mapping's codes of groups of countries."""

    source: str  # the file the reporters were read from, for the message
    reporters: dict[str, str] | None  # code -> IMF name; None: the source does not say (an IMTS pull)
    groups: dict[str, tuple[str, str]]  # code -> (IMF name, kind) of every group with a code (G001 World)

    def check(self, code: str, where: str) -> None:
        """Stop unless `code` is a country that reports in this source."""
        if code in self.groups:
            name, kind = self.groups[code]
            raise PairError(
                f"config {where}: {code!r} is {name!r}, a group of countries ({kind} in config/dots_names.csv), "
                "not a country: a pair is two countries"
            )
        if self.reporters is None or code in self.reporters:
            return
        if self.source == SNAPSHOT_RECORD:
            # The usual slip: many pairs without the workbooks' source. Close codes would mislead.
            raise PairError(
                f"config {where}: {self.source} has no reporter with code {code!r}: the committed snapshot "
                f"(source: dots-2022) holds the reports of {', '.join(sorted(self.reporters.values()))} only. "
                "For other countries set source: dots-2022-xlsx (every reporter of the IMF workbooks; "
                "README: 'Many pairs in one run'). A pair needs both countries' own reports (the home side "
                "and the mirror)"
            )
        close = difflib.get_close_matches(code, list(self.reporters), n=5, cutoff=0.3)
        hint = f"; if you meant another country, close codes: {', '.join(f'{c} ({self.reporters[c]})' for c in close)}"
        raise PairError(
            f"config {where}: {self.source} has no reporter with code {code!r} (the IMF's data in this source "
            f"hold no report by that country){hint if close else ''}. A pair needs both countries' own reports "
            "(the home side and the mirror)"
        )


def _listed(record: str | Path) -> list[str]:
    """The reporters a provenance record lists (its source_workbooks)."""
    data = json.loads(Path(record).read_text(encoding="utf-8"))
    return [entry["reporter"] for entry in data.get("source_workbooks", [])]


def reporter_names(config: dict, xlsx_folder: str) -> tuple[str, list[str]] | None:
    """(file read, reporter names) of the source in use; None when nothing says (an IMTS pull, or
    workbooks neither present nor cached, which settings.check_dots_xlsx reports)."""
    if config["source"] == "dots-2022":
        return SNAPSHOT_RECORD, _listed(SNAPSHOT_RECORD)
    if config["source"] != "dots-2022-xlsx":
        return None
    index = Path(xlsx_folder) / INDEX_FILE
    if index.is_file():
        return str(index), [entry["reporter"] for entry in read_index(xlsx_folder)]
    if Path(XLSX_CACHE_RECORD).is_file():
        return XLSX_CACHE_RECORD, _listed(XLSX_CACHE_RECORD)
    return None


def source_codes(config: dict, names: dict[str, dict], xlsx_folder: str) -> SourceCodes:
    """The source's reporters as codes (through the mapping `names`: IMF name -> {code, kind})."""
    groups = {
        entry["code"]: (name, entry["kind"])
        for name, entry in names.items()
        if entry["code"] and entry["kind"] != "country"
    }
    source, reporters = reporter_names(config, xlsx_folder) or ("", None)
    if reporters is None:
        return SourceCodes(source=source, reporters=None, groups=groups)
    # A reporter the mapping lacks has no code to be configured by; the cache build names it.
    codes = {names[name]["code"]: name for name in reporters if name in names and names[name]["code"]}
    return SourceCodes(source=source, reporters=codes, groups=groups)
