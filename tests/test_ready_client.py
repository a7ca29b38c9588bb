"""bilateral.ready_client: a kernel is ready once it has answered kernel_info and IOPub has carried
its idle status for that request, with no wait for IOPub to fall silent; a request whose status went
out before IOPub was connected is asked again; a dead kernel is an error, not a wait."""

from __future__ import annotations

import asyncio
from queue import Empty

import pytest
from jupyter_client.manager import AsyncKernelManager

from bilateral.ready_client import ReadyClient


class Channel:
    """Messages handed out in order; `Empty` in the list, or no message left, is a wait in vain."""

    def __init__(self, messages):
        self.messages = list(messages)
        self.waits: list[float] = []

    async def get_msg(self, timeout=None):
        self.waits.append(timeout)
        if not self.messages:
            raise Empty
        message = self.messages.pop(0)
        if message is Empty:
            raise Empty
        return message


def _message(kind: str, parent: str, **content) -> dict:
    return {"msg_type": kind, "parent_header": {"msg_id": parent}, "content": content, "header": {}}


class Scripted(ReadyClient):
    """A client whose kernel's messages are given in advance; its requests are named request-1,
    request-2, ... in the order sent."""

    def __init__(self, shell, iopub, alive=True):
        super().__init__()
        self.sent: list[str] = []
        self._shell, self._iopub, self._alive = Channel(shell), Channel(iopub), alive

    @property
    def shell_channel(self):
        return self._shell

    @property
    def iopub_channel(self):
        return self._iopub

    def kernel_info(self) -> str:
        self.sent.append(f"request-{len(self.sent) + 1}")
        return self.sent[-1]

    async def is_alive(self) -> bool:
        return self._alive


def test_ready_at_the_idle_status_of_its_own_request_without_waiting_for_silence():
    client = Scripted(
        shell=[_message("kernel_info_reply", "request-1", protocol_version="5.3")],
        iopub=[
            _message("status", "request-1", execution_state="busy"),
            _message("status", "request-1", execution_state="idle"),
            _message("stream", "someone-else", text="never read"),
        ],
    )
    asyncio.run(client.wait_for_ready(timeout=10))
    assert client.sent == ["request-1"]
    # Nothing was read after the idle status: no wait for IOPub to fall silent.
    assert [m["msg_type"] for m in client.iopub_channel.messages] == ["stream"]


def test_a_status_that_went_out_before_iopub_was_connected_is_asked_for_again():
    # IOPub connects (its welcome) after the kernel's idle status for request-1 went out to nobody.
    client = Scripted(
        shell=[_message("kernel_info_reply", "request-1", protocol_version="5.3")],
        iopub=[
            {"msg_type": "iopub_welcome", "parent_header": {}, "content": {}, "header": {}},
            _message("status", "request-2", execution_state="idle"),
        ],
    )
    asyncio.run(client.wait_for_ready(timeout=10))
    assert client.sent == ["request-1", "request-2"]


def test_replies_to_an_earlier_request_do_not_count_as_the_answer():
    # The first request went unanswered for a second (the kernel was still starting); its late reply
    # and idle status arrive after the second request was sent.
    client = Scripted(
        shell=[
            Empty,  # a second without an answer: request-2 is sent
            _message("kernel_info_reply", "request-1", protocol_version="5.3"),
            _message("kernel_info_reply", "request-2", protocol_version="5.3"),
        ],
        iopub=[
            _message("status", "request-1", execution_state="idle"),
            _message("status", "request-2", execution_state="idle"),
        ],
    )
    asyncio.run(client.wait_for_ready(timeout=10))
    assert client.sent == ["request-1", "request-2"]
    assert client.shell_channel.messages == [] and client.iopub_channel.messages == []


def test_a_kernel_that_died_before_answering_is_an_error():
    client = Scripted(shell=[], iopub=[], alive=False)
    with pytest.raises(RuntimeError, match="died before replying"):
        asyncio.run(client.wait_for_ready(timeout=10))


class Chatty(Channel):
    """IOPub of a kernel that prints without end as it starts, its status for the request never seen."""

    async def get_msg(self, timeout=None):
        await asyncio.sleep(0.01)  # a message every hundredth of a second: never 0.2 s of silence
        return _message("stream", "", text="still starting")


def test_a_kernel_whose_iopub_never_falls_silent_is_an_error_at_the_timeout():
    client = Scripted(shell=[_message("kernel_info_reply", "request-1", protocol_version="5.3")], iopub=[])
    client._iopub = Chatty([])

    async def wait() -> None:
        # Bounded here too, so that a client that waits on regardless fails this test, not hangs it.
        await asyncio.wait_for(client.wait_for_ready(timeout=0.5), timeout=10)

    with pytest.raises(RuntimeError, match="didn't respond"):
        asyncio.run(wait())


def test_a_real_kernel_is_ready_and_runs_code(tmp_path):
    async def run() -> str:
        manager = AsyncKernelManager(
            kernel_name="python3",
            transport="ipc",
            ip=str(tmp_path / "k"),
            client_class="bilateral.ready_client.ReadyClient",
        )
        await manager.start_kernel()
        client = manager.client()
        assert isinstance(client, ReadyClient)
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            reply = await client.execute_interactive("print(6 * 7)", output_hook=outputs.append, timeout=60)
            assert reply["content"]["status"] == "ok"
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
        return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")

    outputs: list[dict] = []
    assert asyncio.run(run()) == "42\n"
