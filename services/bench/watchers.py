"""Many other live watchers of one station, opened cheaply and drained: the crowd a write fans
out to while ``fourcast bench push`` times one watcher.

They are real consumers, not idle sockets: each reads every event the server sends. All run on
one asyncio loop in a thread of their own: raw HTTP/1.1 connections for REST's Server-Sent
Events, websockets of up to :data:`SUBSCRIPTIONS_PER_SOCKET` graphql-transport-ws subscriptions
each for GraphQL, and many ``WatchObservations`` streams over one grpc.aio channel for gRPC. A
watcher the server refuses (its budget is full) is simply not opened; the rest go on.

:class:`CrowdProcess` runs them in a child process: draining a thousand streams takes a core's
worth of Python, which in bench's own process would hold the GIL against the one watcher being
timed. Times are ``time.perf_counter()`` (CLOCK_MONOTONIC), the same clock in both processes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine
from typing import Any

import grpc
import httpx
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
        self.last_arrival = 0.0  # perf_counter() of the latest event any of them received
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

    def wait_delivered(self, events: int, timeout: float) -> tuple[int, float]:
        """Wait (polling the counters: the watchers are on another thread's loop) until every
        opened watcher that had ``events - 1`` has had ``events``, or ``timeout``: how many
        had, and when the latest event arrived."""
        deadline = time.monotonic() + timeout
        while True:
            # a watcher that missed the one before (refused, or gone) is not waited for
            waiting = [count for count in self.delivered if count >= events - 1]
            reached = sum(1 for count in waiting if count >= events)
            if reached == len(waiting) or time.monotonic() > deadline:
                return reached, self.last_arrival
            time.sleep(0.005)

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
            if found := data.count(SSE_EVENT):
                self.delivered[index] += found
                self.last_arrival = time.perf_counter()
            tail = data[-len(SSE_EVENT) + 1:]  # an event name split between two reads

    # -- GraphQL: websockets of up to SUBSCRIPTIONS_PER_SOCKET subscriptions each ------------

    async def _open_subscriptions(self, count: int) -> int:
        query = graphql_documents.OBSERVATION_RECORDED.payload["query"]
        # subscribed after the store's sequence now, as the real client does: a subscription
        # the server has not set up yet by the time of a write still gets it
        async with httpx.AsyncClient(timeout=OPEN_TIMEOUT) as http:
            reply = await http.post(f"http://{self.host}:{self.port}/graphql",
                                    json={"query": "{ changeSequence }"})
        variables = {"stationIds": [self.station], "units": "SI",
                     "afterSequence": reply.json()["data"]["changeSequence"]}
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
                    self.last_arrival = time.perf_counter()
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
                self.last_arrival = time.perf_counter()


def _closer(writer: asyncio.StreamWriter) -> Any:
    async def close() -> None:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    return close


def main() -> None:
    """The child: ``python -m services.bench.watchers PROTOCOL HOST PORT STATION``, driven by
    one JSON line per command on stdin ("open" N, "wait" [events, timeout], "close"), each
    answered by one JSON line on stdout."""
    protocol, host, port, station = sys.argv[1:5]
    crowd = OtherWatchers(protocol, host, int(port), station)
    try:
        for line in sys.stdin:
            command, argument = json.loads(line)
            if command == "open":
                answer: Any = crowd.open(argument)
            elif command == "wait":
                answer = crowd.wait_delivered(*argument)
            else:
                break
            print(json.dumps(answer), flush=True)
    finally:
        crowd.close()


class CrowdProcess:
    """:class:`OtherWatchers` in a child process, with the same calls."""

    def __init__(self, protocol: str, host: str, port: int, station: str) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", __name__, protocol, host, str(port), station],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def _ask(self, command: str, argument: Any, timeout: float) -> Any:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps([command, argument]) + "\n")
        self._process.stdin.flush()
        ready, _, _ = select.select([self._process.stdout], [], [], timeout)
        line = self._process.stdout.readline() if ready else ""
        if not line:
            raise TimeoutError(f"the other watchers did not answer {command!r} "
                               f"(exit status {self._process.poll()})")
        return json.loads(line)

    def open(self, count: int) -> int:
        return int(self._ask("open", count, OPEN_TIMEOUT * 5))

    def wait_delivered(self, events: int, timeout: float) -> tuple[int, float]:
        reached, last = self._ask("wait", [events, timeout], timeout + OPEN_TIMEOUT)
        return int(reached), float(last)

    def close(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(OSError, ValueError):
                assert self._process.stdin is not None
                self._process.stdin.write(json.dumps(["close", None]) + "\n")
                self._process.stdin.close()
            try:
                self._process.wait(OPEN_TIMEOUT * 2)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(OPEN_TIMEOUT)
        if self._process.stdout is not None:
            self._process.stdout.close()


if __name__ == "__main__":
    main()
