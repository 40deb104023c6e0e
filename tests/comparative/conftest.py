"""The comparative suite: the four clients side by side against four real served processes."""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterator

import pytest

from clients import CLIENTS, connect
from clients.base import WeatherClient
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST

PROTOCOL_NAMES = list(CLIENTS)


@pytest.fixture(scope="session")
def servers(serve: Callable[[str], ServerProcess]) -> dict[str, ServerProcess]:
    return {protocol: serve(protocol) for protocol in PROTOCOL_NAMES}


@pytest.fixture(scope="session")
def clients(servers: dict[str, ServerProcess]) -> Iterator[dict[str, WeatherClient]]:
    """One client per protocol, all writing with the test key (shared by the whole suite)."""
    opened = {p: connect(p, HOST, s.port, API_KEY) for p, s in servers.items()}
    yield opened
    for client in opened.values():
        client.close()


_ids = itertools.product(string.ascii_uppercase + string.digits, repeat=3)


@pytest.fixture(scope="session")
def new_station_id() -> Callable[[], str]:
    """Fresh station ids (``Y`` + 3 characters) so tests never see each other's writes."""
    return lambda: "Y" + "".join(next(_ids))
