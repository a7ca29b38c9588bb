"""Is the committed raw extract (data/raw/dots-2022) the one its provenance record describes?

Apart from bilateral.snapshot, which builds the extract with pandas, because the workflow checks the
extract every time it loads and a load imports no pandas.
"""

from __future__ import annotations

import json
from pathlib import Path

from .checksums import sha256_bytes
from .errors import InputError

VINTAGE = "dots-2022"
DATA_FILE = "dots.csv"
PROVENANCE_FILE = "provenance.json"


class RecordError(InputError):
    """The committed extract is not the one its provenance record describes."""


RESTORE_HINT = (
    "restore the committed file with `git checkout -- {file}`, or, if the change is intended, "
    "re-import it from the IMF workbooks with `make snapshot` (which rewrites {record} too)"
)


def check_record(folder: str | Path = Path("data/raw") / VINTAGE) -> dict:
    """Check the extract in `folder` against the sha256 and row count in its provenance.json.

    Cheap (one pass over a 1.5 MB file), so the workflow can call it every time it loads:
    an edited, truncated or replaced raw file stops the run before any work. Returns the record.
    """
    folder = Path(folder)
    data, record_path = folder / DATA_FILE, folder / PROVENANCE_FILE
    hint = RESTORE_HINT.format(file=data, record=record_path)
    for path in (data, record_path):
        if not path.is_file():
            raise RecordError(f"{path}: missing; {hint}")
    try:
        extract = json.loads(record_path.read_text(encoding="utf-8"))["extract"]
        expected_sha, expected_rows = extract["sha256"], int(extract["rows"])
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordError(f"{record_path}: no readable 'extract' sha256 and rows ({exc}); {hint}") from None
    content = data.read_bytes()
    if not content.strip():
        raise RecordError(f"{data}: the file is empty, {expected_rows} rows recorded in {record_path}; {hint}")
    found_sha, found_rows = sha256_bytes(content), max(content.count(b"\n") - 1, 0)
    if found_sha != expected_sha:
        rows = f"{found_rows} data rows, {expected_rows} recorded" if found_rows != expected_rows else "same rows"
        raise RecordError(
            f"{data}: not the extract recorded in {record_path}: sha256 {found_sha}, expected {expected_sha} "
            f"({rows}); {hint}"
        )
    if found_rows != expected_rows:  # only if the record itself was edited: the sha256 matched
        raise RecordError(f"{data}: {found_rows} data rows, {record_path} records {expected_rows}; {hint}")
    return extract
