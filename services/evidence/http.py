"""Plain HTTP requests through a target's wire recorder, each answered by its recorded exchange.

The probe sends these itself (a generic GET, a replayed request, a conditional repeat) and judges
only what the recorder saw. A request is sent in the HTTP version the service's own client used
(HTTP/2 with prior knowledge for a server that speaks only HTTP/2).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from services.evidence.decode import Exchange, decode_all
from services.evidence.wire import WireRecorder

# not forwarded when a recorded request is replayed: they belong to the connection or framing
HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding",
              "upgrade", "proxy-connection"}
TIMEOUT = 10.0
# Media types whose protocol defines only POST: any other method is a protocol error there
# (a gRPC server resets the stream and logs "Error parsing ':method' metadata"), so the probe
# does not send one to a server whose own client spoke such a type; it says so instead.
POST_ONLY = {"application/grpc": "gRPC over HTTP/2 allows only POST"}


def post_only(content_type: str | None) -> str | None:
    """Why only POST may be sent where ``content_type`` was spoken, or None."""
    kind = (content_type or "").split(";")[0].strip().lower()
    return next((why for prefix, why in POST_ONLY.items()
                 if kind == prefix or kind.startswith(prefix + "+")), None)


@dataclass
class Sent:
    """A request the probe sent, and what the recorder saw for it (None: no HTTP answer)."""

    line: str
    exchange: Exchange | None
    failure: str | None = None

    def show(self) -> str:
        if self.exchange is None and self.failure and self.failure.startswith("not sent"):
            return f"{self.line} → {self.failure}"
        if self.exchange is None:
            return f"{self.line} → no HTTP answer ({self.failure})"
        x = self.exchange
        grpc = x.header("grpc-status", "trailers")
        extra = f", grpc-status {grpc}" if grpc is not None else ""
        kind = (x.content_type or "no content type").split(";")[0]
        return f"{self.line} → {x.status}{extra} {kind}, {len(x.response_body)} B body"


def transport(http2: bool) -> httpx.HTTPTransport:
    return httpx.HTTPTransport(http1=not http2, http2=http2)


class Requester:
    def __init__(self, recorder: WireRecorder, http2: bool) -> None:
        self.recorder = recorder
        self.http2 = http2
        self.base = f"http://{recorder.host}:{recorder.port}"
        self.only_post: str | None = None  # why, when the server's protocol allows only POST

    def new_exchanges(self, since_connection: int, since: float) -> list[Exchange]:
        connections = self.recorder.snapshot()[since_connection:]
        return [x for x in decode_all(connections) if x.started >= since]

    def mark(self) -> tuple[int, float]:
        return len(self.recorder.snapshot()), time.perf_counter()

    def send(self, method: str, path: str, headers: list[tuple[str, str]] | None = None,
             body: bytes = b"", client: httpx.Client | None = None) -> Sent:
        """One request on a fresh connection (or through ``client``, e.g. a cache)."""
        kept = [(k, v) for k, v in headers or [] if k.lower() not in HOP_BY_HOP]
        line = f"{method} {path}" + "".join(f" [{k}: {v}]" for k, v in kept
                                            if k.lower().startswith("if-"))
        if self.only_post and method != "POST":
            return Sent(line, None, f"not sent: {self.only_post}")
        connection, since = self.mark()
        own = client is None
        http = client or httpx.Client(transport=transport(self.http2), timeout=TIMEOUT)
        try:
            response = http.request(method, self.base + path, headers=kept, content=body)
            response.read()
        except httpx.HTTPError as error:
            return Sent(line, None, f"{type(error).__name__}: {error}".rstrip(": "))
        finally:
            if own:
                http.close()
        exchanges = self.new_exchanges(connection, since)
        return Sent(line, exchanges[-1] if exchanges else None,
                    None if exchanges else "answered without reaching the server")

    def replay(self, x: Exchange, client: httpx.Client | None = None,
               extra: list[tuple[str, str]] | None = None) -> Sent:
        """The recorded request again: same method, path, headers and body."""
        return self.send(x.method, x.path, [*x.request_headers, *(extra or [])],
                         x.request_body, client)
