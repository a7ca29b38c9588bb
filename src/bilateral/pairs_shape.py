"""The shape of config `pairs`, checked before the schema: a mistake named by its key path.

The schema's message for a wrong entry of a list of `oneOf`s reads "... is not valid under any of
the given schemas" and points at the whole list; a user with two hundred pairs needs the entry and
the key: `config pairs[3].home: missing`. The schema still validates afterwards (its types and
defaults); this only speaks first.
"""

from __future__ import annotations

import re

from .pair import PairError

CODE = re.compile(r"[A-Z0-9]{3,4}")
PAIR_TEXT = re.compile(r"[A-Z0-9]{3,4}-[A-Z0-9]{3,4}")
ENTRY_KEYS = ("home", "partner", "predecessor")
COUNTRY_KEYS = ("code", "name")
PREDECESSOR_KEYS = ("code", "name", "successor")
COMPACT_KEYS = ("homes", "partner")
FORMS = "a list of pairs ('IND-RUS' or {home: IND, partner: RUS}) or {homes: [IND, PAK], partner: RUS}"


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__


def _code(value, where: str) -> None:
    if not isinstance(value, str) or not CODE.fullmatch(value):
        raise PairError(f"config {where}: {value!r} is not an IMTS code (3 or 4 capitals or digits, such as IND)")


def _keys(value: dict, where: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> None:
    for key in value:
        if key not in allowed:
            raise PairError(f"config {where}.{key}: unknown key; the keys are {', '.join(allowed)}")
    for key in required:
        if key not in value:
            raise PairError(f"config {where}.{key}: missing ({where} needs {', '.join(required)})")


def _country(value, where: str) -> None:
    """A country: a code, or {code, name}."""
    if isinstance(value, dict):
        _keys(value, where, COUNTRY_KEYS, COUNTRY_KEYS)
        _code(value["code"], f"{where}.code")
        if not isinstance(value["name"], str) or not value["name"].strip():
            raise PairError(
                f"config {where}.name: {value['name']!r} is not a name (the IMF's, as the workbooks print it)"
            )
        return
    if not isinstance(value, str):
        raise PairError(f"config {where}: a code (IND) or {{code: IND, name: India}}, not a {_kind(value)}")
    _code(value, where)


def _entry(entry, where: str) -> None:
    if isinstance(entry, str):
        if not PAIR_TEXT.fullmatch(entry):
            raise PairError(f"config {where}: {entry!r} is not HOME-PARTNER in IMTS codes, such as 'IND-RUS'")
        return
    if not isinstance(entry, dict):
        raise PairError(f"config {where}: 'IND-RUS' or {{home: IND, partner: RUS}}, not a {_kind(entry)}")
    _keys(entry, where, ENTRY_KEYS, ("home", "partner"))
    _country(entry["home"], f"{where}.home")
    _country(entry["partner"], f"{where}.partner")
    predecessor = entry.get("predecessor")
    if predecessor is None:
        return
    if not isinstance(predecessor, dict):
        raise PairError(f"config {where}.predecessor: null or {{code, name, successor}}, not a {_kind(predecessor)}")
    _keys(predecessor, f"{where}.predecessor", PREDECESSOR_KEYS, PREDECESSOR_KEYS)
    for key in ("code", "successor"):
        _code(predecessor[key], f"{where}.predecessor.{key}")


def check(section) -> None:
    """Stop on the first malformed part of config `pairs`, naming its key path."""
    if section is None or section == []:
        return
    if isinstance(section, list):
        for number, entry in enumerate(section):
            _entry(entry, f"pairs[{number}]")
        return
    if not isinstance(section, dict):
        raise PairError(f"config pairs: {FORMS}, not a {_kind(section)}")
    _keys(section, "pairs", COMPACT_KEYS, COMPACT_KEYS)
    homes = section["homes"]
    if not isinstance(homes, list) or not homes:
        raise PairError(f"config pairs.homes: a list of at least one code, not {homes!r}")
    for number, home in enumerate(homes):
        _code(home, f"pairs.homes[{number}]")
    _code(section["partner"], "pairs.partner")
