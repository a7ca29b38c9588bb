"""The committed raw snapshot: reproducible from the workbooks, described by its provenance."""

from __future__ import annotations

import csv
import json

from conftest import ROOT, SNAPSHOT, WORKBOOKS, needs_workbooks

from bilateral import snapshot
from bilateral.checksums import sha256_file


@needs_workbooks
def test_regenerating_the_snapshot_gives_identical_bytes(tmp_path):
    snapshot.write(WORKBOOKS, tmp_path)
    committed = SNAPSHOT.parent
    for name in (snapshot.DATA_FILE, snapshot.PROVENANCE_FILE):
        assert (tmp_path / name).read_bytes() == (committed / name).read_bytes(), name


def test_provenance_matches_the_committed_extract():
    record = json.loads((SNAPSHOT.parent / "provenance.json").read_text())
    assert record["extract"]["sha256"] == sha256_file(SNAPSHOT)
    assert record["extract"]["rows"] == len(SNAPSHOT.read_text().splitlines()) - 1
    for key in ("producer", "title", "vintage", "citation", "licence", "produced_by"):
        assert record[key]
    assert {s["file"] for s in record["source_workbooks"]} == {
        "DOTS_16.xlsx",
        "DOTS_162.xlsx",
        "DOTS_203.xlsx",
    }


@needs_workbooks
def test_workbook_checksums_match_the_shared_index():
    """Each workbook's sha256 and reporter are checked on that workbook's own row of INDEX.csv,
    and against the file itself: a digest that appears on another row does not count."""
    record = json.loads((SNAPSHOT.parent / "provenance.json").read_text())
    with open(WORKBOOKS / "INDEX.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_file = {row["file"]: row for row in rows}
    assert len(by_file) == len(rows), "INDEX.csv lists a file twice"
    for source in record["source_workbooks"]:
        row = by_file[source["file"]]
        assert row["reporter"] == source["reporter"], source["file"]
        assert row["sha256"] == source["sha256"], source["file"]
        assert sha256_file(WORKBOOKS / source["file"]) == source["sha256"], source["file"]


def test_no_workbook_is_committed():
    assert not list(ROOT.glob("data/**/*.xlsx"))
