"""`make test` runs the suite on pytest-xdist workers with `--dist loadgroup` so that the tests of one
xdist_group run on one worker and a module's workflow build (a module-scoped fixture) is made once.
pytest-xdist groups a test by appending "@<group>" to its id; pytest 9.2 keeps ids where pytest-xdist
3.8 cannot change them, so every group was silently ignored and each worker built the same workflows
again (pyproject.toml pins pytest below 9.2). This test fails if that comes back."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

GROUPED = """
import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    pass
"""


@pytest.mark.slow
def test_tests_of_one_group_run_on_one_worker_as_make_test_runs_them(tmp_path):
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    ran = re.findall(r"^\[(gw\d)\] .*PASSED (\S+)", result.stdout, flags=re.M)
    assert len(ran) == 6, result.stdout[-3000:]
    assert all(test.endswith("@together") for _, test in ran), ran
    assert len({worker for worker, _ in ran}) == 1, ran
