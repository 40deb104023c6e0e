"""What the gRPC server's stream budgets see through the proxy.

Every page's calls reach the gRPC server from Envoy's address. By default
(``FOURCAST_PROXY_HOPS`` 0) the server counts them all as one client; with
``FOURCAST_PROXY_HOPS=1`` it reads the page's address from the ``X-Forwarded-For`` that Envoy
appends (``use_remote_address``), which a page cannot forge. Two pages are two loopback
addresses here (127.0.0.1 and 127.0.0.2), with one live stream allowed per client.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from fourcast.weather.v1 import weather_pb2 as pb
from services.grpc_web.framing import frame
from services.supervisor import ServerProcess
from tests.grpc_web.conftest import SERVICE, WAIT, headers_for
from tests.servers import served_stack

PAGE_A, PAGE_B = "127.0.0.1", "127.0.0.2"
WATCH = frame(pb.WatchObservationsRequest(stations=["stations/KJFK"]).SerializeToString())


def proxy(seeded_db: Path, logs: Path, hops: int) -> Iterator[ServerProcess]:
    env = {"FOURCAST_MAX_STREAMS_PER_CLIENT": "1", "FOURCAST_PROXY_HOPS": str(hops)}
    with served_stack(["grpc", "grpc-web"], seeded_db, logs, env) as servers:
        yield servers["grpc-web"]


@pytest.fixture(scope="module")
def shared(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[ServerProcess]:
    yield from proxy(seeded_db, tmp_path_factory.mktemp("hops0"), 0)


@pytest.fixture(scope="module")
def forwarded(seeded_db: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[ServerProcess]:
    yield from proxy(seeded_db, tmp_path_factory.mktemp("hops1"), 1)


@contextmanager
def watch(server: ServerProcess, page: str, **headers: str) -> Iterator[str]:
    """A gRPC-Web watch from a page at address ``page``, open for the block: "open", or the
    grpc-status it was refused with."""
    transport = httpx.HTTPTransport(local_address=page)
    try:
        client = httpx.Client(transport=transport, timeout=WAIT)
    except OSError as error:  # pragma: no cover - not Linux: 127.0.0.2 is not local
        pytest.skip(f"cannot call from {page}: {error}")
    with client, client.stream("POST", f"http://{server.address}{SERVICE}/WatchObservations",
                               content=WATCH, headers=headers_for(**headers)) as response:
        yield response.headers.get("fourcast-watch") or response.headers["grpc-status"]


def test_by_default_every_page_through_the_proxy_is_one_client(shared: ServerProcess) -> None:
    with watch(shared, PAGE_A) as first, watch(shared, PAGE_B) as second:
        assert first == "open"
        assert second == "8"  # RESOURCE_EXHAUSTED: the share of Envoy's address is taken


def test_with_one_proxy_hop_each_page_is_its_own_client(forwarded: ServerProcess) -> None:
    with watch(forwarded, PAGE_A) as first, watch(forwarded, PAGE_B) as second:
        assert (first, second) == ("open", "open")
        with watch(forwarded, PAGE_A, **{"x-forwarded-for": "192.0.2.7"}) as forged:
            assert forged == "8"  # Envoy appends the real address; the server reads that one


def test_a_page_closing_its_watch_frees_its_place(forwarded: ServerProcess) -> None:
    with watch(forwarded, PAGE_A) as first:
        assert first == "open"
    # Envoy resets the upstream stream; the server releases the place when it sees the reset
    deadline = time.monotonic() + WAIT
    while True:
        with watch(forwarded, PAGE_A) as again:
            if again == "open" or time.monotonic() > deadline:
                break
    assert again == "open"
