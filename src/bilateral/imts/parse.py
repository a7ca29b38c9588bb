"""SDMX-CSV 2.0 and SDMX-ML 3.0 StructureSpecificData bodies -> the project's tidy shape.

IMTS `OBS_VALUE` is in plain US dollars (`SCALE` is only a display hint); the tidy shape is in
US$ millions like the DOTS snapshot, so the value is divided by 10^6 exactly (decimal arithmetic,
so 2019551635133 becomes 2019551.635133, the legacy DOTS figure).
"""

from __future__ import annotations

import csv
import io
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import pandas as pd

from .. import tidy
from ..errors import InputError
from ..partners import NAME_BY_CODE, kind_of_code
from ..schemas import RAW, DataValidationError, validate

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


# How the API says 'no value' (kept missing: no row); any other text must be a finite number.
NO_VALUE = ("", "NaN", "N/A")


class ImtsFormatError(InputError):
    """A body that is not the IMTS data we asked for; the message says where and why."""


class NoDataRows(ImtsFormatError):
    """A well-formed answer without a single value: the API's answer to an unknown code, or a
    reporter with no report of the partners asked for (imf-api.md, 1.12 item 1)."""


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
    try:
        for row in reader:
            if not row:
                continue
            if len(row) != len(names):
                raise ImtsFormatError(
                    f"{where}, line {reader.line_num}: {len(row)} fields, the header has {len(names)}"
                )
            yield reader.line_num, dict(zip(names, row, strict=True))
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ImtsFormatError(f"{where}, line {reader.line_num}: not readable as CSV ({exc})") from None


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
    """Parse a response body chosen by its content type; check it answers `request`.

    The rows are also checked with the raw-data schema (schemas.RAW: finite, non-negative flows,
    one value per series and year), and every message names `where` and the line (SDMX-CSV) or
    observation (SDMX-ML) of the body, so that it points into response.csv / response.xml.
    """
    if _is_xml(content_type):
        observations, place = _observations_from_xml(body, where), "observation"
    elif "csv" in (content_type or "").lower():
        observations, place = _observations_from_csv(_text(body, where), where), "line"
    else:
        raise ImtsFormatError(f"{where}: content type {content_type!r} is neither SDMX-CSV nor SDMX-ML")
    records, numbers = [], []
    for number, obs in observations:
        record = _record(obs, request, f"{where}, {place} {number}")
        if record is not None:
            records.append(record)
            numbers.append(number)
    if not records:
        raise NoDataRows(f"{where}: the answer holds no data rows")
    frame = pd.DataFrame.from_records(records, columns=tidy.COLUMNS)
    try:
        validate(frame, RAW, where, lines=numbers, place=place)
    except DataValidationError as err:
        raise ImtsFormatError(str(err)) from None
    return tidy.finish(frame)


def _text(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImtsFormatError(f"{where}: byte {exc.start} is not UTF-8; not an SDMX-CSV body") from None


def _record(obs: dict, request, at: str) -> dict | None:
    """One observation in the tidy shape, None when it has no value or precedes the years asked for."""
    missing = [name for name in REQUIRED if name not in obs]
    if missing:
        raise ImtsFormatError(f"{at}: missing {missing}")
    _check_asked(obs, request, at)
    if obs["OBS_VALUE"].strip() in NO_VALUE:
        return None  # the API's way of saying 'no value': stays missing
    if not re.fullmatch(r"\d{4}", obs["TIME_PERIOD"]):
        raise ImtsFormatError(f"{at}: TIME_PERIOD {obs['TIME_PERIOD']!r} is not a year")
    year = int(obs["TIME_PERIOD"])
    if year < request.first_year:
        return None  # the server's time filter is not trusted alone
    return {
        "reporter_code": obs["COUNTRY"],
        "reporter": NAME_BY_CODE.get(obs["COUNTRY"], obs["COUNTRY"]),
        "partner_code": obs["COUNTERPART_COUNTRY"],
        "partner": NAME_BY_CODE.get(obs["COUNTERPART_COUNTRY"], obs["COUNTERPART_COUNTRY"]),
        "partner_kind": kind_of_code(obs["COUNTERPART_COUNTRY"]),
        "indicator": INDICATOR_CODES[obs["INDICATOR"]],
        "year": year,
        "value_musd": _millions(obs["OBS_VALUE"], at),
        "estimate": obs.get("STATUS", "").strip().lower() == "e" or obs["COUNTRY"] in PARTNER_DERIVED,
    }


def _check_asked(obs: dict, request, at: str) -> None:
    asked = {
        "COUNTRY": set(request.reporters),
        "INDICATOR": set(request.indicators),
        "COUNTERPART_COUNTRY": set(request.partners),
        "FREQUENCY": {request.frequency},
    }
    for column, allowed in asked.items():
        if obs[column] not in allowed:
            raise ImtsFormatError(f"{at}: {column} {obs[column]!r} was not requested (asked for {sorted(allowed)})")
    if obs["INDICATOR"] not in INDICATOR_CODES:
        raise ImtsFormatError(
            f"{at}: INDICATOR {obs['INDICATOR']!r} has no tidy code; known: {sorted(INDICATOR_CODES)}"
        )
    unit = obs.get("UNIT")
    if unit != "USD":
        found = "no UNIT attribute" if unit is None else f"UNIT {unit!r}"
        raise ImtsFormatError(f"{at}: {found}, expected 'USD' (plain US dollars)")


def _millions(text: str, at: str) -> float:
    """Plain US dollars -> US$ millions, exactly; 'Infinity', 1e400 and the like are refused."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ImtsFormatError(f"{at}: OBS_VALUE {text!r} is not a number") from None
    millions = float(value / MILLION) if value.is_finite() else float("nan")
    # Decimal reads 'Infinity', 'sNaN' and 1e400 (finite for Decimal, inf as a float).
    if not math.isfinite(millions):
        raise ImtsFormatError(f"{at}: OBS_VALUE {text!r} is not a finite number")
    return millions
