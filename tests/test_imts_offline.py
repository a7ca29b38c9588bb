"""Without a network, `make update-data` and `make availability` end with one paragraph a person can
act on (what failed, that nothing was written, that `make` still builds from the committed snapshot),
after no retry and no traceback, and nothing is written under data/raw."""

from __future__ import annotations

import re
import socket
import subprocess

import pytest
import yaml
from conftest import ROOT
from imf_server import ImfServer

from bilateral.imts import offline

# RFC 6761: names under .invalid never resolve, with or without a network.
UNRESOLVABLE = "http://imf.invalid/external/sdmx/3.0"


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.slow
@pytest.mark.parametrize("target", ["update-data", "availability"])
def test_offline_make_ends_with_one_paragraph_and_writes_nothing(tmp_path, target):
    overlay = tmp_path / "offline.yaml"
    overlay.write_text(yaml.safe_dump({"imts": {"base_url": UNRESOLVABLE}}))
    raw_before = _files(ROOT / "data/raw")
    done = subprocess.run(
        ["make", "-s", target, f"CONFIG={overlay}", "VINTAGE=2099-01-01"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0
    # What make itself adds after a failed recipe ("make: *** [Makefile:NN: target] Error 1") aside,
    # the output is the paragraph and nothing else.
    ours = [line for line in output.splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    paragraph = " ".join(ours)
    assert paragraph.startswith(f"make {target}: the IMF host imf.invalid could not be resolved"), output
    assert "Nothing was written" in paragraph and "still builds every figure and table from the committed" in paragraph
    assert paragraph.endswith("once the IMF can be reached."), output
    assert len(ours) <= 5 and "" not in ours, output  # one short paragraph
    assert "Traceback" not in output and "retry" not in output.lower()
    assert _files(ROOT / "data/raw") == raw_before
    assert not (ROOT / "data/raw/imts-2099-01-01").exists()


def test_a_host_that_does_not_resolve_or_answer_is_named():
    assert "imf.invalid could not be resolved" in offline.problem(UNRESOLVABLE, 2.0)
    with socket.socket() as probe:  # a port that nothing listens on, once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert f"127.0.0.1 could not be reached on port {port}" in offline.problem(f"http://127.0.0.1:{port}/", 2.0)
    with ImfServer() as server:
        assert offline.problem(server.base_url, 2.0) is None


def test_update_data_needs_no_network_for_a_vintage_on_disk(tmp_path, monkeypatch):
    from bilateral.cli import main

    (tmp_path / "config").mkdir()
    for name in ("config.yaml", "schema.yaml"):
        (tmp_path / "config" / name).write_bytes((ROOT / "config" / name).read_bytes())
    overlay = tmp_path / "offline.yaml"
    overlay.write_text(yaml.safe_dump({"imts": {"base_url": UNRESOLVABLE}}))
    monkeypatch.chdir(tmp_path)
    configs = ["--config", "config/config.yaml", "--config", str(overlay)]
    with pytest.raises(SystemExit) as stopped:
        main(["imts-check", *configs, "--vintage", "2099-01-01"])
    assert stopped.value.code == 1
    (tmp_path / "data/raw/imts-2099-01-01").mkdir(parents=True)
    (tmp_path / "data/raw/imts-2099-01-01/metadata.json").write_text("{}")
    assert main(["imts-check", *configs, "--vintage", "2099-01-01"]) == 0
