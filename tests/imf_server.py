"""A real HTTP server on 127.0.0.1 that answers like the IMF API, from a script of replies."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

CSV = "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"
XML = "application/xml;charset=UTF-8"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = CSV
    delay: float = 0.0  # seconds before answering (to provoke read timeouts)
    cut_after: int | None = None  # send only this many bytes of the body, then close the connection
    headers: dict = field(default_factory=dict)
    length: bool = True  # send Content-Length; without it (and unchunked) the end is the closed connection
    chunked: bool = False  # HTTP/1.1 chunked transfer encoding (then no Content-Length)
    last_chunk: bool = True  # chunked: send the zero-length chunk that marks the end
    drip: float = 0.0  # seconds between single bytes of the body (a server that trickles)


class ImfServer:
    """Serves `replies` in order, the last one again once the script is used up; or, when `route`
    is set, whatever `route(path)` answers (a reply per request key: `serve_tidy`)."""

    def __init__(self) -> None:
        self.replies: list[Reply] = []
        self.requests: list[dict] = []
        self.route: Callable[[str], Reply] | None = None
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the stdlib's name)
                server.requests.append({"path": self.path, "headers": dict(self.headers)})
                if server.route is not None:
                    reply = server.route(self.path)
                else:
                    index = min(len(server.requests), len(server.replies)) - 1
                    reply = server.replies[index]
                if reply.delay:
                    time.sleep(reply.delay)
                # The client may give up (read timeout, deadline): expected in those tests.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._answer(reply)

            def _answer(self, reply: Reply) -> None:
                if reply.chunked:
                    self.protocol_version = "HTTP/1.1"
                    self.close_connection = True
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                if reply.chunked:
                    self.send_header("Transfer-Encoding", "chunked")
                elif reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                body = reply.body[: reply.cut_after]
                if reply.chunked:
                    self._chunks(body, reply.last_chunk)
                elif reply.drip:
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(body)
                if reply.cut_after is not None or not reply.last_chunk:
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)

            def _chunks(self, body: bytes, last: bool) -> None:
                for start in range(0, len(body), 100):
                    piece = body[start : start + 100]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                if last:
                    self.wfile.write(b"0\r\n\r\n")

            def log_message(self, *args):  # keep test output clean
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/external/sdmx/3.0"

    def __enter__(self) -> ImfServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def imts_csv_from_tidy(tidy, statuses=None) -> bytes:
    """An SDMX-CSV 2.0 body in the IMTS shape holding the given tidy rows (US$ millions -> US$).

    Used to serve Bangladesh/Russia/USSR data in the IMTS format: the recorded IMF bodies hold
    only US data. The conversion is exact (decimal), so parsing must give the tidy values back.
    """
    from decimal import Decimal

    back = {"TXG_FOB_USD": "XG_FOB_USD", "TMG_CIF_USD": "MG_CIF_USD"}
    lines = [
        "STRUCTURE[;],STRUCTURE_ID,ACTION,COUNTRY,INDICATOR,COUNTERPART_COUNTRY,FREQUENCY,TIME_PERIOD,"
        "OBS_VALUE,SCALE,TRADE_FLOW,VALUATION,UNIT,DERIVATION_TYPE,OVERLAP,STATUS"
    ]
    for row in tidy.itertuples(index=False):
        dollars = Decimal(repr(row.value_musd)) * Decimal(1_000_000)
        status = "e" if row.estimate else ""
        flow, valuation = ("XG", "FOB") if row.indicator == "TXG_FOB_USD" else ("MG", "CIF")
        lines.append(
            f"dataflow,IMF.STA:IMTS(1.0.0),R,{row.reporter_code},{back[row.indicator]},{row.partner_code},A,"
            f"{row.year},{dollars.normalize():f},6,{flow},{valuation},USD,M,OL,{status}"
        )
    return ("\n".join(lines) + "\n").encode()


def request_key(path: str) -> tuple[set[str], set[str], set[str]]:
    """(reporters, indicators, partners) of a data request's path: .../IMTS/+/<key>?..."""
    key = unquote(urlsplit(path).path).rsplit("/", 1)[-1]
    reporters, indicators, partners, _frequency = key.split(".")
    return set(reporters.split("+")), set(indicators.split("+")), set(partners.split("+"))


def key_of(path: str) -> str:
    return unquote(urlsplit(path).path).rsplit("/", 1)[-1]


def serve_tidy(tidy) -> Callable[[str], Reply]:
    """A route answering each data request, as the API does, with the rows of `tidy` its key asks
    for (reporters x indicators x partners); a key no row matches gets the header only."""
    back = {"XG_FOB_USD": "TXG_FOB_USD", "MG_CIF_USD": "TMG_CIF_USD"}

    def answer(path: str) -> Reply:
        reporters, indicators, partners = request_key(path)
        asked = {back[code] for code in indicators if code in back}
        rows = tidy[tidy.reporter_code.isin(reporters) & tidy.partner_code.isin(partners) & tidy.indicator.isin(asked)]
        return Reply(body=imts_csv_from_tidy(rows))

    return answer


def with_home(tidy, code: str, name: str, factor: float, like: str = "BGD"):
    """`tidy` plus a made-up home country `code`: `like`'s own report and its partners' reports of
    `like`, relabelled and multiplied by `factor` (exact in binary for 2, 3, 4). For a run of several
    pairs x Russia whose reporters the snapshot lacks; every expected value follows by hand."""
    import pandas as pd

    own = tidy[tidy.reporter_code == like].assign(reporter_code=code, reporter=name)
    mirror = tidy[(tidy.partner_code == like) & (tidy.reporter_code != like)].assign(partner_code=code, partner=name)
    made = pd.concat([own, mirror], ignore_index=True)
    made["value_musd"] = made["value_musd"] * factor
    return pd.concat([tidy, made], ignore_index=True)
