"""The jupyter_client side of bilateral.kernelfork: a provisioner whose kernel is forked by the
server when one runs, and started the usual way otherwise."""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from typing import Any

import psutil
from jupyter_client.provisioning import LocalProvisioner

from .kernelfork import request_kernel


class ForkedProcess:
    """What LocalProvisioner asks of its subprocess.Popen, for a kernel this process did not start
    (the server's child: the server collects its exit status, so only 'still running?' is known)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._process = psutil.Process(pid)

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                gone = self._process.status() == psutil.STATUS_ZOMBIE
            except psutil.NoSuchProcess:
                gone = True
            if gone:
                self.returncode = 0  # unknown to this process; the notebook's outputs tell
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel pid {self.pid} still running")
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkedProvisioner(LocalProvisioner):
    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        cwd = kwargs.get("cwd") or os.getcwd()
        pid = request_kernel(cmd, kwargs.get("env") or dict(os.environ), cwd)
        if pid is None:
            return await super().launch_kernel(cmd, **kwargs)
        self.process = ForkedProcess(pid)
        self.pid = pid
        self.pgid = pid  # the server gave it a group of its own
        self.cwd = cwd
        return self.connection_info


def use_forked_kernels(manager) -> None:
    """Give `manager` (a KernelManager not yet started) the provisioner above."""
    manager.kernel_id = manager.kernel_id or str(uuid.uuid4())
    manager.provisioner = ForkedProvisioner(
        kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager
    )
