"""Clean the tidy raw data into the Bangladesh-USSR/Russia panel and the Bangladesh-World series.

Every flow is seen from Bangladesh: `exports` are Bangladesh's exports to the partner,
`imports` its imports from the partner. Each is given twice, never merged:

- reported_by = "Bangladesh": Bangladesh's own report (exports FOB, imports CIF);
- reported_by = "partner": the mirror, the partner's report of the same flows (the partner's
  imports CIF from Bangladesh, and its exports FOB to Bangladesh), as published, with no
  CIF/FOB adjustment.

Partner succession: the USSR up to `succession_year - 1`, the Russian Federation from
`succession_year` (1992; Bangladesh recognised the Federation on 29 December 1991).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import tidy
from .schemas import PANEL, validate

log = logging.getLogger(__name__)

HOME = "BGD"
USSR, RUSSIA, WORLD = "SUN", "RUS", "G001"

# How to treat values that Bangladesh still books under `USSR` from the succession year on
# (data README: 1992 exports 14.90 under USSR while the Russian Federation row starts in 1993;
# a stray 0.48 in 1994 beside a Russian Federation value).
SUCCESSOR_RULES = {
    "fill_gaps": "attribute to the Russian Federation where Bangladesh reports no Russia value",
    "add": "add to the Russian Federation value (treat the USSR row as unallocated ex-USSR trade)",
    "ignore": "leave out: only rows booked under the Russian Federation count",
}


@dataclass(frozen=True)
class PanelSettings:
    succession_year: int = 1992
    successor_rule: str = "fill_gaps"
    first_year: int = 1972
    last_year: int | None = None  # None: the last year any source has

    def __post_init__(self) -> None:
        if self.successor_rule not in SUCCESSOR_RULES:
            raise ValueError(f"successor_rule {self.successor_rule!r} unknown; choose one of {sorted(SUCCESSOR_RULES)}")


def _series(raw: pd.DataFrame, reporter: str, partner: str, indicator: str) -> pd.DataFrame:
    rows = raw[(raw["reporter_code"] == reporter) & (raw["partner_code"] == partner) & (raw["indicator"] == indicator)]
    return rows.set_index("year")[["value_musd", "estimate"]]


def _label(reporter: str, indicator: str, partner: str) -> str:
    return f"{reporter} {indicator} {partner}"


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
    """Bangladesh's own report only: handle values booked under USSR after the succession."""
    booked = _series(raw, HOME, USSR, indicator)
    booked = booked[booked.index >= settings.succession_year]
    name = "exports" if indicator == tidy.EXPORTS else "imports"
    for year, row in booked.iterrows():
        if year not in flow.index:
            continue
        current = flow.loc[year, "value"]
        usable = settings.successor_rule == "add" or (settings.successor_rule == "fill_gaps" and np.isnan(current))
        source = _label(HOME, indicator, USSR)
        if usable:
            if np.isnan(current):
                flow.loc[year, ["value", "source"]] = [row["value_musd"], source]
            else:
                flow.loc[year, "value"] = current + row["value_musd"]
                flow.loc[year, "source"] = f"{flow.loc[year, 'source']} + {source}"
            flow.loc[year, "estimate"] = bool(flow.loc[year, "estimate"] or row["estimate"])
            action = f"{name} {row['value_musd']:.2f} booked under USSR used ({settings.successor_rule})"
        else:
            action = f"{name} {row['value_musd']:.2f} booked under USSR left out ({settings.successor_rule})"
        log.info("%d: %s", year, action)
        notes.setdefault(year, []).append(action)


def build_panel(raw: pd.DataFrame, settings: PanelSettings = PanelSettings()) -> pd.DataFrame:
    """The Bangladesh-USSR/Russia panel: one row per year and reporting side."""
    last = settings.last_year or int(raw["year"].max())
    years = pd.Index(range(settings.first_year, last + 1), name="year")
    partner_for = {y: USSR if y < settings.succession_year else RUSSIA for y in years}
    home_for = dict.fromkeys(years, HOME)

    frames = []
    # Bangladesh's report: Bangladesh -> partner rows.
    exports = _flow(raw, years, home_for, partner_for, tidy.EXPORTS)
    imports = _flow(raw, years, home_for, partner_for, tidy.IMPORTS)
    notes: dict[int, list[str]] = {}
    _apply_successor_rule(raw, exports, tidy.EXPORTS, settings, notes)
    _apply_successor_rule(raw, imports, tidy.IMPORTS, settings, notes)
    frames.append(
        _assemble(
            years,
            "Bangladesh",
            dict.fromkeys(years, "Bangladesh"),
            partner_for,
            exports,
            imports,
            notes,
        )
    )

    # The mirror: the partner's imports from Bangladesh are Bangladesh's exports, and so on.
    mirror_exports = _flow(raw, years, partner_for, home_for, tidy.IMPORTS)
    mirror_imports = _flow(raw, years, partner_for, home_for, tidy.EXPORTS)
    reporters = {y: _name(partner_for[y]) for y in years}
    frames.append(_assemble(years, "partner", reporters, partner_for, mirror_exports, mirror_imports, {}))

    panel = pd.concat(frames, ignore_index=True)
    panel = panel.sort_values(["year", "reported_by"], kind="stable").reset_index(drop=True)
    return validate(panel, PANEL, "processed panel")


def _name(code: str) -> str:
    return {USSR: "USSR", RUSSIA: "Russian Federation", HOME: "Bangladesh"}[code]


def _assemble(years, side, reporters, partner_for, exports, imports, notes) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "year": np.asarray(years, dtype="int64"),
            "reported_by": side,
            "reporter": [reporters[y] for y in years],
            "partner_code": [partner_for[y] for y in years],
            "partner": [_name(partner_for[y]) for y in years],
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


def build_world(raw: pd.DataFrame, settings: PanelSettings = PanelSettings()) -> pd.DataFrame:
    """Bangladesh's trade with the World, as Bangladesh reports it (the base for shares)."""
    last = settings.last_year or int(raw["year"].max())
    years = pd.Index(range(settings.first_year, last + 1), name="year")
    world_for = dict.fromkeys(years, WORLD)
    home_for = dict.fromkeys(years, HOME)
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
