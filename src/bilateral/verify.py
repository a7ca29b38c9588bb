"""Rebuild everything from the raw snapshot in a temporary directory and compare with CHECKSUMS.sha256.

What it proves: from the committed raw data and code, in the pinned environment, the workflow gives
exactly the committed outputs. What it cannot prove: that the raw data are the IMF's (see the
importer test against the workbooks), or that another environment (other library versions, another
CPU architecture) renders the figures to the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .checksums import sha256_file

MANIFEST = "CHECKSUMS.sha256"
# Written with the git commit of the build, so they differ at every commit by design.
NOT_CHECKSUMMED = ("report/provenance.json",)


def read_manifest(path: str | Path) -> dict[str, str]:
    """`sha256  path` lines (the format of `sha256sum`, so `sha256sum -c` also works)."""
    entries = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ValueError(f"{path}, line {number}: expected '<sha256>  <path>', found {line!r}")
        entries[name] = digest
    return entries


def recorded_files(provenance: str | Path) -> tuple[list[str], list[str]]:
    """The raw inputs and every output of a build, as its provenance record lists them."""
    record = json.loads(Path(provenance).read_text(encoding="utf-8"))
    outputs = [path for item in record["products"] for path in item["outputs"]]
    return record["raw_files"], outputs + ["report/index.html", str(provenance)]


def manifest_text(root: Path, raw: list[str], outputs: list[str]) -> str:
    lines = ["# sha256 of the raw inputs and of every output; regenerate with `make checksums`."]
    for name in sorted(raw) + sorted(p for p in outputs if p not in NOT_CHECKSUMMED):
        lines.append(f"{sha256_file(root / name)}  {name}")
    return "\n".join(lines) + "\n"


# Outside a git checkout (an archive, say), everything but these is copied.
NOT_SOURCES = (".git", ".venv", ".venv-cluster", ".snakemake", "logs", "report", "figures", "tables", "data/processed")


def tracked_files(root: Path) -> list[str]:
    """The project as a fresh clone has it, with uncommitted edits to tracked files."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout
        names = listed.decode().split("\0")
    except (OSError, subprocess.CalledProcessError):
        names = [
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and not any(p.relative_to(root).as_posix().startswith(f"{d}/") for d in NOT_SOURCES)
        ]
        names += [f"{d}/README.md" for d in ("figures", "tables", "data/processed")]
    return sorted(name for name in names if name and (root / name).exists())


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True)


def copy_project(root: Path, target: Path) -> str | None:
    """Extract the committed tree (`git archive HEAD`) into `target` and return the commit's short
    hash; outside a git checkout, copy the files on disk and return None."""
    try:
        archive = _git(root, "archive", "--format=tar", "HEAD")
    except (OSError, subprocess.CalledProcessError):
        for name in tracked_files(root):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
        return None
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return _git(root, "rev-parse", "--short", "HEAD").stdout.decode().strip()


def work_tree_changes(root: Path) -> list[str]:
    """Files in the work tree that are not as in HEAD: edited, added, deleted, renamed, or new and not
    ignored. None of these is in what `git archive HEAD` rebuilds. Empty outside a git checkout."""
    try:
        status = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all").stdout.decode()
    except (OSError, subprocess.CalledProcessError):
        return []
    entries = status.split("\0")
    names, i = [], 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if not entry:
            continue
        names.append(entry[3:])
        if entry[0] in "RC":  # a rename or copy is followed by its source, also not in HEAD's form
            names.append(entries[i])
            i += 1
    return sorted(set(names))


def compare(expected: dict[str, str], folder: Path) -> list[tuple[str, str]]:
    results = []
    for name, digest in expected.items():
        path = folder / name
        if not path.exists():
            results.append((name, "missing"))
        else:
            results.append((name, "identical" if sha256_file(path) == digest else "different"))
    return results


def raw_lines(committed: list[tuple[str, str]], on_disk: list[tuple[str, str]]) -> list[str]:
    """One line per raw input: the copy that is rebuilt, and the work tree's when it is not the same."""
    lines = []
    for (name, state), (_, disk_state) in zip(committed, on_disk, strict=True):
        lines.append(f"  raw {state:<10} {name}")
        if disk_state != state:
            lines.append(f"  raw {disk_state:<10} {name} (the work tree's copy, which is not the one rebuilt)")
    return lines


def verdict(commit: str | None, outcome: str, changes: list[str]) -> str:
    """The last line: what was verified, and plainly what was not.

    `outcome` is "OK" or "FAILED"; `changes` are the work tree's files that differ from `commit`."""
    what = f"commit {commit}" if commit else "the files on disk"
    line = f"verify: {outcome} for {what}"
    if changes:
        line += (
            f"; NOT verified: uncommitted changes in the work tree: {', '.join(changes)}"
            " (commit them and run `make verify` again, or `git stash` to check the commit alone)"
        )
    return line


def rebuild(folder: Path, cores: str) -> int:
    """Run the whole workflow in `folder`; its return code. Snakemake's progress shows on the terminal.

    With the copy's own package first on the path: the environment's `bilateral` is the work tree's
    (an editable install, or PYTHONPATH), whose uncommitted edits are not what is verified."""
    path = os.pathsep.join(filter(None, [str(folder / "src"), os.environ.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", cores, "--quiet", "rules"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": path},
    ).returncode


def verify(
    root: str | Path = ".", cores: str = "all", keep: bool = False, out=print, build=rebuild, strict=False
) -> bool:
    """True if the commit (outside git: the files on disk) rebuilds to CHECKSUMS.sha256; with `strict`,
    also only if the work tree is that commit. The last line printed says what was and was not verified."""
    root = Path(root).resolve()
    expected = read_manifest(root / MANIFEST)  # as in the work tree: it is what a reviewer holds
    raw = {k: v for k, v in expected.items() if k.startswith("data/raw/")}
    outputs = {k: v for k, v in expected.items() if k not in raw}
    changes = work_tree_changes(root)
    work = Path(tempfile.mkdtemp(prefix="bilateral-verify-"))
    try:
        commit = copy_project(root, work)
        if commit is None:  # the files on disk are what is rebuilt: nothing is left unverified
            changes = []
        what = f"commit {commit}" if commit else "the files on disk (not a git checkout)"
        note = " (uncommitted changes in the work tree are not verified)" if changes else ""
        out(f"verify: rebuilding {what}{note} in {work}")
        committed_raw, disk_raw = compare(raw, work), compare(raw, root)
        for line in raw_lines(committed_raw, disk_raw):
            out(line)
        ok = _rebuilt_outputs_match(work, cores, outputs, committed_raw, disk_raw, out, build)
        out(verdict(commit, "OK" if ok else "FAILED", changes))
        return ok and not (strict and changes)
    finally:
        if keep:
            out(f"verify: rebuilt project kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def _rebuilt_outputs_match(work, cores, outputs, committed_raw, disk_raw, out, build) -> bool:
    if build(work, cores) != 0:
        out("verify: the rebuild did not complete (Snakemake's messages are above)")
        return False
    results = compare(outputs, work)
    for name, state in results:
        out(f"  {state:<10} {name}")
    changed_raw = [name for name, state in committed_raw if state != "identical"]
    edited_raw = [name for name, state in disk_raw if state != "identical"]
    different = [name for name, state in results if state != "identical"]
    if edited_raw:
        out(f"verify: raw input(s) in the work tree differ from {MANIFEST}: {', '.join(edited_raw)}")
    if changed_raw:
        out(f"verify: committed raw input(s) differ from {MANIFEST}: {', '.join(changed_raw)}")
    if different:
        out(f"verify: {len(different)} of {len(results)} outputs differ: {', '.join(different)}")
        return False
    if changed_raw:
        out("verify: the outputs match but the committed raw inputs are not the ones in the manifest")
        return False
    out(f"verify: all {len(results)} outputs are byte-identical to {MANIFEST}")
    return True
