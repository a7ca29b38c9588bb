"""Rebuild everything from the raw snapshot in a temporary directory and compare with CHECKSUMS.sha256.

What it proves: from the committed raw data and code, in the pinned environment, the workflow gives
exactly the committed outputs. What it cannot prove: that the raw data are the IMF's (see the
importer test against the workbooks), or that another environment (other library versions, another
CPU architecture) renders the figures to the same bytes.
"""

from __future__ import annotations

import json
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
NOT_SOURCES = (".git", ".venv", ".snakemake", "logs", "report", "figures", "tables", "data/processed")


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


def copy_project(root: Path, target: Path) -> str:
    """The committed tree (`git archive HEAD`); outside git, the files on disk. Returns what was copied."""
    try:
        archive = subprocess.run(["git", "archive", "--format=tar", "HEAD"], cwd=root, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        for name in tracked_files(root):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(root / name, target / name)
        return "the files on disk (not a git checkout)"
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True)
    note = " (uncommitted changes in the work tree are not verified)" if dirty.stdout.strip() else ""
    return f"commit {commit.stdout.strip()}{note}"


def compare(expected: dict[str, str], folder: Path) -> list[tuple[str, str]]:
    results = []
    for name, digest in expected.items():
        path = folder / name
        if not path.exists():
            results.append((name, "missing"))
        else:
            results.append((name, "identical" if sha256_file(path) == digest else "different"))
    return results


def verify(root: str | Path = ".", cores: str = "all", keep: bool = False, out=print) -> bool:
    root = Path(root).resolve()
    expected = read_manifest(root / MANIFEST)  # as in the work tree: it is what a reviewer holds
    raw = {k: v for k, v in expected.items() if k.startswith("data/raw/")}
    outputs = {k: v for k, v in expected.items() if k not in raw}
    work = Path(tempfile.mkdtemp(prefix="bilateral-verify-"))
    try:
        what = copy_project(root, work)
        out(f"verify: rebuilding {what} in {work}")
        changed_raw = [name for name, state in compare(raw, work) if state != "identical"]
        for name, state in compare(raw, work):
            out(f"  raw {state:<10} {name}")
        # Snakemake's own progress lines show on the terminal while the rebuild runs.
        build = subprocess.run([sys.executable, "-m", "snakemake", "--cores", cores, "--quiet", "rules"], cwd=work)
        if build.returncode != 0:
            out("verify: FAILED, the rebuild did not complete (Snakemake's messages are above)")
            return False
        results = compare(outputs, work)
        for name, state in results:
            out(f"  {state:<10} {name}")
        different = [name for name, state in results if state != "identical"]
        if changed_raw:
            out(f"verify: raw input(s) differ from {MANIFEST}: {', '.join(changed_raw)}")
        if different:
            out(f"verify: FAILED, {len(different)} of {len(results)} outputs differ: {', '.join(different)}")
            return False
        if changed_raw:
            out("verify: FAILED, the outputs match but the raw inputs are not the committed ones")
            return False
        out(f"verify: OK, all {len(results)} outputs are byte-identical to {MANIFEST}")
        return True
    finally:
        if keep:
            out(f"verify: rebuilt project kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
