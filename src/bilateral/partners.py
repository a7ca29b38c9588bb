"""Partner names, codes and kinds shared by the DOTS and IMTS sources.

DOTS workbooks name partners in words; the IMTS API uses ISO-3 and IMF group codes.
Only the entities the pipeline joins on need a code; other partners keep an empty code
and their IMF name, so nothing is lost from the snapshot.
"""

from __future__ import annotations

# IMF DOTS name -> IMTS code (ISO 3166 alpha-3, IMF group codes for aggregates).
CODE_BY_NAME: dict[str, str] = {
    "Bangladesh": "BGD",
    "Russian Federation": "RUS",
    "USSR": "SUN",
    "World": "G001",
    "European Union": "G998",
    "Euro Area": "G163",
}
NAME_BY_CODE: dict[str, str] = {code: name for name, code in CODE_BY_NAME.items()}

# DOTS rows that are groups of countries, not countries: summing them with countries
# double-counts, so every row carries its kind.
AGGREGATE_NAMES = frozenset(
    {
        "World",
        "Advanced Economies",
        "Euro Area",
        "Emerging and Developing Economies",
        "Emerging and Developing Asia",
        "Emerging and Developing Europe",
        "Middle East and Central Asia",
        "Sub-Saharan Africa",
        "Western Hemisphere",
        "Other Countries not included elsewhere",
    }
)
# Residual buckets: trade the reporter could not allocate to a country.
UNALLOCATED_NAMES = frozenset({"Special Categories", "Countries & Areas not specified"})
MEMORANDUM_HEADER = "Memorandum Items"

PARTNER_KINDS = ("world", "aggregate", "unallocated", "memorandum", "country")


def partner_kind(name: str, in_memorandum: bool) -> str:
    """Classify a DOTS partner row; rows below 'Memorandum Items' are all groups."""
    if in_memorandum:
        return "memorandum"
    if name == "World":
        return "world"
    if name in AGGREGATE_NAMES:
        return "aggregate"
    if name in UNALLOCATED_NAMES or name.endswith(" not specified"):
        return "unallocated"
    return "country"


def kind_of_code(code: str) -> str:
    """Classify an IMTS counterpart code (G001 World; G*, GX* groups; TX* residuals)."""
    if code == "G001":
        return "world"
    if code.startswith("TX"):
        return "unallocated"
    if code.startswith("G"):
        return "aggregate"
    return "country"
