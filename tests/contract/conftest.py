"""The shared client contract: the same tests run against every protocol's client.

Each test gets ``client`` (a real client of a real served process), and ``core`` — the
in-process use cases over the same database — as the oracle: every protocol must return exactly
what the core returns, and raise the same core error.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clients import CLIENTS, connect
from clients.base import WeatherClient
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST, READ_ONLY_KEY


@pytest.fixture(scope="session")
def core(seeded_db: Path) -> WeatherService:
    return WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY], [READ_ONLY_KEY]))


@pytest.fixture(scope="session", params=list(CLIENTS))
def protocol(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def server(protocol: str, serve: Callable[[str], ServerProcess]) -> ServerProcess:
    return serve(protocol)


@pytest.fixture
def client_for(server: ServerProcess, protocol: str) -> Iterator[Callable[[str | None],
                                                                          WeatherClient]]:
    """``client_for(key)``: a client of the served protocol writing with ``key``."""
    opened: list[WeatherClient] = []

    def make(api_key: str | None) -> WeatherClient:
        client = connect(protocol, HOST, server.port, api_key)
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


@pytest.fixture
def client(client_for: Callable[[str | None], WeatherClient]) -> WeatherClient:
    return client_for(API_KEY)


_ids = itertools.product(string.ascii_uppercase + string.digits, repeat=2)


@pytest.fixture
def new_station_id(protocol: str) -> Callable[[], str]:
    """Fresh station ids for tests that write (``Z`` + protocol letter + 2 characters), so
    tests never see each other's writes in the shared database."""
    letter = {"rest": "R", "graphql": "G", "grpc": "P", "soap": "S"}[protocol]
    return lambda: "Z" + letter + "".join(next(_ids))
