"""The installed packages the workflow's steps run on: pyproject.toml's dependencies and what they
require, transitively, without the test and build tools (ruff, pytest, ...), which write no output.

Read from the distributions' own metadata (`Requires-Dist` in each `*.dist-info/METADATA`), a file
per package: a few milliseconds, so every workflow load can afford it (bilateral.settings uses it
to re-run the steps when one of these packages changes version).
"""

from __future__ import annotations

import re
import sys
import tomllib
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import Requirement

from .envcheck import normalised


def _distributions() -> dict[str, Path]:
    """Normalised name -> its .dist-info folder, the first on sys.path (as imports find them)."""
    found: dict[str, Path] = {}
    for entry in sys.path:
        folder = Path(entry or ".")
        if not folder.is_dir():
            continue
        for info in folder.glob("*.dist-info"):
            name = info.name[: -len(".dist-info")].partition("-")[0]
            found.setdefault(normalised(name), info)
    return found


def _metadata(info: Path) -> tuple[str, list[str]]:
    """(version, Requires-Dist lines) of one distribution."""
    headers = HeaderParser().parsestr((info / "METADATA").read_text(encoding="utf-8", errors="replace"))
    return headers.get("Version", ""), headers.get_all("Requires-Dist") or []


def closure(requirements: list[str]) -> dict[str, str]:
    """Normalised name -> installed version of `requirements` and everything they require (with the
    extras they ask for), as the environment's markers select them; a package not installed is
    left out (it cannot have written anything)."""
    installed = _distributions()
    versions: dict[str, str] = {}
    pending = [(Requirement(text), "") for text in requirements]
    seen: set[tuple[str, str]] = set()
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = normalised(requirement.name)
        if name not in installed:
            continue
        for wanted in ["", *sorted(requirement.extras)]:
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            version, requires = _metadata(installed[name])
            versions[name] = version
            pending += [(Requirement(text), wanted) for text in requires]
    return dict(sorted(versions.items()))


def of_project(pyproject: str | Path = "pyproject.toml") -> dict[str, str]:
    """The installed versions of the project's runtime dependencies, transitively."""
    project = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))["project"]
    return closure([re.sub(r"\s+", "", text) for text in project["dependencies"]])
