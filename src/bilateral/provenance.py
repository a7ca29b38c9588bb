"""Provenance of every output: inputs with sha256, notebook and parameters, code, packages, data."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import subprocess
from pathlib import Path

from . import __version__
from .checksums import sha256_file
from .pins import lock_pins
from .products import dataset, products, raw_files

# The code the outputs are computed with; with the raw files in use, hashed into one fingerprint.
FINGERPRINTED = ("Snakefile", "rules", "src", "notebooks", "config", "requirements.lock")
IGNORED_PARTS = {"__pycache__", ".ipynb_checkpoints"}


def _ignored(path: Path) -> bool:
    """Files a build or an editor leaves behind, which a fresh clone does not have."""
    return path.suffix == ".pyc" or any(part in IGNORED_PARTS or part.endswith(".egg-info") for part in path.parts)


def fingerprinted_files(root: Path, names=FINGERPRINTED) -> list[Path]:
    """The code files under `names`: git-tracked ones in a checkout (so a developer's stray
    files do not count), every file outside git (an archive, a verify rebuild)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", *names], cwd=root, capture_output=True, check=True
        ).stdout.decode()
        return sorted(root / name for name in listed.split("\0") if name and (root / name).is_file())
    except (OSError, subprocess.CalledProcessError):
        return _walk(root, names)


def _walk(root: Path, names) -> list[Path]:
    found = []
    for name in names:
        path = root / name
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found += [p for p in path.rglob("*") if p.is_file() and not _ignored(p)]
    return sorted(found)


def code_fingerprint(config: dict, root: str | Path = ".") -> dict:
    """sha256 over the sorted (path, sha256) list of code, config files, notebooks and the raw data
    in use, and over the config in force (which a second --configfile or --config can change)."""
    root = Path(root)
    files = sorted(fingerprinted_files(root) + [root / name for name in raw_files(config)])
    listing = "".join(f"{sha256_file(p)}  {p.relative_to(root).as_posix()}\n" for p in files)
    in_force = json.dumps(config, sort_keys=True, ensure_ascii=False).encode()
    listing += f"{hashlib.sha256(in_force).hexdigest()}  <config in force>\n"
    covers = [*FINGERPRINTED, *raw_files(config), "the config in force"]
    return {"sha256": hashlib.sha256(listing.encode()).hexdigest(), "covers": covers}


def git_state(root: str | Path = ".") -> dict:
    """The commit and whether the work tree differs from it (None outside a git checkout)."""

    def git(*args):
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "HEAD")
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None, "note": "not a git checkout"}
    return {"commit": commit, "dirty": dirty}


def packages(lock: str | Path = "requirements.lock") -> dict[str, str]:
    """Installed versions of the locked packages (a mismatch with the lock shows here)."""
    versions = {}
    for name in sorted(lock_pins(lock)):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def product_records(config: dict, root: Path) -> list[dict]:
    data = dataset(config)
    raw_provenance = f"data/raw/{data}/" + ("provenance.json" if data == "dots-2022" else "metadata.json")
    shared = [raw_provenance, f"data/processed/{data}/panel.csv", f"data/processed/{data}/home_world.csv"]
    records = []
    for item in products(config):
        if item["rule"] == "html_report":
            continue
        inputs = [item["program"], *shared, "config/config.yaml"]
        if item["rule"] == "regime_tables":
            inputs.append(config["regimes"]["file"])
        if item["rule"] == "claims":
            inputs.append("config/claims.yaml")
        records.append(
            {
                **item,
                "inputs": {p: sha256_file(root / p) for p in inputs if (root / p).exists()},
                "outputs": {p: sha256_file(root / p) for p in item["outputs"]},
            }
        )
    return records


def _location(root: Path) -> str:
    here = Path(__file__).resolve().parent
    try:
        return here.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(here)


def manifest(config: dict, root: str | Path = ".") -> dict:
    root = Path(root)
    data = dataset(config)
    raw_record = root / "data/raw" / data / ("provenance.json" if data == "dots-2022" else "metadata.json")
    return {
        "dataset": data,
        "data_provenance": json.loads(raw_record.read_text(encoding="utf-8")),
        # The settings in force, command-line overrides included (config.yaml alone may differ).
        "config": config,
        "code": {
            **git_state(root),
            "fingerprint": code_fingerprint(config, root),
            # The package that ran: with an editable install it may live outside this tree.
            "package": {"version": __version__, "location": _location(root)},
        },
        "packages": packages(root / "requirements.lock"),
        "products": product_records(config, root),
    }
