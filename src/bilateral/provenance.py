"""Provenance of every output: inputs with sha256, notebook and parameters, code, packages, data."""

from __future__ import annotations

import importlib.metadata
import json
import re
import subprocess
from pathlib import Path

from . import __version__, made
from .checksums import sha256_file
from .pins import lock_pins
from .settings import digest

# The code the outputs are computed with; with the raw files in use, hashed into one fingerprint.
# requirements-cluster.lock is not among them: its further pins are the cluster executors' plugins,
# which send jobs elsewhere and make no output; the packages that do are the same in both locks.
FINGERPRINTED = ("Snakefile", "rules", "scripts", "src", "notebooks", "config", "requirements.lock")
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


def code_fingerprint(raw: list[str], root: str | Path = ".") -> str:
    """sha256 over the sorted (path, sha256) list of the code, config files, notebooks, lock file and
    the raw data in use: one value that changes when anything the outputs are computed from does."""
    root = Path(root)
    return digest([*fingerprinted_files(root), *(root / name for name in raw)], root)


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


def executed_parameters(notebook: str | Path) -> dict:
    """The parameters papermill injected into an executed notebook: what actually made its outputs."""
    document = json.loads(Path(notebook).read_text(encoding="utf-8"))
    return document["metadata"]["papermill"]["parameters"]


def _paths(named: dict) -> list[str]:
    return [path for value in named.values() for path in ([value] if isinstance(value, str) else value)]


def job_record(job: dict, root: Path) -> dict:
    """One notebook run: its program and parameters (read from the executed copy), its files' sha256,
    once they are what their steps wrote (its outputs, and inputs other steps made: bilateral.made)."""
    made.check_as_made([*_paths(job["inputs"]), *_paths(job["outputs"])], root)
    # The executed notebook's name tells the jobs of one rule apart (figure1, figure2, ...); a further
    # pair's jobs carry its label (config pairs), the first pair's none, so its record is the paper's.
    pair = {"pair": job["pair"]} if "pair" in job else {}
    name = Path(job["outputs"]["notebook"]).stem
    return {
        "name": f"{job['pair']}/{name}" if pair else name,
        **pair,
        "rule": job["rule"],
        "description": job["description"],
        "program": job["inputs"]["notebook"],
        "parameters": executed_parameters(root / job["outputs"]["notebook"]),
        "files": job["outputs"],
        "inputs": {path: sha256_file(root / path) for path in _paths(job["inputs"])},
        "outputs": {path: sha256_file(root / path) for path in _paths(job["outputs"])},
    }


def _location(root: Path) -> str:
    here = Path(__file__).resolve().parent
    try:
        return here.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(here)


def manifest(
    jobs: list[dict], dataset: str, raw_files: list[str], raw_record: str, clean_record: str, fingerprint: str, root="."
) -> dict:
    """The provenance record: each output with the parameters it was made with, read from the
    executed notebooks and the steps' own records, never from the config in force."""
    root = Path(root)
    raw = json.loads((root / raw_record).read_text(encoding="utf-8"))
    return {
        "dataset": dataset,
        "data_provenance": raw,
        "raw_files": {name: sha256_file(root / name) for name in raw_files},
        "panel": {"file": clean_record, "settings": json.loads((root / clean_record).read_text(encoding="utf-8"))},
        "code": {
            **git_state(root),
            "fingerprint": {"sha256": fingerprint, "covers": [*FINGERPRINTED, "the raw data in use"]},
            # The package that ran: with an editable install it may live outside this tree.
            "package": {"version": __version__, "location": _location(root)},
        },
        "packages": packages(root / "requirements.lock"),
        "products": [job_record(job, root) for job in jobs],
    }


def pair_panels(jobs: list[dict], clean_records: list[str], root=".") -> dict:
    """Each further pair's cleaning record (its panel's settings and coverage), by pair label."""
    root = Path(root)
    labels = list(dict.fromkeys(job["pair"] for job in jobs if "pair" in job))
    return {
        label: {"file": path, "settings": json.loads((root / path).read_text(encoding="utf-8"))}
        for label, path in zip(labels, clean_records, strict=True)
    }


# The folders whose every file is a declared output (their README.md aside).
OUTPUT_FOLDERS = ("figures", "tables")


def remove_stale(declared: list[str], root: str | Path = ".", folders=OUTPUT_FOLDERS) -> list[str]:
    """Remove files in the output folders that no rule declares any more (a figure dropped from the
    config, the claims of another pair): left in place they would pass for current outputs."""
    root = Path(root)
    keep = set(declared)
    stale = sorted(
        path.relative_to(root).as_posix()
        for folder in folders
        for path in (root / folder).rglob("*")
        if path.is_file() and path.name != "README.md" and path.relative_to(root).as_posix() not in keep
    )
    for name in stale:
        (root / name).unlink()
    # A pair's folder (figures/IND-RUS/) left empty once its pair left the config goes too.
    for folder in folders:
        for path in sorted((root / folder).rglob("*"), reverse=True):
            if path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return stale


# A further pair's folder of intermediate files: data/processed/<dataset>/IND-RUS/, logs/IND-RUS/.
PAIR_FOLDER = re.compile(r"[A-Z0-9]{3,4}-[A-Z0-9]{3,4}")


def remove_stale_pairs(labels, root: str | Path = ".") -> list[str]:
    """Remove the panels and logs of further pairs no longer configured (every dataset's): left in
    place, an old pair's panel.csv would pass for one this configuration made. `labels`: the further
    pairs of the run ('IND-RUS'); the first pair writes at the paper's paths, never in such a folder."""
    root = Path(root)
    keep = set(labels)
    folders = [path for path in (root / "data" / "processed").glob("*/*") if path.is_dir()]
    folders += [path for path in (root / "logs").glob("*") if path.is_dir()]
    removed = []
    for folder in sorted(folders):
        if not PAIR_FOLDER.fullmatch(folder.name) or folder.name in keep:
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                removed.append(path.relative_to(root).as_posix())
                path.unlink()
        folder.rmdir()
    return sorted(removed)
