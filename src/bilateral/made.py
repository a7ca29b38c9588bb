"""What each step wrote, as it finished: the sha256 of every output file, to tell an output changed
afterwards (by hand, by another program) from the one its job made.

Snakemake compares an output's time with its inputs', never its content with what its job wrote: a
figure or table edited by hand passes for current, and the provenance record, hashing the outputs
when it is written, would vouch for the edit. So every step records its outputs when it ends
(bilateral.step.end); `make` (bilateral.runner) moves an output that no longer matches its record
aside, into .snakemake/bilateral/edited/, so that Snakemake makes it again; and the provenance step
refuses to record one (a run of `snakemake` itself, without `make`).

An output without a record (made before this existed, or by a job on a machine whose .snakemake
this is not, as with a storage provider) is left as it is. Standard library only: the runner
imports this before Snakemake starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(".snakemake") / "bilateral" / "made"
EDITED = Path(".snakemake") / "bilateral" / "edited"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _record_path(root: Path, name: str) -> Path:
    return root / FOLDER / f"{hashlib.sha256(name.encode()).hexdigest()[:32]}.json"


def _stamp(status: os.stat_result) -> list[int]:
    """What any write changes: the size, the modification time, and the change time, which no one
    can set back (`touch -r` or `cp -p` put the old modification time back on an edited file)."""
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns]


def _write(root: Path, name: str, sha256: str, status: os.stat_result) -> None:
    path = _record_path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {"path": name, "sha256": sha256, "stamp": _stamp(status)}
    # Written whole or not at all: jobs finishing at once each write their own files.
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(entry) + "\n", encoding="utf-8")
    os.replace(partial, path)


def record(outputs, root: str | Path = ".") -> None:
    """Record the sha256 of each output file of a step that has just succeeded (folders are left out)."""
    root = Path(root)
    for name in map(str, outputs):
        target = root / name
        if target.is_file():
            _write(root, name, _sha256(target), target.stat())


def forget(outputs, root: str | Path = ".") -> None:
    """A step starts: it will write these outputs again. Their records go first, so that one left
    half-written by a killed run is not taken for an edit (Snakemake makes it again)."""
    for name in map(str, outputs):
        _record_path(Path(root), name).unlink(missing_ok=True)


def recorded(name: str, root: str | Path = ".") -> str | None:
    """The sha256 the job that made `name` recorded, or None."""
    try:
        return json.loads(_record_path(Path(root), str(name)).read_text(encoding="utf-8"))["sha256"]
    except (OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class Changed:
    path: str
    recorded: str
    found: str


class RecordsDamaged(Exception):
    """A record cannot be read: which output it vouches for is unknown."""


def _entries(root: Path):
    """(output, sha256, stamp) of every record; RecordsDamaged at one that cannot be read."""
    for path in sorted((root / FOLDER).glob("*.json")):
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            yield entry["path"], entry["sha256"], entry["stamp"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise RecordsDamaged(f"{path.relative_to(root)}: not a record of an output ({error})") from None


def missing(root: str | Path = ".") -> list[str]:
    """The recorded outputs that are no longer there (deleted, or set aside)."""
    root = Path(root)
    return sorted(name for name, _, _ in _entries(root) if not (root / name).exists())


def forget_missing(root: str | Path = ".") -> None:
    """Drop the records of outputs no longer there: at the end of a complete run (the provenance
    step), an output missing then is one the config no longer asks for. An unreadable record is
    left for the runner, which rebuilds everything when it finds one."""
    root = Path(root)
    with contextlib.suppress(RecordsDamaged):
        forget(missing(root), root)


def changed(root: str | Path = ".") -> list[Changed]:
    """The outputs whose content is no longer what their job wrote, by path. Only a file whose size
    or times differ from the record is read again; one with the same bytes (touched, copied) gets
    its record's stamp updated, so that the next look is a stat again. Raises RecordsDamaged if a
    record is unreadable."""
    root = Path(root)
    found = []
    for name, sha256, stamp in _entries(root):
        try:
            status = (root / name).stat()
        except OSError:
            continue  # an output removed: Snakemake makes it again
        if _stamp(status) == stamp:
            continue
        now = _sha256(root / name)
        if now == sha256:
            _write(root, name, now, status)
        else:
            found.append(Changed(name, sha256, now))
    return sorted(found, key=lambda entry: entry.path)


def kept(root: str | Path = ".") -> bool:
    """Are there records at all (outputs built before them, or .snakemake/bilateral removed, have none)?"""
    folder = Path(root) / FOLDER
    return folder.is_dir() and any(folder.glob("*.json"))


def set_aside(files: list[Changed], root: str | Path = ".") -> Path:
    """Move `files` into one new folder under .snakemake/bilateral/edited/, keeping their paths;
    the folder. Nothing is lost: the edit is there to compare or take back."""
    root = Path(root)
    folder = root / EDITED / time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    suffix = 0
    while folder.exists():
        suffix += 1
        folder = folder.with_name(f"{folder.name.split('-')[0]}-{suffix}")
    for entry in files:
        target = folder / entry.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(root / entry.path, target)
    return folder


class ChangedOutput(Exception):
    """An output is not what the job that made it wrote."""


def check_as_made(names, root: str | Path = ".") -> None:
    """Raise ChangedOutput naming each of `names` whose content differs from its job's record."""
    root = Path(root)
    wrong = [str(name) for name in names if (sha := recorded(name, root)) and sha != _sha256(root / name)]
    if wrong:
        raise ChangedOutput(
            f"{', '.join(wrong)}: changed after the job that made it; a record of it would vouch for what no "
            f"step of the workflow wrote. `make` moves it aside into {EDITED}/ and makes it again "
            f"(`snakemake --forcerun {' '.join(wrong)}` would make it again without keeping the edit)"
        )
