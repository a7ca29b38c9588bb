"""`make verify` says what it verified (a commit) and, as its last line, what it did not (the work tree).

A small git repository stands in for the project, and the rebuild is a stand-in that copies the raw
file to the output, so these tests run in well under a second (the real rebuild is tested end to end
in test_workflow.py)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from bilateral import verify as v

RAW, OUTPUT = "data/raw/v1/raw.csv", "tables/out.csv"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _git(root: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _copy_raw(folder: Path, cores: str) -> int:
    """The stand-in workflow: the output is the raw file, byte for byte."""
    (folder / OUTPUT).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / RAW, folder / OUTPUT)
    return 0


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / RAW).parent.mkdir(parents=True)
    (root / RAW).write_text("year,value\n1986,86.33\n")
    (root / "src").mkdir()
    (root / "src/code.py").write_text("x = 1\n")
    (root / ".gitignore").write_text("tables/\n")
    digest = _sha("year,value\n1986,86.33\n")
    (root / v.MANIFEST).write_text(f"# test\n{digest}  {RAW}\n{digest}  {OUTPUT}\n")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")
    return root


def _run(root: Path, **kwargs) -> tuple[bool, list[str]]:
    lines: list[str] = []
    ok = v.verify(root, out=lines.append, build=kwargs.pop("build", _copy_raw), **kwargs)
    return ok, lines


def test_clean_checkout_is_ok_for_its_commit(project):
    ok, lines = _run(project)
    assert ok
    assert f"  raw identical  {RAW}" in lines and f"  identical  {OUTPUT}" in lines
    assert lines[-1] == f"verify: OK for commit {_git(project, 'rev-parse', '--short', 'HEAD')}"


def test_uncommitted_raw_edit_is_named_in_the_last_line(project):
    (project / RAW).write_text("year,value\n1986,96.33\n")
    (project / "src/new.py").write_text("y = 2\n")
    ok, lines = _run(project)
    commit = _git(project, "rev-parse", "--short", "HEAD")
    assert ok  # the commit itself is verified ...
    assert lines[-1].startswith(
        f"verify: OK for commit {commit}; NOT verified: uncommitted changes in the work tree: {RAW}, src/new.py"
    )  # ... and the last line says plainly that the work tree is not
    assert f"  raw identical  {RAW}" in lines  # the committed copy, which was rebuilt
    assert any(line.startswith(f"  raw different  {RAW} (the work tree's copy") for line in lines)
    assert f"verify: raw input(s) in the work tree differ from {v.MANIFEST}: {RAW}" in lines
    assert not _run(project, strict=True)[0]


def test_committed_raw_edit_fails(project):
    (project / RAW).write_text("year,value\n1986,96.33\n")
    _git(project, "commit", "-qam", "edit")
    ok, lines = _run(project)
    assert not ok
    assert f"  raw different  {RAW}" in lines and f"  different  {OUTPUT}" in lines
    assert lines[-1] == f"verify: FAILED for commit {_git(project, 'rev-parse', '--short', 'HEAD')}"


def test_a_failed_rebuild_fails_and_still_names_the_work_tree(project):
    (project / "src/code.py").write_text("x = 2\n")
    ok, lines = _run(project, build=lambda folder, cores: 1)
    assert not ok
    assert "verify: the rebuild did not complete (Snakemake's messages are above)" in lines
    assert lines[-1].endswith(
        "uncommitted changes in the work tree: src/code.py (commit them and run"
        " `make verify` again, or `git stash` to check the commit alone)"
    )
    assert lines[-1].startswith("verify: FAILED for commit ")


def test_work_tree_changes_lists_every_kind_of_difference(project):
    (project / "src/code.py").write_text("x = 2\n")  # edited
    (project / "notes.txt").write_text("new\n")  # untracked
    _git(project, "mv", RAW, "data/raw/v1/renamed.csv")  # renamed: both names are not as committed
    (project / "tables").mkdir()
    (project / "tables/ignored.csv").write_text("ignored\n")  # ignored: an output, not a change
    assert v.work_tree_changes(project) == [RAW, "data/raw/v1/renamed.csv", "notes.txt", "src/code.py"]
    _git(project, "rm", "-q", v.MANIFEST)
    assert v.MANIFEST in v.work_tree_changes(project)


def test_outside_git_the_files_on_disk_are_verified(tmp_path):
    root = tmp_path / "plain"
    (root / RAW).parent.mkdir(parents=True)
    (root / RAW).write_text("a\n")
    (root / v.MANIFEST).write_text(f"{_sha('a' + chr(10))}  {RAW}\n{_sha('a' + chr(10))}  {OUTPUT}\n")
    ok, lines = _run(root)
    assert ok and lines[-1] == "verify: OK for the files on disk"


def test_outside_git_the_environments_are_not_copied(tmp_path):
    """Without git, the rebuild copies the files on disk, but neither environment (.venv-cluster
    alone is over a gigabyte), nor outputs or Snakemake's records."""
    for name in ("Snakefile", ".venv/bin/python", ".venv-cluster/lib/site.py", ".snakemake/log/x", "figures/a.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert v.tracked_files(tmp_path) == ["Snakefile"]
