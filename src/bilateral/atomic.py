"""Write files so that a failure never leaves a half-written output behind.

The data go to a temporary file beside the target, `.<name>.<pid>.<random>.part` (hidden, ignored
by git through `*.part`, and named after no output, so Snakemake never takes it for one), which
replaces the target only when complete. On an exception, Ctrl-C (KeyboardInterrupt) or SIGTERM the
temporary file is removed; after a SIGKILL, which no program can react to, the next write of the same
target removes it (the pid in its name shows that its writer is gone).
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `target`; move it into place only on success."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        with _removed_on_sigterm(tmp_path):
            yield tmp_path
        # mkstemp makes the file private (0600); outputs get the usual permissions instead.
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def remove_leftovers(target: Path) -> list[Path]:
    """Remove the temporary files of `target` whose writing process no longer exists."""
    # mkstemp's random part has no dot, so a temporary file of another target never matches.
    own = re.compile(rf"\.{re.escape(target.name)}\.(\d+)\.[^.]+\.part")
    removed = []
    for leftover in target.parent.glob(".*.part"):
        match = own.fullmatch(leftover.name)
        if match and not _alive(int(match.group(1))):
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


@contextmanager
def _removed_on_sigterm(path: Path) -> Iterator[None]:
    """While the block runs, SIGTERM first removes `path`, then does what it did before (by default:
    end the process). Only Python's main thread can set handlers; a handler that is not Python's (or
    SIGTERM ignored) is left alone."""
    previous = signal.getsignal(signal.SIGTERM)
    if threading.current_thread() is not threading.main_thread() or previous in (None, signal.SIG_IGN):
        yield
        return

    def handler(signum, frame):
        path.unlink(missing_ok=True)
        signal.signal(signum, previous)
        if callable(previous):
            previous(signum, frame)
        else:  # SIG_DFL: end as SIGTERM would have, with the same exit status
            os.kill(os.getpid(), signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(target: str | os.PathLike, text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="\n")


def write_bytes(target: str | os.PathLike, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
