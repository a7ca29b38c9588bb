"""Clean the tidy raw data into the panel of the configured pair and the home country's World series.

The default pair is Bangladesh with the USSR (to 1991) and the Russian Federation (from 1992);
config `pair` names another (src/bilateral/pair.py). Every flow is seen from the home country:
`exports` are its exports to the partner, `imports` its imports from the partner. Each is given
twice, never merged:

- reported_by = the home country's name ("Bangladesh"): its own report (exports FOB, imports CIF);
- reported_by = "partner": the mirror, the partner's report of the same flows (the partner's
  imports CIF from the home country, and its exports FOB to it), as published, with no
  CIF/FOB adjustment.

Partner succession: the predecessor (the USSR) up to `succession_year - 1`, the partner (the
Russian Federation) from `succession_year` (1992; Bangladesh recognised the Federation on
29 December 1991). A pair without a predecessor has the partner in every year.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import tidy
from .defaults import defaults
from .pair import PARTNER_SIDE, Country, Pair, PairError
from .schemas import PANEL, validate

log = logging.getLogger(__name__)

WORLD = Country("G001", "World")

# How to treat values that the home country still books under the predecessor from the
# succession year on (data README: Bangladesh's 1992 exports 14.90 under USSR while the Russian
# Federation row starts in 1993; a stray 0.48 in 1994 beside a Russian Federation value).
SUCCESSOR_RULES = {
    "fill_gaps": "attribute to the successor where the home country reports no successor value",
    "add": "add to the successor's value (treat the predecessor row as unallocated trade with its territory)",
    "ignore": "leave out: only rows booked under the successor count",
}


def _default(key: str):
    return defaults("panel", key)


@dataclass(frozen=True)
class PanelSettings:
    """Config `panel` and `pair`; what is not given is the schema's default."""

    succession_year: int = field(default_factory=lambda: _default("succession_year"))
    successor_rule: str = field(default_factory=lambda: _default("successor_rule"))
    first_year: int = field(default_factory=lambda: _default("first_year"))
    last_year: int | None = field(default_factory=lambda: _default("last_year"))  # None: the data's last year
    pair: Pair = field(default_factory=Pair)

    def __post_init__(self) -> None:
        if self.successor_rule not in SUCCESSOR_RULES:
            raise ValueError(f"successor_rule {self.successor_rule!r} unknown; choose one of {sorted(SUCCESSOR_RULES)}")

    def partner_in(self, year: int) -> Country:
        predecessor = self.pair.predecessor
        return predecessor if predecessor and year < self.succession_year else self.pair.partner


def _series(raw: pd.DataFrame, reporter: Country, partner: Country, indicator: str) -> pd.DataFrame:
    rows = raw[reporter.rows(raw, "reporter") & partner.rows(raw, "partner") & (raw["indicator"] == indicator)]
    _check_one_value_a_year(rows, reporter, partner, indicator)
    return rows.set_index("year")[["value_musd", "estimate"]]


def _check_one_value_a_year(rows: pd.DataFrame, reporter: Country, partner: Country, indicator: str) -> None:
    """A country matches by code or by name, so one flow can be in the file twice under two
    spellings (code RUS named 'Russia' beside 'Russian Federation'); the schema's uniqueness
    rule, on names, cannot see that."""
    twice = rows[rows["year"].duplicated(keep=False)]
    if twice.empty:
        return
    source = rows.attrs.get("source")
    # Rows of a tidy CSV read by schemas.read_raw (which records the source) keep their order:
    # line = position + 2; a frame from elsewhere has only row numbers.
    place = "line {}" if source else "row {}"
    shown = "; ".join(
        f"{place.format(index + 2 if source else index)}: reporter {row.reporter!r}, partner {row.partner!r} "
        f"(code {row.partner_code!r}), year {row.year}, value {row.value_musd}"
        for index, row in twice.head(6).iterrows()
    )
    raise PairError(
        f"{source or 'raw data'}: {reporter.name} {indicator} {partner.name} has more than one value a year, under "
        f"different names or codes of the same country: {shown}. The file should name each country one way; "
        "use the IMF's file as published (check it against its record), or remove the extra rows in your own file."
    )


def _label(reporter: Country, indicator: str, partner: Country) -> str:
    return f"{reporter.code} {indicator} {partner.code}"


def _flow(raw: pd.DataFrame, years: pd.Index, reporter_for: dict, partner_for: dict, indicator: str) -> pd.DataFrame:
    """One flow for every year: value, estimate flag and the raw series it came from."""
    pairs = {(reporter_for[y], partner_for[y]) for y in years}
    series = {pair: _series(raw, *pair, indicator) for pair in pairs}
    rows = []
    for year in years:
        pair = (reporter_for[year], partner_for[year])
        found = series[pair]
        value, estimate = (
            (found.at[year, "value_musd"], bool(found.at[year, "estimate"])) if year in found.index else (np.nan, False)
        )
        rows.append((value, estimate, _label(pair[0], indicator, pair[1])))
    out = pd.DataFrame(rows, index=years, columns=["value", "estimate", "source"])
    out["value"] = out["value"].astype("float64")
    return out


def _apply_successor_rule(
    raw: pd.DataFrame, flow: pd.DataFrame, indicator: str, settings: PanelSettings, notes: dict
) -> None:
    """The home country's own report only: handle values booked under the predecessor after the succession."""
    home, predecessor = settings.pair.home, settings.pair.predecessor
    if predecessor is None:
        return
    booked = _series(raw, home, predecessor, indicator)
    booked = booked[booked.index >= settings.succession_year]
    name = "exports" if indicator == tidy.EXPORTS else "imports"
    for year, row in booked.iterrows():
        if year not in flow.index:
            continue
        current = flow.loc[year, "value"]
        usable = settings.successor_rule == "add" or (settings.successor_rule == "fill_gaps" and np.isnan(current))
        source = _label(home, indicator, predecessor)
        booked_under = f"{name} {row['value_musd']:.2f} booked under {predecessor.name}"
        if usable:
            if np.isnan(current):
                flow.loc[year, ["value", "source"]] = [row["value_musd"], source]
            else:
                flow.loc[year, "value"] = current + row["value_musd"]
                flow.loc[year, "source"] = f"{flow.loc[year, 'source']} + {source}"
            flow.loc[year, "estimate"] = bool(flow.loc[year, "estimate"] or row["estimate"])
            action = f"{booked_under} used ({settings.successor_rule})"
        else:
            action = f"{booked_under} left out ({settings.successor_rule})"
        log.info("%d: %s", year, action)
        notes.setdefault(year, []).append(action)


def build_panel(raw: pd.DataFrame, settings: PanelSettings | None = None) -> pd.DataFrame:
    """The pair's panel: one row per year and reporting side."""
    settings = settings or PanelSettings()
    home = settings.pair.home
    last = settings.last_year or int(raw["year"].max())
    years = pd.Index(range(settings.first_year, last + 1), name="year")
    partner_for = {y: settings.partner_in(y) for y in years}
    home_for = dict.fromkeys(years, home)

    frames = []
    # The home country's report: home -> partner rows.
    exports = _flow(raw, years, home_for, partner_for, tidy.EXPORTS)
    imports = _flow(raw, years, home_for, partner_for, tidy.IMPORTS)
    notes: dict[int, list[str]] = {}
    _apply_successor_rule(raw, exports, tidy.EXPORTS, settings, notes)
    _apply_successor_rule(raw, imports, tidy.IMPORTS, settings, notes)
    frames.append(
        _assemble(
            years,
            home.name,
            dict.fromkeys(years, home.name),
            partner_for,
            exports,
            imports,
            notes,
        )
    )

    # The mirror: the partner's imports from the home country are its exports, and so on.
    mirror_exports = _flow(raw, years, partner_for, home_for, tidy.IMPORTS)
    mirror_imports = _flow(raw, years, partner_for, home_for, tidy.EXPORTS)
    reporters = {y: partner_for[y].name for y in years}
    frames.append(_assemble(years, PARTNER_SIDE, reporters, partner_for, mirror_exports, mirror_imports, {}))

    panel = pd.concat(frames, ignore_index=True)
    panel = panel.sort_values(["year", "reported_by"], kind="stable").reset_index(drop=True)
    return validate(panel, PANEL, "processed panel")


def _assemble(years, side, reporters, partner_for, exports, imports, notes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "year": np.asarray(years, dtype="int64"),
            "reported_by": side,
            "reporter": [reporters[y] for y in years],
            "partner_code": [partner_for[y].code for y in years],
            "partner": [partner_for[y].name for y in years],
            "exports_musd": exports["value"].to_numpy(),
            "imports_musd": imports["value"].to_numpy(),
        }
    )
    # Sums of a missing flow stay missing (pandas' + propagates NaN; never fill with 0).
    frame["total_musd"] = frame["exports_musd"] + frame["imports_musd"]
    frame["balance_musd"] = frame["exports_musd"] - frame["imports_musd"]
    frame["exports_estimate"] = exports["estimate"].to_numpy()
    frame["imports_estimate"] = imports["estimate"].to_numpy()
    frame["exports_source"] = exports["source"].to_numpy()
    frame["imports_source"] = imports["source"].to_numpy()
    frame["note"] = ["; ".join(notes.get(y, [])) for y in years]
    return frame


def build_world(raw: pd.DataFrame, settings: PanelSettings | None = None) -> pd.DataFrame:
    """The home country's trade with the World, as it reports it (the base for shares)."""
    settings = settings or PanelSettings()
    last = settings.last_year or int(raw["year"].max())
    years = pd.Index(range(settings.first_year, last + 1), name="year")
    world_for = dict.fromkeys(years, WORLD)
    home_for = dict.fromkeys(years, settings.pair.home)
    exports = _flow(raw, years, home_for, world_for, tidy.EXPORTS)
    imports = _flow(raw, years, home_for, world_for, tidy.IMPORTS)
    frame = pd.DataFrame(
        {
            "year": np.asarray(years, dtype="int64"),
            "exports_musd": exports["value"].to_numpy(),
            "imports_musd": imports["value"].to_numpy(),
        }
    )
    frame["total_musd"] = frame["exports_musd"] + frame["imports_musd"]
    frame["estimate"] = exports["estimate"].to_numpy() | imports["estimate"].to_numpy()
    return frame


def to_csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


def coverage(panel: pd.DataFrame) -> dict:
    """The years the panel spans and, per reporting side, the first and last year with any flow."""
    known = panel["exports_musd"].notna() | panel["imports_musd"].notna()
    sides = {}
    for side, rows in panel[known].groupby("reported_by", sort=True):
        sides[side] = [int(rows["year"].min()), int(rows["year"].max())]
    with_data = panel.loc[known, "year"]
    return {
        "years": [int(panel["year"].min()), int(panel["year"].max())],
        "with_data": [int(with_data.min()), int(with_data.max())] if len(with_data) else None,
        "sides": sides,
    }
