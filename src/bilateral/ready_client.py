"""A Jupyter kernel client that knows when its kernel is ready without waiting out a silence.

jupyter_client's `wait_for_ready` asks the kernel for `kernel_info`, then reads the IOPub channel
until it has been silent for 0.2 s: a fifth of a second of waiting in every notebook job, longer
than a forked kernel takes to start (bilateral.kernelfork). The kernel's answer is complete sooner:
its `idle` status for that very request on IOPub is the last message it sends for it, and seeing it
shows what the silence was waited for, that IOPub is connected. nbclient reads only the messages of
the cell it runs, so nothing else needs draining.
"""

from __future__ import annotations

import time
from queue import Empty

import zmq
from jupyter_client.asynchronous import AsyncKernelClient

# jupyter_client's own waits: a kernel_info request is repeated after a second without an answer, and
# IOPub that carries nothing for 0.2 s after the answer is taken as not yet connected.
SHELL_WAIT = 1.0
IOPUB_WAIT = 0.2
# The client connects before the kernel has made its sockets; ZeroMQ tries again after 0.1 s by default.
RECONNECT_MS = 10


class ReadyClient(AsyncKernelClient):
    def start_channels(self, *args, **kwargs) -> None:
        self.context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)  # for the sockets made from here on
        super().start_channels(*args, **kwargs)

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            request = self.kernel_info()
            if await self._answered(request) and await self._idle_after(request, deadline):
                return
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

    async def _answered(self, request: str) -> bool:
        """Did the kernel_info reply arrive (earlier replies, to repeated requests, are skipped)?"""
        until = time.monotonic() + SHELL_WAIT
        while (left := until - time.monotonic()) > 0:
            try:
                reply = await self.shell_channel.get_msg(timeout=left)
            except Empty:
                return False
            if reply["parent_header"].get("msg_id") == request and reply["msg_type"] == "kernel_info_reply":
                self._handle_kernel_info_reply(reply)
                return True
        return False

    async def _idle_after(self, request: str, deadline: float) -> bool:
        """Did IOPub carry the kernel's `idle` status for `request` (so IOPub is connected)? Not
        after `deadline`: IOPub busy with other messages (a kernel printing as it starts) is no
        reason to wait past the caller's timeout."""
        while time.monotonic() <= deadline:
            try:
                message = await self.iopub_channel.get_msg(timeout=IOPUB_WAIT)
            except Empty:
                return False
            if message["msg_type"] == "iopub_welcome":
                # IOPub connected just now: the kernel's status for `request` may have gone out before,
                # to nobody. Ask again; this answer cannot be missed.
                request = self.kernel_info()
            elif (
                message["msg_type"] == "status"
                and message["parent_header"].get("msg_id") == request
                and message["content"].get("execution_state") == "idle"
            ):
                return True
        return False
