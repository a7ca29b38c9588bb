"""No stray or half-written files: on an error, Ctrl-C or SIGTERM the temporary file goes; after a
SIGKILL the next write of the same target removes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from bilateral.atomic import atomic_path, remove_leftovers, write_text


def _parts(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


@pytest.mark.parametrize("error", [ValueError("bad"), KeyboardInterrupt()])
def test_an_error_keeps_the_old_file_and_leaves_no_temporary(tmp_path, error):
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(type(error)), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise error
    assert target.read_text() == "old\n"
    assert _parts(tmp_path) == []


def _writer(target, started):
    """A process that starts writing `target` and waits to be signalled."""
    code = textwrap.dedent(f"""
        import pathlib, time
        from bilateral.atomic import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_text("half")
            pathlib.Path({str(started)!r}).write_text("")
            time.sleep(30)
    """)
    return subprocess.Popen([sys.executable, "-c", code])


def _wait_for(path, process):
    deadline = time.monotonic() + 20
    while not path.exists():
        assert process.poll() is None and time.monotonic() < deadline, "the writer did not start"
        time.sleep(0.05)


def test_sigterm_removes_the_temporary_file_and_still_ends_the_process(tmp_path):
    target, started = tmp_path / "out.csv", tmp_path / "started"
    writer = _writer(target, started)
    _wait_for(started, writer)
    assert len(_parts(tmp_path)) == 1  # it is writing
    writer.send_signal(signal.SIGTERM)
    assert writer.wait(timeout=20) == -signal.SIGTERM  # ended by SIGTERM, as without the handler
    assert _parts(tmp_path) == [] and not target.exists()


def test_a_sigkill_leftover_is_removed_by_the_next_write(tmp_path):
    target, started = tmp_path / "out.csv", tmp_path / "started"
    writer = _writer(target, started)
    _wait_for(started, writer)
    writer.kill()
    writer.wait(timeout=20)
    leftover = _parts(tmp_path)
    assert len(leftover) == 1 and leftover[0].startswith(f".out.csv.{writer.pid}.")
    # A live writer's file (this process's pid) and another target's stay.
    live = tmp_path / f".out.csv.{os.getpid()}.abc123.part"
    other = tmp_path / f".out.csv.x.{writer.pid}.abc123.part"
    live.write_text("")
    other.write_text("")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert _parts(tmp_path) == sorted([live.name, other.name])
    assert remove_leftovers(target) == []
