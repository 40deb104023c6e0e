"""Fixtures of the gRPC tests: the served process, raw stubs, and an in-process server.

Most tests talk to the real server process (the ``serve`` fixture). The tests about what the
server holds (open watches) run the same ``create_server`` in this process, on an event loop in
a background thread, so they can look at the servicer itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from clients.grpc_client import GrpcClient
from fourcast.weather.v1 import weather_pb2_grpc
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.grpc_api.server import GrpcServer, create_server
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST, READ_ONLY_KEY

WRITER = (("authorization", f"Bearer {API_KEY}"),)
READER = (("authorization", f"Bearer {READ_ONLY_KEY}"),)
WAIT = 10.0  # seconds: bounds a hang only (what it waits for takes milliseconds)
# seconds: a deadline that is the subject of a test; the tests check that their watch opened
# (milliseconds) before it passed, so it cannot pass too early and prove nothing
WATCH_DEADLINE = 3.0


@pytest.fixture(scope="session")
def grpc_server(serve: Callable[[str], ServerProcess]) -> ServerProcess:
    return serve("grpc")


@pytest.fixture(scope="session")
def channel(grpc_server: ServerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"{HOST}:{grpc_server.port}") as opened:
        yield opened


@pytest.fixture(scope="session")
def stub(channel: grpc.Channel) -> weather_pb2_grpc.WeatherServiceStub:
    return weather_pb2_grpc.WeatherServiceStub(channel)


@pytest.fixture
def client(grpc_server: ServerProcess) -> Iterator[GrpcClient]:
    with GrpcClient.connect(HOST, grpc_server.port, API_KEY) as opened:
        yield opened


class InProcessServer:
    """``create_server`` running on its own event loop in a daemon thread."""

    def __init__(self, service: WeatherService) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.server: GrpcServer = self.run(self._start(service))

    async def _start(self, service: WeatherService) -> GrpcServer:
        server = create_server(service, f"{HOST}:0")
        await server.start()
        return server

    def run(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=30)

    def close(self) -> None:
        self.run(self.server.stop(0))
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


@pytest.fixture(scope="module")
def in_process(seeded_db: Path) -> Iterator[InProcessServer]:
    service = WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY], [READ_ONLY_KEY]))
    server = InProcessServer(service)
    yield server
    server.close()
