"""Can the IMF's host be reached? Asked before any work that needs it (`make update-data`,
`make availability`), so that without a network the answer is one paragraph a person can act on,
instead of a failed workflow job: what failed, that nothing was written, and that `make` still
builds everything from the committed snapshot. A name that does not resolve is not retried."""

from __future__ import annotations

import socket
import textwrap

from urllib3.util import parse_url


def problem(base_url: str, timeout: float) -> str | None:
    """What keeps the host of `base_url` out of reach (None when a TCP connection opens)."""
    url = parse_url(base_url)
    host = url.host or base_url
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return f"the IMF host {host} could not be resolved (no network, no DNS, or a wrong imts.base_url)"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return f"the IMF host {host} could not be reached on port {port} ({reason})"
    return None


def paragraph(command: str, failed: str) -> str:
    """The one paragraph a person reads when the IMF cannot be reached."""
    text = (
        f"{command}: {failed}. Nothing was written: data/raw and every output are as they were. "
        "`make` still builds every figure and table from the committed snapshot (data/raw/dots-2022); "
        f"run `{command}` again once the IMF can be reached."
    )
    return textwrap.fill(text, width=100, break_long_words=False, break_on_hyphens=False)
