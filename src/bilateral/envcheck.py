"""Is .venv what requirements.lock pins? `make` asks before every run and rebuilds .venv if not.

Run as a script with the environment's own python (`.venv/bin/python src/bilateral/envcheck.py
requirements.lock`), so that it needs nothing but the standard library and still answers when the
environment is broken, e.g. a package removed. `pip check` would not notice a removed package that no
other package requires (tabulate, say). It takes about 0.1 s.
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

# `name==version` at the start of a line, as pip-compile and uv write them (same as bilateral.pins.PIN,
# repeated here so that this file imports nothing of the package it checks).
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def problems(lock_text: str, project: str = "bilateral") -> list[str]:
    """What differs between the installed distributions and the pins; empty if nothing does."""
    found = []
    for name, pinned in PIN.findall(lock_text):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            found.append(f"{name}: not installed (pinned {pinned})")
            continue
        if installed != pinned:
            found.append(f"{name}: {installed} installed, {pinned} pinned")
    try:
        metadata.version(project)
    except metadata.PackageNotFoundError:
        found.append(f"{project}: not installed (pip install -e .)")
    return found


def main(argv: list[str]) -> int:
    lock = Path(argv[0] if argv else "requirements.lock")
    found = problems(lock.read_text(encoding="utf-8"))
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
