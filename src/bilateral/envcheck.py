"""Is an environment what its lock file pins (.venv: requirements.lock; .venv-cluster:
requirements-cluster.lock)? `make` asks before every run and rebuilds the environment if not.

Run as a script with the environment's own python (`.venv/bin/python src/bilateral/envcheck.py
requirements.lock`), so that it needs nothing but the standard library and still answers when the
environment is broken, e.g. a package removed. `pip check` would not notice a removed package that no
other package requires (tabulate, say). It takes about 0.03 s.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

# `name==version` at the start of a line, as pip-compile and uv write them (same as bilateral.pins.PIN,
# repeated here so that this file imports nothing of the package it checks).
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def normalised(name: str) -> str:
    """A distribution's name as packaging normalises it (PEP 503): `Jinja2`, `jinja2` and `jinja-2` match."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions() -> dict[str, str]:
    """Installed distributions' versions from the names of their `<name>-<version>.dist-info` folders
    (the wheel format fixes that name), one directory listing per sys.path entry: asking
    importlib.metadata for each pin scans the whole environment once per package (about 0.1 s)."""
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:  # a zip file or a folder that is not there
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                distribution, _, version = name[: -len(".dist-info")].partition("-")
                versions.setdefault(normalised(distribution), version)  # the first on sys.path wins, as for imports
    return versions


def version_of(name: str, versions: dict[str, str]) -> str | None:
    """From the listing; a distribution not listed there (e.g. an .egg-info) is asked for by name."""
    if normalised(name) in versions:
        return versions[normalised(name)]
    from importlib import metadata  # only here: its import is half of this check's time

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def problems(lock_text: str, project: str = "bilateral") -> list[str]:
    """What differs between the installed distributions and the pins; empty if nothing does."""
    versions = installed_versions()
    found = []
    for name, pinned in PIN.findall(lock_text):
        installed = version_of(name, versions)
        if installed is None:
            found.append(f"{name}: not installed (pinned {pinned})")
        elif installed != pinned:
            found.append(f"{name}: {installed} installed, {pinned} pinned")
    if version_of(project, versions) is None:
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
