"""An output changed after the job that made it is told apart from the one its job wrote
(bilateral.made): `make` moves it aside and makes it again, and the provenance record refuses it."""

from __future__ import annotations

import hashlib
import os

import pytest

from bilateral import made


def _project(tmp_path):
    (tmp_path / "tables").mkdir()
    (tmp_path / "tables/a.csv").write_text("x\n1\n")
    (tmp_path / "tables/b.csv").write_text("x\n2\n")
    made.record(["tables/a.csv", "tables/b.csv", "tables"], tmp_path)  # a folder output is left out
    return tmp_path


def test_a_recorded_output_is_its_content_sha256(tmp_path):
    project = _project(tmp_path)
    assert made.recorded("tables/a.csv", project) == hashlib.sha256(b"x\n1\n").hexdigest()
    assert made.recorded("tables", project) is None and made.recorded("tables/c.csv", project) is None
    assert made.changed(project) == []


def test_an_edited_output_is_found_and_a_touched_one_is_not(tmp_path):
    project = _project(tmp_path)
    (project / "tables/a.csv").write_text("x\n9\n")
    status = (project / "tables/b.csv").stat()
    os.utime(project / "tables/b.csv", ns=(status.st_atime_ns, status.st_mtime_ns + 10**9))
    (found,) = made.changed(project)
    assert found == made.Changed(
        "tables/a.csv", hashlib.sha256(b"x\n1\n").hexdigest(), hashlib.sha256(b"x\n9\n").hexdigest()
    )
    # The touched file's record now has its new time: the next look needs no read.
    assert made.changed(project) == [found]


def test_a_missing_output_or_record_is_left_to_snakemake(tmp_path):
    project = _project(tmp_path)
    (project / "tables/a.csv").unlink()
    assert made.changed(project) == []


def test_an_edited_output_is_moved_aside_with_its_path(tmp_path):
    project = _project(tmp_path)
    (project / "tables/a.csv").write_text("edited by hand\n")
    folder = made.set_aside(made.changed(project), project)
    assert not (project / "tables/a.csv").exists() and (project / "tables/b.csv").exists()
    assert (folder / "tables/a.csv").read_text() == "edited by hand\n"
    assert folder.parent == project / made.EDITED
    # A second edit in the same second goes to a folder of its own: nothing is overwritten.
    (project / "tables/b.csv").write_text("edited too\n")
    again = made.set_aside(made.changed(project), project)
    assert again != folder and (again / "tables/b.csv").read_text() == "edited too\n"


def test_the_record_refuses_an_edited_file_naming_it(tmp_path):
    project = _project(tmp_path)
    made.check_as_made(["tables/a.csv", "tables/b.csv", "tables/never-recorded.csv"], project)
    (project / "tables/b.csv").write_text("x\n3\n")
    with pytest.raises(made.ChangedOutput, match=r"^tables/b.csv: changed after the job that made it"):
        made.check_as_made(["tables/a.csv", "tables/b.csv"], project)


def test_an_edit_with_its_old_modification_time_put_back_is_found(tmp_path):
    """`touch -r` (or `cp -p` of an edited copy) restores the size and modification time; the
    change time cannot be set back."""
    project = _project(tmp_path)
    target = project / "tables/a.csv"
    before = target.stat()
    target.write_text("x\n7\n")  # the same size
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert [entry.path for entry in made.changed(project)] == ["tables/a.csv"]


def test_a_step_that_starts_forgets_its_outputs_records(tmp_path):
    """A run killed while a step writes leaves a half-written output: not an edit, Snakemake makes
    it again (the step's records were dropped as it began)."""
    project = _project(tmp_path)
    made.forget(["tables/a.csv"], project)
    (project / "tables/a.csv").write_text("half")
    assert made.recorded("tables/a.csv", project) is None
    assert made.changed(project) == []


def test_a_damaged_record_is_named(tmp_path):
    project = _project(tmp_path)
    record = next((project / made.FOLDER).glob("*.json"))
    record.write_text("garbage")
    with pytest.raises(made.RecordsDamaged, match=r"^\.snakemake/bilateral/made/[0-9a-f]{32}\.json: not a record"):
        made.changed(project)
    assert made.kept(project)


def test_records_of_outputs_no_longer_there_are_forgotten_at_the_end_of_a_run(tmp_path):
    for name in ("figures/a.png", "figures/b.png"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(name.encode())
    made.record(["figures/a.png", "figures/b.png"], tmp_path)
    (tmp_path / "figures/b.png").unlink()
    assert made.missing(tmp_path) == ["figures/b.png"]
    made.forget_missing(tmp_path)
    assert made.missing(tmp_path) == []
    assert made.recorded("figures/a.png", tmp_path) == hashlib.sha256(b"figures/a.png").hexdigest()
    # An unreadable record is left for the runner (which rebuilds everything on finding one).
    (tmp_path / "figures/a.png").unlink()
    next((tmp_path / made.FOLDER).glob("*.json")).write_text("{")
    made.forget_missing(tmp_path)
    assert len(list((tmp_path / made.FOLDER).glob("*.json"))) == 1
