"""SDMX-CSV 2.0 and SDMX-ML 3.0 StructureSpecificData bodies -> the project's tidy shape.

IMTS `OBS_VALUE` is in plain US dollars (`SCALE` is only a display hint); the tidy shape is in
US$ millions like the DOTS snapshot, so the value is divided by 10^6 exactly (decimal arithmetic,
so 2019551635133 becomes 2019551.635133, the legacy DOTS figure).
"""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pandas as pd

from .. import tidy
from ..partners import NAME_BY_CODE, kind_of_code

# IMTS indicator -> the DOTS code used in the tidy shape.
INDICATOR_CODES = {
    "XG_FOB_USD": "TXG_FOB_USD",
    "MG_CIF_USD": "TMG_CIF_USD",
    "MG_FOB_USD": "TMG_FOB_USD",
    "TBG_USD": "TBG_USD",
}
# Reporters that never reported to the IMF: their rows are rebuilt from partners' records
# (imf-api.md, section 4; the DOTS workbooks mark all such USSR values ' e'), so every value
# is flagged as an estimate whatever its STATUS says.
PARTNER_DERIVED = frozenset({"SUN"})
REQUIRED = ("COUNTRY", "INDICATOR", "COUNTERPART_COUNTRY", "FREQUENCY", "TIME_PERIOD", "OBS_VALUE")
MILLION = Decimal(1_000_000)
SUFFIX = re.compile(r"\[.*\]$")  # 'STRUCTURE[;]' -> 'STRUCTURE'


class ImtsFormatError(ValueError):
    """A body that is not the IMTS data we asked for; the message says where and why."""


def _observations_from_csv(body: str, where: str) -> Iterable[tuple[int, dict]]:
    reader = csv.reader(io.StringIO(body, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ImtsFormatError(f"{where}: empty body, no SDMX-CSV header") from None
    names = [SUFFIX.sub("", name.strip().lstrip("\ufeff")) for name in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ImtsFormatError(f"{where}: SDMX-CSV header lacks required column(s) {missing}; header is {names}")
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(names):
            raise ImtsFormatError(f"{where}, line {line}: {len(row)} fields, the header has {len(names)}")
        yield line, dict(zip(names, row, strict=True))


def _observations_from_xml(body: bytes, where: str) -> Iterable[tuple[int, dict]]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ImtsFormatError(f"{where}: not well-formed XML ({exc})") from None
    units = {}
    number = 0
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "Group":
            for comp in element:
                if comp.get("id") == "UNIT":
                    units[element.get("INDICATOR")] = "".join(comp.itertext()).strip()
        elif tag == "Series":
            series = dict(element.attrib)
            if series.get("INDICATOR") in units:
                series.setdefault("UNIT", units[series["INDICATOR"]])
            for obs in element:
                if obs.tag.rsplit("}", 1)[-1] != "Obs":
                    continue
                number += 1
                yield number, {**series, **obs.attrib}


def structure_id(body: bytes, content_type: str) -> str:
    """The dataflow/structure the answer says it follows (recorded in the metadata)."""
    if _is_xml(content_type):
        match = re.search(rb'structureID="([^"]+)"', body)
    else:
        match = re.search(rb"\n[^,\n]*,([^,\n]*IMTS[^,\n]*),", body)
    return match.group(1).decode() if match else ""


def _is_xml(content_type: str) -> bool:
    return "xml" in (content_type or "").lower()


def parse(body: bytes, content_type: str, request, where: str) -> pd.DataFrame:
    """Parse a response body chosen by its content type; check it answers `request`."""
    if _is_xml(content_type):
        observations = _observations_from_xml(body, where)
        line_word = "observation"
    elif "csv" in (content_type or "").lower():
        observations = _observations_from_csv(body.decode("utf-8-sig"), where)
        line_word = "line"
    else:
        raise ImtsFormatError(f"{where}: content type {content_type!r} is neither SDMX-CSV nor SDMX-ML")
    asked = {
        "COUNTRY": set(request.reporters),
        "INDICATOR": set(request.indicators),
        "COUNTERPART_COUNTRY": set(request.partners),
        "FREQUENCY": {request.frequency},
    }
    records = []
    for number, obs in observations:
        at = f"{where}, {line_word} {number}"
        missing = [name for name in REQUIRED if name not in obs]
        if missing:
            raise ImtsFormatError(f"{at}: missing {missing}")
        for column, allowed in asked.items():
            if obs[column] not in allowed:
                raise ImtsFormatError(f"{at}: {column} {obs[column]!r} was not requested (asked for {sorted(allowed)})")
        unit = obs.get("UNIT")
        if unit != "USD":
            found = "no UNIT attribute" if unit is None else f"UNIT {unit!r}"
            raise ImtsFormatError(f"{at}: {found}, expected 'USD' (plain US dollars)")
        if obs["OBS_VALUE"].strip() in ("", "NaN", "N/A"):
            continue  # the API's way of saying 'no value': stays missing
        if not re.fullmatch(r"\d{4}", obs["TIME_PERIOD"]):
            raise ImtsFormatError(f"{at}: TIME_PERIOD {obs['TIME_PERIOD']!r} is not a year")
        year = int(obs["TIME_PERIOD"])
        if year < request.first_year:
            continue  # the server's time filter is not trusted alone
        try:
            value = Decimal(obs["OBS_VALUE"])
        except InvalidOperation:
            raise ImtsFormatError(f"{at}: OBS_VALUE {obs['OBS_VALUE']!r} is not a number") from None
        records.append(
            {
                "reporter_code": obs["COUNTRY"],
                "reporter": NAME_BY_CODE.get(obs["COUNTRY"], obs["COUNTRY"]),
                "partner_code": obs["COUNTERPART_COUNTRY"],
                "partner": NAME_BY_CODE.get(obs["COUNTERPART_COUNTRY"], obs["COUNTERPART_COUNTRY"]),
                "partner_kind": kind_of_code(obs["COUNTERPART_COUNTRY"]),
                "indicator": INDICATOR_CODES[obs["INDICATOR"]],
                "year": year,
                "value_musd": float(value / MILLION),
                "estimate": obs.get("STATUS", "").strip().lower() == "e" or obs["COUNTRY"] in PARTNER_DERIVED,
            }
        )
    if not records:
        raise ImtsFormatError(f"{where}: the answer holds no data rows")
    return tidy.finish(pd.DataFrame.from_records(records, columns=tidy.COLUMNS))
