"""Locate the project so notebooks run the same from papermill, Jupyter or nbval."""

from __future__ import annotations

import os
from pathlib import Path


def root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above `start` (default: cwd) that holds the Snakefile."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "Snakefile").exists():
            return folder
    raise FileNotFoundError(f"no Snakefile at or above {here}: run from inside the project")


def chdir_root() -> Path:
    """Work from the project root, where every configured path is relative to."""
    top = root()
    os.chdir(top)
    return top
