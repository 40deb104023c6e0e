"""Many other live watchers of one station, opened cheaply and drained: the crowd a write fans
out to while ``fourcast bench push`` times one watcher.

They are real consumers, not idle sockets: each reads every event the server sends. All run on
one asyncio loop in a thread of their own: raw HTTP/1.1 connections for REST's Server-Sent
Events, websockets of up to :data:`SUBSCRIPTIONS_PER_SOCKET` graphql-transport-ws subscriptions
each for GraphQL, and many ``WatchObservations`` streams over one grpc.aio channel for gRPC. A
watcher the server refuses (its budget is full) is simply not opened; the rest go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Coroutine
from typing import Any

import grpc
import websockets

from clients import graphql_documents
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc

OPEN_TIMEOUT = 30.0
# The GraphQL server's cap per websocket (MAX_SUBSCRIPTIONS_PER_CONNECTION of its subscription
# module, not imported: bench does not load the server's framework)
SUBSCRIPTIONS_PER_SOCKET = 16
SSE_EVENT = b"event: observation"


class OtherWatchers:
    """``open(n)`` watchers of ``station`` on one server; ``delivered`` counts each one's
    events; ``close()`` ends them all."""

    def __init__(self, protocol: str, host: str, port: int, station: str) -> None:
        self.protocol, self.host, self.port, self.station = protocol, host, port, station
        self.delivered: list[int] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="bench-watchers",
                                        daemon=True)
        self._thread.start()
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Any] = []

    def _run(self, coroutine: Coroutine[Any, Any, Any], timeout: float) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def open(self, count: int) -> int:
        """Open up to ``count`` watchers; the number the server admitted."""
        opener = {"rest": self._open_sse, "graphql": self._open_subscriptions,
                  "grpc": self._open_streams}[self.protocol]
        return int(self._run(opener(count), OPEN_TIMEOUT * 4))

    def wait_delivered(self, events: int, timeout: float) -> int:
        """Wait (polling the counters: the watchers are on another thread's loop) until every
        opened watcher has had ``events`` events, or ``timeout``; how many had."""
        deadline = time.monotonic() + timeout
        while True:
            reached = sum(1 for count in self.delivered if count >= events)
            if reached == len(self.delivered) or time.monotonic() > deadline:
                return reached
            time.sleep(0.05)

    def close(self) -> None:
        async def stop() -> None:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            for closer in self._closers:
                with contextlib.suppress(Exception):
                    await closer()

        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self._run(stop(), OPEN_TIMEOUT)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(OPEN_TIMEOUT)
        self._loop.close()

    def _counter(self) -> int:
        self.delivered.append(0)
        return len(self.delivered) - 1

    # -- REST: one connection per Server-Sent Events stream ----------------------------------

    async def _open_sse(self, count: int) -> int:
        opened = 0
        for _ in range(count):
            reader, writer = await asyncio.open_connection(self.host, self.port)
            writer.write(f"GET /stations/{self.station}/observations/live HTTP/1.1\r\n"
                         f"Host: {self.host}:{self.port}\r\nAccept: text/event-stream\r\n\r\n"
                         .encode())
            status = await asyncio.wait_for(reader.readline(), OPEN_TIMEOUT)
            if b" 200 " not in status:  # 429 / 503: the budget is full
                writer.close()
                break
            self._closers.append(_closer(writer))
            self._tasks.append(asyncio.create_task(self._drain_sse(reader, self._counter())))
            opened += 1
        return opened

    async def _drain_sse(self, reader: asyncio.StreamReader, index: int) -> None:
        tail = b""
        while chunk := await reader.read(65536):
            data = tail + chunk
            self.delivered[index] += data.count(SSE_EVENT)
            tail = data[-len(SSE_EVENT) + 1:]  # an event name split between two reads

    # -- GraphQL: websockets of up to SUBSCRIPTIONS_PER_SOCKET subscriptions each ------------

    async def _open_subscriptions(self, count: int) -> int:
        query = graphql_documents.OBSERVATION_RECORDED.payload["query"]
        variables = {"stationIds": [self.station], "units": "SI"}
        opened = 0
        while opened < count:
            socket = await websockets.connect(
                f"ws://{self.host}:{self.port}/graphql", subprotocols=[
                    websockets.Subprotocol("graphql-transport-ws")],
                open_timeout=OPEN_TIMEOUT, close_timeout=2, max_size=None)
            self._closers.append(socket.close)
            await socket.send(json.dumps({"type": "connection_init"}))
            ack = json.loads(await asyncio.wait_for(socket.recv(), OPEN_TIMEOUT))
            if ack.get("type") != "connection_ack":
                break
            here = min(SUBSCRIPTIONS_PER_SOCKET, count - opened)
            indexes = {str(n): self._counter() for n in range(here)}
            for operation in indexes:
                await socket.send(json.dumps({"id": operation, "type": "subscribe", "payload": {
                    "query": query, "variables": variables}}))
            self._tasks.append(asyncio.create_task(self._drain_socket(socket, indexes)))
            opened += here
        return opened

    async def _drain_socket(self, socket: Any, indexes: dict[str, int]) -> None:
        with contextlib.suppress(websockets.ConnectionClosed):
            async for message in socket:
                event = json.loads(message)
                index = indexes.get(event.get("id", ""))
                if index is None:
                    continue
                if event.get("type") == "next":
                    self.delivered[index] += 1
                elif event.get("type") == "ping":
                    await socket.send(json.dumps({"type": "pong"}))

    # -- gRPC: many streams over one channel --------------------------------------------------

    async def _open_streams(self, count: int) -> int:
        channel = grpc.aio.insecure_channel(f"{self.host}:{self.port}")
        self._closers.append(channel.close)
        stub = weather_pb2_grpc.WeatherServiceStub(channel)
        request = pb.WatchObservationsRequest(stations=[f"stations/{self.station}"])
        opened = 0
        for _ in range(count):
            call = stub.WatchObservations(request)
            metadata = await asyncio.wait_for(call.initial_metadata(), OPEN_TIMEOUT)
            if dict(metadata or ()).get("fourcast-watch") != "open":  # refused: budget full
                call.cancel()
                break
            self._tasks.append(asyncio.create_task(self._drain_stream(call, self._counter())))
            opened += 1
        return opened

    async def _drain_stream(self, call: Any, index: int) -> None:
        with contextlib.suppress(grpc.aio.AioRpcError, asyncio.CancelledError):
            async for _ in call:
                self.delivered[index] += 1


def _closer(writer: asyncio.StreamWriter) -> Any:
    async def close() -> None:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return close
