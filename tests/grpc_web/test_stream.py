"""A server stream through the proxy: a watch opened over gRPC-Web receives, as it is
recorded, an observation written through the plain gRPC client."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from clients.grpc_client import GrpcClient
from fourcast.weather.v1 import weather_pb2 as pb
from services.core import Observation, Station
from services.grpc_web.framing import Frame, frame, parse_frames
from tests.grpc_web.conftest import SERVICE, WAIT, Stack, headers_for
from tests.servers import API_KEY, HOST

STATION = "ZGW1"


@pytest.fixture(scope="module")
def station(stack: Stack, grpc_client: GrpcClient) -> str:
    grpc_client.put_station(Station(STATION, "gRPC-Web watch", 10.0, 20.0, 30.0, "UTC"))
    return STATION


@pytest.fixture(scope="module")
def grpc_client(stack: Stack) -> Iterator[GrpcClient]:  # module scope: the station fixture's
    with GrpcClient.connect(HOST, stack.grpc.port, API_KEY) as client:
        yield client


def next_frame(chunks: Iterator[bytes], buffer: bytearray) -> Frame:
    """The next whole frame of a streamed body (httpx's read timeout bounds the wait)."""
    while True:
        if len(buffer) >= 5:
            length = int.from_bytes(buffer[1:5], "big")
            if len(buffer) >= 5 + length:
                found = parse_frames(bytes(buffer[:5 + length]))[0]
                del buffer[:5 + length]
                return found
        buffer.extend(next(chunks))


def test_a_write_reaches_a_grpc_web_watcher_as_it_is_recorded(
        stack: Stack, station: str, grpc_client: GrpcClient) -> None:
    request = pb.WatchObservationsRequest(stations=[f"stations/{station}"])
    written = Observation(station, datetime(2024, 5, 1, 12, 0, tzinfo=UTC), temperature=17.25)
    with httpx.Client(timeout=WAIT) as http, http.stream(
            "POST", f"{stack.url}{SERVICE}/WatchObservations",
            content=frame(request.SerializeToString()), headers=headers_for()) as response:
        # the server sends its headers once the watch is registered: nothing after is missed
        assert response.status_code == 200
        assert response.headers["fourcast-watch"] == "open"
        grpc_client.put_observation(written)

        received = next_frame(response.iter_raw(), bytearray())

    assert not received.is_trailers
    recorded = pb.RecordedObservation.FromString(received.payload)
    assert recorded.sequence > 0
    assert recorded.observation.station == f"stations/{station}"
    assert recorded.observation.observe_time.ToDatetime(UTC) == written.observed_at
    assert recorded.observation.temperature == 17.25


def test_a_watch_refused_at_once_is_a_trailers_only_answer(
        http: httpx.Client, stack: Stack) -> None:
    request = pb.WatchObservationsRequest(stations=["stations/ZZZZ"])
    response = http.post(f"{stack.url}{SERVICE}/WatchObservations",
                         content=frame(request.SerializeToString()), headers=headers_for())

    assert response.status_code == 200
    assert response.headers["grpc-status"] == "5"  # NOT_FOUND, before any message
    assert response.content == b""
