"""In CI (CI=true) a missing environment (the IMF workbooks in ../shared, Chromium) is a failure, not a skip."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, skip_or_fail


def test_missing_environment_fails_in_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"CI=true but chromium is missing"):
        skip_or_fail("chromium is missing")


@pytest.mark.parametrize("value", [None, "", "false", "1"])
def test_missing_environment_skips_outside_ci(monkeypatch, value):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.skip.Exception, match="chromium is missing"):
        skip_or_fail("chromium is missing")


def test_no_test_skips_behind_the_helpers_back():
    """Every skip in tests/ goes through conftest.skip_or_fail, so CI cannot silently skip."""
    pattern = re.compile(r"pytest\.(skip\(|mark\.skip|importorskip)|\bskipif\b")
    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        if path.name in ("conftest.py", __file__.rsplit("/", 1)[-1]):
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if pattern.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert offenders == []
