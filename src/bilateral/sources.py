"""What a figure or table says about its data: the source line built from provenance."""

from __future__ import annotations

import json
from pathlib import Path


def source_line(provenance_path: str | Path) -> str:
    record = json.loads(Path(provenance_path).read_text(encoding="utf-8"))
    return f"Source: {record['citation']} Unit: {record['unit']}."
