"""The pinned versions of a lock file, and environment.yml generated from requirements.lock."""

from __future__ import annotations

import re
from pathlib import Path

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def lock_pins(path: str | Path) -> dict[str, str]:
    """name -> version for every `name==version` line of a pip-compile / uv lock file."""
    pins = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def environment_yml(pins: dict[str, str], python: str = "3.11") -> str:
    lines = [
        "# Generated from requirements.lock by `make lock`; do not edit by hand.",
        "# conda env create -f environment.yml && conda activate bilateral && pip install --no-deps -e .",
        "name: bilateral",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={python}",
        "  - pip",
        "  - pip:",
    ]
    lines += [f"      - {name}=={version}" for name, version in sorted(pins.items())]
    return "\n".join(lines) + "\n"


def environment_pins(path: str | Path) -> dict[str, str]:
    pins = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip().removeprefix("- ").strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins
