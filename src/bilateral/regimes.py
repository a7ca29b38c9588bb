"""The home country's governments (config/regimes.yaml: Bangladesh's) and the calendar years assigned to them.

The file names its country (`country`, the IMTS code of config pair.home), the camps in the order
the camp table lists them (`camps`), and the governments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from . import yamlfile
from .errors import InputError

# The file's JSON Schema, beside the committed regimes file.
SCHEMA = Path(__file__).resolve().parents[2] / "config" / "regimes.schema.yaml"
# How a calendar year is given to one government (config: regimes.year_rule).
YEAR_RULES = {
    "plurality": "the government in office for the most days of the year (ties: the earlier one)",
    "january_1": "the government in office on 1 January",
    "december_31": "the government in office on 31 December",
}


class RegimeError(InputError):
    pass


@dataclass(frozen=True)
class Government:
    id: str
    government: str
    camp: str
    start: dt.date
    end: dt.date | None  # None: still in office

    def days_in(self, year: int) -> int:
        """Days of `year` this government held office ([start, end) half-open)."""
        first, after = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        begin = max(self.start, first)
        finish = min(self.end or dt.date.max, after)
        return max((finish - begin).days, 0)

    def in_office(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


def _document(path: str | Path) -> tuple[dict, dict[tuple, int]]:
    """The file and the line of each key path, checked against config/regimes.schema.yaml."""
    label = yamlfile.entry_label("governments", "government")
    return yamlfile.read_checked(path, "config regimes.file", SCHEMA, RegimeError, label)


def load_camps(path: str | Path | None) -> tuple[str, ...]:
    """The camps, in the order the camp table lists them; none without a file (a pair whose home
    country has no regimes file: its whole history is drawn without bands)."""
    if path is None:
        return ()
    return tuple(_document(path)[0]["camps"])


def check_file(path: str | Path) -> None:
    """Check the governments file before any work (cheap: one small YAML file); raises RegimeError."""
    load(path)


def load(path: str | Path | None, camp_of: dict | None = None) -> list[Government]:
    """Read and check the governments file: the schema, then what it cannot say: known camps,
    unique ids, each end after its start, no gaps or overlaps. `camp_of` (config regimes.camp_of,
    id -> camp) recodes those governments: an alternative coding without editing the file.
    No file (None): no governments."""
    if path is None:
        return []
    path = Path(path)
    document, lines = _document(path)
    camps = document["camps"]
    governments: list[Government] = []
    for number, entry in enumerate(document["governments"]):
        where = f"{path}, line {lines[('governments', number)]}: governments[{number}] (government {entry['id']!r})"
        if entry["camp"] not in camps:
            raise RegimeError(f"{where}: camp {entry['camp']!r} is not one of 'camps' {list(camps)}")
        start, end = yamlfile.date(entry["start"]), yamlfile.date(entry["end"])
        if end is not None and end <= start:
            raise RegimeError(f"{where}: end {end} is not after start {start}")
        governments.append(Government(entry["id"], entry["government"], entry["camp"], start, end))
    _check_sequence(path, governments, [lines[("governments", n)] for n in range(len(governments))])
    return recode(governments, camp_of or {}, camps, path)


def recode(governments: list[Government], camp_of: dict, camps, path: str | Path) -> list[Government]:
    """The governments with the camps of `camp_of` (government id -> camp) in place of the file's."""
    ids = [g.id for g in governments]
    for government_id, camp in camp_of.items():
        if government_id not in ids:
            raise RegimeError(f"config regimes.camp_of: {government_id!r} is not a government id of {path}: {ids}")
        if camp not in camps:
            raise RegimeError(
                f"config regimes.camp_of.{government_id}: {camp!r} is not one of the camps of {path}: {list(camps)}"
            )
    return [replace(g, camp=camp_of.get(g.id, g.camp)) for g in governments]


def _check_sequence(path: Path, governments: list[Government], lines: list[int]) -> None:
    ids = [g.id for g in governments]
    if len(set(ids)) != len(ids):
        raise RegimeError(f"{path}: duplicate government ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for number, (before, after) in enumerate(zip(governments, governments[1:], strict=False)):
        where = f"{path}, lines {lines[number]}-{lines[number + 1]}"
        if before.end is None:
            raise RegimeError(f"{where}: {before.id} has no end but {after.id} follows it")
        if before.end != after.start:
            kind = "gap" if before.end < after.start else "overlap"
            raise RegimeError(
                f"{where}: {kind} between {before.id} (ends {before.end}) and {after.id} (starts {after.start}); "
                "one government's end must be the next one's start"
            )


def government_for_year(governments: list[Government], year: int, rule: str = "plurality") -> Government | None:
    """The government a calendar year is assigned to, or None if no government covers it."""
    if rule == "plurality":
        days = [(g.days_in(year), -index, g) for index, g in enumerate(governments)]
        best = max(days, key=lambda item: item[:2], default=None)  # no governments: no regimes file
        return best[2] if best and best[0] > 0 else None
    if rule in ("january_1", "december_31"):
        day = dt.date(year, 1, 1) if rule == "january_1" else dt.date(year, 12, 31)
        return next((g for g in governments if g.in_office(day)), None)
    raise RegimeError(f"year rule {rule!r} unknown; choose one of {sorted(YEAR_RULES)}")


def assign_years(governments: list[Government], years, rule: str = "plurality") -> dict[int, Government | None]:
    return {int(year): government_for_year(governments, int(year), rule) for year in years}
