"""A recording TCP proxy: every byte between a client and a server, with its time and direction.

It knows nothing of HTTP, GraphQL, gRPC or SOAP: it forwards and records chunks, so whatever is
decoded afterwards (:mod:`services.evidence.decode`) is what really crossed the wire. Clients are
pointed at the proxy's port instead of the server's.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal, Self

Direction = Literal["request", "response"]  # client→server, server→client


@dataclass(frozen=True, slots=True)
class Chunk:
    direction: Direction
    at: float  # time.perf_counter() when the proxy read it
    data: bytes


@dataclass(slots=True)
class Connection:
    """One client connection through the proxy, as two ordered byte streams."""

    number: int
    opened_at: float
    chunks: list[Chunk] = field(default_factory=list)

    def stream(self, direction: Direction) -> tuple[bytes, list[tuple[int, float]]]:
        """The bytes sent one way, and (offset, time) of each chunk to date the messages."""
        data = bytearray()
        marks: list[tuple[int, float]] = []
        for chunk in self.chunks:
            if chunk.direction == direction:
                marks.append((len(data), chunk.at))
                data += chunk.data
        return bytes(data), marks

    def bytes_sent(self, direction: Direction, since: float = 0.0) -> int:
        return sum(len(c.data) for c in self.chunks if c.direction == direction and c.at >= since)


def time_at(marks: list[tuple[int, float]], offset: int) -> float:
    """When the byte at ``offset`` of a stream was read by the proxy."""
    when = marks[0][1] if marks else 0.0
    for start, at in marks:
        if start > offset:
            break
        when = at
    return when


class WireRecorder:
    """Listen on 127.0.0.1 (a free port), forward to ``target``, record both directions."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.connections: list[Connection] = []
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.host = "127.0.0.1"
        self.port: int = self._listener.getsockname()[1]
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="wire-accept", daemon=True)
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=10)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                conn = Connection(len(self.connections) + 1, time.perf_counter())
                self.connections.append(conn)
                self._sockets += [client, upstream]
            for source, sink, direction in ((client, upstream, "request"),
                                            (upstream, client, "response")):
                threading.Thread(target=self._pump, args=(conn, source, sink, direction),
                                 name=f"wire-{conn.number}-{direction}", daemon=True).start()

    def _pump(self, conn: Connection, source: socket.socket, sink: socket.socket,
              direction: Direction) -> None:
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                # half-close: pass the end of stream on, so the other side sees it too
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            # record before forwarding: by the time the peer has the bytes, they are recorded
            with self._lock:
                conn.chunks.append(Chunk(direction, time.perf_counter(), data))
            try:
                sink.sendall(data)
            except OSError:
                return

    def snapshot(self) -> list[Connection]:
        """A consistent copy of what was recorded so far."""
        with self._lock:
            return [Connection(c.number, c.opened_at, list(c.chunks)) for c in self.connections]

    def close(self) -> None:
        self._closed.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
        with contextlib.suppress(OSError):
            self._listener.close()
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets:
            with contextlib.suppress(OSError):
                s.close()
