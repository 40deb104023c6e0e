"""Recorded byte streams → HTTP exchanges (HTTP/1.1 messages or HTTP/2 streams).

A connection that opens with the HTTP/2 preface is read as frames (``hyperframe`` + ``hpack``);
any other as HTTP/1.1 messages. Byte counts are of what crossed the wire: start line, headers,
framing (chunk sizes, HTTP/2 frame headers) and body; for HTTP/2 only the frames that carry
the messages (see :data:`MESSAGE_FRAMES`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from hpack import Decoder, HPACKError
from hyperframe.frame import ContinuationFrame, DataFrame, Frame, HeadersFrame

from services.evidence.wire import Connection, time_at

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# What an HTTP/2 exchange's byte count is: the frames that carry its messages (9-byte frame
# header + payload). Connection frames (preface, SETTINGS, PING, connection WINDOW_UPDATE) and
# flow control on the stream (WINDOW_UPDATE) are left out: whether and when they are sent
# depends on timing, so counting them made one call's bytes change from run to run.
MESSAGE_FRAMES = (HeadersFrame, ContinuationFrame, DataFrame)
BYTES_DEFINITION = ("bytes: the call's HTTP messages: HTTP/1.1 start line, headers and body "
                    "(chunk framing included); HTTP/2 the stream's HEADERS, CONTINUATION and "
                    "DATA frames (frame headers included), not the connection preface, "
                    "SETTINGS, PING or WINDOW_UPDATE")
Headers = list[tuple[str, str]]


@dataclass(slots=True)
class Exchange:
    """One request and its response, as seen on the wire."""

    connection: int
    http_version: str
    method: str
    path: str
    request_headers: Headers
    request_body: bytes
    request_bytes: int
    started: float
    status: int | None = None
    response_headers: Headers = field(default_factory=list)
    response_body: bytes = b""
    response_bytes: int = 0
    trailers: Headers = field(default_factory=list)
    finished: float = 0.0
    request_head: bytes = b""  # HTTP/1.1: the raw start line and headers
    response_head: bytes = b""
    frames: list[str] = field(default_factory=list)  # HTTP/2: one line per frame

    def header(self, name: str, where: str = "response") -> str | None:
        source = {"request": self.request_headers, "response": self.response_headers,
                  "trailers": self.trailers}[where]
        name = name.lower()
        for key, value in source:
            if key.lower() == name:
                return value
        return None

    def headers_named(self, name: str, where: str = "response") -> list[str]:
        source = self.request_headers if where == "request" else self.response_headers
        return [v for k, v in source if k.lower() == name.lower()]

    @property
    def content_type(self) -> str | None:
        return self.header("content-type")

    @property
    def latency_ms(self) -> float:
        return max(0.0, (self.finished - self.started) * 1000)


def decode_connection(conn: Connection) -> list[Exchange]:
    requests, req_marks = conn.stream("request")
    responses, resp_marks = conn.stream("response")
    if requests.startswith(PREFACE):
        return _decode_h2(conn.number, requests, req_marks, responses, resp_marks)
    return _decode_h1(conn.number, requests, req_marks, responses, resp_marks)


def decode_all(connections: list[Connection]) -> list[Exchange]:
    exchanges = [x for conn in connections for x in decode_connection(conn)]
    return sorted(exchanges, key=lambda x: x.started)


# HTTP/1.1 -------------------------------------------------------------------------------------

def _parse_head(data: bytes, at: int) -> tuple[str, Headers, int] | None:
    end = data.find(b"\r\n\r\n", at)
    if end < 0:
        return None
    lines = data[at:end].decode("latin-1").split("\r\n")
    headers = [(k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    return lines[0], headers, end + 4


def _get(headers: Headers, name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _body(data: bytes, at: int, headers: Headers, no_body: bool,
          until_close: bool) -> tuple[bytes, Headers, int]:
    """The (decoded) body, any chunked trailers, and the offset after the message."""
    if no_body:
        return b"", [], at
    if (_get(headers, "transfer-encoding") or "").lower().endswith("chunked"):
        body = bytearray()
        pos = at
        while True:
            line_end = data.find(b"\r\n", pos)
            if line_end < 0:
                return bytes(body), [], len(data)  # still streaming (an open SSE response)
            size = int(data[pos:line_end].split(b";")[0] or b"0", 16)
            pos = line_end + 2
            if size == 0:
                if data[pos:pos + 2] == b"\r\n":
                    return bytes(body), [], pos + 2
                end = data.find(b"\r\n\r\n", pos)
                if end < 0:
                    return bytes(body), [], len(data)
                lines = data[pos:end].decode("latin-1").split("\r\n")
                trailers = [(k.strip(), v.strip()) for k, _, v in (x.partition(":") for x in lines)]
                return bytes(body), trailers, end + 4
            body += data[pos:pos + size]
            pos += size + 2
    length = _get(headers, "content-length")
    if length is not None:
        end = at + int(length)
        return data[at:end], [], min(end, len(data))
    if until_close:
        return data[at:], [], len(data)
    return b"", [], at


def _decode_h1(number: int, requests: bytes, req_marks: list[tuple[int, float]],
               responses: bytes, resp_marks: list[tuple[int, float]]) -> list[Exchange]:
    exchanges: list[Exchange] = []
    pos = 0
    while pos < len(requests):
        head = _parse_head(requests, pos)
        if head is None:
            break
        line, headers, body_at = head
        method, _, rest = line.partition(" ")
        path, _, version = rest.rpartition(" ")
        body, _, end = _body(requests, body_at, headers, False, until_close=False)
        exchanges.append(Exchange(number, version or "HTTP/1.1", method, path, headers, body,
                                  end - pos, time_at(req_marks, pos),
                                  request_head=requests[pos:body_at]))
        pos = end
    pos = 0
    for exchange in exchanges:
        while True:
            head = _parse_head(responses, pos)
            if head is None:
                return exchanges
            line, headers, body_at = head
            status = int(line.split(" ")[1])
            if status == 100:  # an interim answer: the final one follows
                pos = body_at
                continue
            break
        upgraded = status == 101
        no_body = exchange.method == "HEAD" or status in (204, 304) or upgraded
        body, trailers, end = _body(responses, body_at, headers, no_body, until_close=True)
        if upgraded:  # the rest of the connection belongs to the new protocol
            body, end = responses[body_at:], len(responses)
        exchange.status = status
        exchange.response_headers = headers
        exchange.response_body = body
        exchange.trailers = trailers
        exchange.response_bytes = end - pos
        exchange.response_head = responses[pos:body_at]
        exchange.finished = time_at(resp_marks, max(pos, end - 1))
        pos = end
    return exchanges


# HTTP/2 ---------------------------------------------------------------------------------------

def _frames(data: bytes, at: int) -> list[tuple[int, Frame, int]]:
    """(offset, frame, size on the wire) for each complete frame from ``at``."""
    frames = []
    while at + 9 <= len(data):
        frame, length = Frame.parse_frame_header(memoryview(data[at:at + 9]))
        if at + 9 + length > len(data):
            break
        frame.parse_body(memoryview(data[at + 9:at + 9 + length]))
        frames.append((at, frame, 9 + length))
        at += 9 + length
    return frames


def _decode_h2(number: int, requests: bytes, req_marks: list[tuple[int, float]],
               responses: bytes, resp_marks: list[tuple[int, float]]) -> list[Exchange]:
    streams: dict[int, Exchange] = {}
    blocks: dict[tuple[str, int], bytearray] = {}
    for direction, data, marks, start in (("→", requests, req_marks, len(PREFACE)),
                                          ("←", responses, resp_marks, 0)):
        decoder = Decoder()  # one HPACK context per direction, in frame order
        seen: dict[int, int] = {}
        for offset, frame, size in _frames(data, start):
            sid = frame.stream_id
            if sid == 0:
                continue
            at = time_at(marks, offset)
            if direction == "→" and sid not in streams:
                streams[sid] = Exchange(number, "HTTP/2", "", "", [], b"", 0, at)
            exchange = streams.get(sid)
            if exchange is None:
                continue
            counted = isinstance(frame, MESSAGE_FRAMES)
            exchange.frames.append(f"{direction} {type(frame).__name__.removesuffix('Frame')} "
                                   f"stream={sid} flags={','.join(sorted(frame.flags)) or '-'} "
                                   f"{size} B" + ("" if counted else " (not counted)"))
            if direction == "←":
                exchange.finished = at
            if not counted:
                continue
            if direction == "→":
                exchange.request_bytes += size
            else:
                exchange.response_bytes += size
            if isinstance(frame, DataFrame):
                if direction == "→":
                    exchange.request_body += frame.data
                else:
                    exchange.response_body += frame.data
            elif isinstance(frame, HeadersFrame | ContinuationFrame):
                block = blocks.setdefault((direction, sid), bytearray())
                block += frame.data
                if "END_HEADERS" in frame.flags:
                    headers = _header_block(decoder, bytes(block))
                    del blocks[(direction, sid)]
                    count = seen.get(sid, 0)
                    seen[sid] = count + 1
                    _place_headers(exchange, direction, count, headers)
    return list(streams.values())


def _header_block(decoder: Decoder, block: bytes) -> Headers:
    """The fields of one HPACK block, as text whatever their octets.

    Decoded raw: grpc-c peers that both announce "true binary metadata" (SETTINGS 0xFE03) send
    a ``-bin`` value as a 0x00 byte and the raw bytes, not base64, and hpack's default UTF-8
    decoding fails on those bytes. Such a value is shown in its base64 form, as gRPC defines it.
    A block that cannot be decoded at all is shown as such: the recorder reports, never crashes.
    """
    try:
        fields = decoder.decode(block, raw=True)
    except HPACKError as error:
        return [("x-fourcast-undecodable-header-block", f"{len(block)} B ({error})")]
    return [(_text(bytes(name)), _value(bytes(name), bytes(value))) for name, value in fields]


def _text(octets: bytes) -> str:
    return octets.decode("utf-8", errors="backslashreplace")


def _value(name: bytes, value: bytes) -> str:
    if name.endswith(b"-bin") and value.startswith(b"\x00"):
        return base64.b64encode(value[1:]).decode("ascii")
    return _text(value)


def _place_headers(exchange: Exchange, direction: str, count: int, headers: Headers) -> None:
    pseudo = dict(h for h in headers if h[0].startswith(":"))
    plain = [h for h in headers if not h[0].startswith(":")]
    if direction == "→":
        exchange.method = pseudo.get(":method", exchange.method)
        exchange.path = pseudo.get(":path", exchange.path)
        exchange.request_headers = plain if count == 0 else exchange.request_headers
        return
    if count == 0 and ":status" in pseudo:
        exchange.status = int(pseudo[":status"])
        exchange.response_headers = plain
        if any(k == "grpc-status" for k, _ in plain):  # a trailers-only answer
            exchange.trailers = plain
    else:
        exchange.trailers = plain


# WebSocket (RFC 6455): the body of an exchange answered 101 Upgrade ------------------------------

def websocket_frames(data: bytes) -> list[tuple[int, bytes]]:
    """(opcode, payload) of each complete frame in ``data`` (e.g. an upgraded exchange's
    response body); a masked frame (client to server) is unmasked."""
    frames: list[tuple[int, bytes]] = []
    at = 0
    while at + 2 <= len(data):
        opcode, masked, length = data[at] & 0x0F, data[at + 1] & 0x80, data[at + 1] & 0x7F
        at += 2
        if length >= 126:
            size = 2 if length == 126 else 8
            if at + size > len(data):
                break
            length = int.from_bytes(data[at:at + size], "big")
            at += size
        mask = data[at:at + 4] if masked else b""
        at += len(mask)
        if at + length > len(data):
            break
        payload = data[at:at + length]
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        frames.append((opcode, payload))
        at += length
    return frames
