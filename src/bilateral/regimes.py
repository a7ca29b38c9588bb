"""The home country's governments (config/regimes.yaml: Bangladesh's) and the calendar years assigned to them.

The file names its country (`country`, the IMTS code of config pair.home), the camps in the order
the camp table lists them (`camps`), and the governments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml

# How a calendar year is given to one government (config: regimes.year_rule).
YEAR_RULES = {
    "plurality": "the government in office for the most days of the year (ties: the earlier one)",
    "january_1": "the government in office on 1 January",
    "december_31": "the government in office on 31 December",
}


class RegimeError(ValueError):
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


def _document(path: Path) -> dict:
    if not Path(path).is_file():
        raise RegimeError(f"{path}: no such file (config regimes.file)")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle) or {}


def load_camps(path: str | Path) -> tuple[str, ...]:
    """The camps, in the order the camp table lists them."""
    camps = _document(Path(path)).get("camps")
    if not isinstance(camps, list) or not camps or not all(isinstance(c, str) for c in camps):
        raise RegimeError(f"{path}: expected a non-empty list of names under 'camps'")
    if len(set(camps)) != len(camps):
        raise RegimeError(f"{path}: duplicate camps in {camps}")
    return tuple(camps)


def load(path: str | Path) -> list[Government]:
    """Read and check the governments file: known camps, unique ids, no gaps or overlaps."""
    path = Path(path)
    document = _document(path)
    camps = load_camps(path)
    entries = document.get("governments")
    if not isinstance(entries, list) or not entries:
        raise RegimeError(f"{path}: expected a non-empty list under 'governments'")
    governments: list[Government] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}, government #{number} ({entry.get('id', '?') if isinstance(entry, dict) else '?'})"
        if not isinstance(entry, dict):
            raise RegimeError(f"{where}: expected a mapping")
        missing = {"id", "government", "camp", "start", "end"} - set(entry)
        if missing:
            raise RegimeError(f"{where}: missing key(s) {sorted(missing)}")
        if entry["camp"] not in camps:
            raise RegimeError(f"{where}: camp {entry['camp']!r} is not one of 'camps' {list(camps)}")
        for key in ("start", "end"):
            value = entry[key]
            if not (isinstance(value, dt.date) or (key == "end" and value is None)):
                raise RegimeError(f"{where}: {key} must be a date YYYY-MM-DD, found {value!r}")
        if entry["end"] is not None and entry["end"] <= entry["start"]:
            raise RegimeError(f"{where}: end {entry['end']} is not after start {entry['start']}")
        governments.append(Government(**{k: entry[k] for k in Government.__dataclass_fields__}))
    ids = [g.id for g in governments]
    if len(set(ids)) != len(ids):
        raise RegimeError(f"{path}: duplicate government ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for before, after in zip(governments, governments[1:], strict=False):
        if before.end is None:
            raise RegimeError(f"{path}: {before.id} has no end but {after.id} follows it")
        if before.end != after.start:
            kind = "gap" if before.end < after.start else "overlap"
            raise RegimeError(
                f"{path}: {kind} between {before.id} (ends {before.end}) and {after.id} (starts {after.start})"
            )
    return governments


def government_for_year(governments: list[Government], year: int, rule: str = "plurality") -> Government | None:
    """The government a calendar year is assigned to, or None if no government covers it."""
    if rule == "plurality":
        days = [(g.days_in(year), -index, g) for index, g in enumerate(governments)]
        best = max(days, key=lambda item: item[:2])
        return best[2] if best[0] > 0 else None
    if rule in ("january_1", "december_31"):
        day = dt.date(year, 1, 1) if rule == "january_1" else dt.date(year, 12, 31)
        return next((g for g in governments if g.in_office(day)), None)
    raise RegimeError(f"year rule {rule!r} unknown; choose one of {sorted(YEAR_RULES)}")


def assign_years(governments: list[Government], years, rule: str = "plurality") -> dict[int, Government | None]:
    return {int(year): government_for_year(governments, int(year), rule) for year in years}
