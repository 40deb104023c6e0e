"""gRPC-Web's body framing, for the readiness check and for tests that speak it by hand.

A gRPC-Web body is a run of frames, each a flag byte, a 4-byte big-endian length and that many
bytes: flag ``0x00`` carries a message, flag ``0x80`` the trailers (``name:value`` lines ending
in CRLF, where gRPC over HTTP/2 sends real trailers). An answer with no message may put its
status in the headers instead ("trailers-only"). In text mode (``application/grpc-web-text``)
the same bytes travel base64-encoded, each chunk the server flushed encoded on its own.
"""

from __future__ import annotations

import base64
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass

MESSAGE = 0x00
TRAILERS = 0x80
_HEADER = struct.Struct(">BI")
_BASE64_CHUNK = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


@dataclass(frozen=True, slots=True)
class Frame:
    flags: int
    payload: bytes

    @property
    def is_trailers(self) -> bool:
        return bool(self.flags & TRAILERS)


def frame(payload: bytes, flags: int = MESSAGE) -> bytes:
    """One frame around ``payload`` (an encoded protobuf message, by default)."""
    return _HEADER.pack(flags, len(payload)) + payload


def parse_frames(body: bytes) -> list[Frame]:
    """The frames of a whole binary body; ValueError if it ends inside one."""
    frames: list[Frame] = []
    offset = 0
    while offset < len(body):
        if len(body) - offset < _HEADER.size:
            raise ValueError(f"a frame header is cut short at byte {offset}")
        flags, length = _HEADER.unpack_from(body, offset)
        offset += _HEADER.size
        if len(body) - offset < length:
            raise ValueError(f"a frame of {length} bytes is cut short at byte {offset}")
        frames.append(Frame(flags, body[offset:offset + length]))
        offset += length
    return frames


def decode_text(body: bytes) -> bytes:
    """The binary body of a text-mode (base64) one: its chunks are padded one by one, so they
    are decoded one by one."""
    return b"".join(base64.b64decode(chunk) for chunk in _BASE64_CHUNK.findall(body.strip())
                    if chunk)


def parse_trailers(payload: bytes) -> dict[str, str]:
    """The trailers frame's ``name:value`` lines (names lower-cased, as HTTP/2 sends them)."""
    trailers: dict[str, str] = {}
    for line in payload.decode("latin-1").split("\r\n"):
        if line:
            name, _, value = line.partition(":")
            trailers[name.strip().lower()] = value.strip()
    return trailers


def status_of(headers: Mapping[str, str], frames: list[Frame]) -> dict[str, str] | None:
    """The call's ``grpc-*`` status fields: from the trailers frame, else from the headers
    (a trailers-only answer); None when neither has a ``grpc-status``."""
    for found in frames:
        if found.is_trailers:
            trailers = parse_trailers(found.payload)
            if "grpc-status" in trailers:
                return trailers
    lowered = {name.lower(): value for name, value in headers.items()}
    if "grpc-status" in lowered:
        return {name: value for name, value in lowered.items() if name.startswith("grpc-")}
    return None
