"""The streaming RPCs: a whole range streamed, an import cut short, the bidirectional watch,
and watches that release their server-side resources when cancelled or out of time."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import pytest

from clients.grpc_client import GrpcClient
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core import InvalidArgument, NotFound, Observation, Station, WeatherService
from services.core.auth import KeyChecker
from services.store import SqliteRepository
from tests.grpc.conftest import WAIT, WATCH_DEADLINE, WRITER, InProcessServer
from tests.servers import API_KEY, HOST, READ_ONLY_KEY

JULY_1 = datetime(2013, 7, 1, tzinfo=UTC)
Stub = weather_pb2_grpc.WeatherServiceStub


@pytest.fixture(scope="module")
def core(seeded_db: Any) -> WeatherService:
    return WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY], [READ_ONLY_KEY]))


def test_a_range_longer_than_any_page_or_range_limit_streams_whole_and_in_order(
        client: GrpcClient, core: WeatherService) -> None:
    start, end = datetime(2000, 1, 1, tzinfo=UTC), datetime(2020, 1, 1, tzinfo=UTC)
    streamed = list(client.stream_observations("KSEA", start, end))
    assert streamed == list(core.iter_observations("KSEA", start, end))
    assert len(streamed) > 500 * 10


def test_an_import_the_client_abandons_midway_writes_nothing(client: GrpcClient) -> None:
    client.put_station(Station("ZPS1", "Abandoned import", 1.0, 2.0, 3.0, "UTC"))
    good = [Observation("ZPS1", JULY_1 + timedelta(hours=h), temperature=1.0)
            for h in range(1200)]
    naive = Observation("ZPS1", datetime(2013, 7, 9), temperature=1.0)  # cannot be sent

    with pytest.raises(InvalidArgument) as caught:
        client.import_observations([*good, naive])
    assert {v.field for v in caught.value.violations} == {"observations[1200].observed_at"}
    assert client.list_observations("ZPS1", JULY_1, JULY_1 + timedelta(days=60)).items == ()


def test_an_import_stream_that_ends_without_finishing_writes_nothing(
        client: GrpcClient, stub: Stub) -> None:
    client.put_station(Station("ZPS2", "Unfinished import", 1.0, 2.0, 3.0, "UTC"))
    requests = [pb.ImportObservationsRequest(observation=pb.Observation(
        station="stations/ZPS2", observe_time={"seconds": 1372680000 + 3600 * h}))
        for h in range(3)]
    with pytest.raises(grpc.RpcError) as caught:
        stub.ImportObservations(iter(requests), metadata=WRITER, timeout=10)
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]
    assert "finish_import" in caught.value.details()  # type: ignore[attr-defined]
    assert client.list_observations("ZPS2", JULY_1, JULY_1 + timedelta(days=1)).items == ()
    finished = stub.ImportObservations(
        iter([*requests, pb.ImportObservationsRequest(finish_import=True)]), metadata=WRITER,
        timeout=10)
    assert finished.imported == 3


class Requests:
    """A request stream the test feeds while the call runs."""

    def __init__(self) -> None:
        self._queue: queue.Queue[Any] = queue.Queue()

    def send(self, message: Any) -> None:
        self._queue.put(message)

    def end(self) -> None:
        self._queue.put(None)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._queue.get, None)


def _change(kind: str, *ids: str) -> pb.SubscribeObservationsRequest:
    stations = pb.StationList(stations=[f"stations/{i}" for i in ids])
    return pb.SubscribeObservationsRequest(units=pb.UNITS_US, **{kind: stations})


def test_the_bidirectional_watch_follows_subscription_changes(client: GrpcClient,
                                                              stub: Stub) -> None:
    for station_id in ("ZPB1", "ZPB2"):
        client.put_station(Station(station_id, "Bidi", 1.0, 2.0, 3.0, "UTC"))
    requests = Requests()
    responses = stub.SubscribeObservations(iter(requests), timeout=30)
    try:
        requests.send(_change("subscribe", "ZPB1"))
        assert list(next(responses).subscription.stations) == ["stations/ZPB1"]
        client.put_observation(Observation("ZPB1", JULY_1, temperature=10.0))
        first = next(responses).observation
        assert first.observation.station == "stations/ZPB1"
        assert first.observation.temperature == 50.0  # in the units of the first request

        requests.send(_change("unsubscribe", "ZPB1"))
        assert list(next(responses).subscription.stations) == []
        requests.send(_change("subscribe", "ZPB2"))
        assert list(next(responses).subscription.stations) == ["stations/ZPB2"]
        client.put_observation(Observation("ZPB1", JULY_1 + timedelta(hours=1)))
        client.put_observation(Observation("ZPB2", JULY_1, temperature=0.0))
        second = next(responses).observation
        assert second.observation.station == "stations/ZPB2"
        assert second.sequence > first.sequence
    finally:
        responses.cancel()
        requests.end()


def test_subscribing_to_an_unknown_station_ends_the_watch_with_not_found(stub: Stub) -> None:
    requests = Requests()
    requests.send(_change("subscribe", "KZZZ"))
    requests.end()
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.SubscribeObservations(iter(requests), timeout=10))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND  # type: ignore[attr-defined]


def test_watching_an_unknown_station_is_not_found_before_the_watch_opens(
        client: GrpcClient) -> None:
    with pytest.raises(NotFound):
        client.watch_observations(["KZZZ"])


def test_a_watch_of_no_station_is_refused_rather_than_silent(stub: Stub) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        list(stub.WatchObservations(pb.WatchObservationsRequest(), timeout=10))
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT  # type: ignore[attr-defined]


def test_a_cancelled_watch_releases_its_server_side_watch(in_process: InProcessServer) -> None:
    watches = in_process.server.servicer.watches
    with GrpcClient.connect(HOST, in_process.server.port, API_KEY) as client:
        watcher = client.watch_observations(["KJFK"])
        assert watches.wait_for(lambda n: n == 1, timeout=WAIT)
        (watch,) = watches.current()
        assert not watch.closed
        watcher.close()
        assert watches.wait_for(lambda n: n == 0, timeout=WAIT)
        assert watch.closed


def test_a_watch_past_its_deadline_ends_and_releases_its_server_side_watch(
        in_process: InProcessServer) -> None:
    watches = in_process.server.servicer.watches
    with grpc.insecure_channel(f"{HOST}:{in_process.server.port}") as channel:
        stub = weather_pb2_grpc.WeatherServiceStub(channel)
        call = stub.WatchObservations(pb.WatchObservationsRequest(stations=["stations/-"]),
                                      timeout=WATCH_DEADLINE, metadata=WRITER)
        # the watch opened before its deadline (else the test would prove nothing)
        assert dict(call.initial_metadata()).get("fourcast-watch") == "open"
        (watch,) = watches.current()
        with pytest.raises(grpc.RpcError) as caught:
            list(call)
        assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED  # type: ignore[attr-defined]
    assert watches.wait_for(lambda n: n == 0, timeout=WAIT)
    assert watch.closed


def test_a_cancelled_bidirectional_watch_releases_its_server_side_watch(
        in_process: InProcessServer) -> None:
    watches = in_process.server.servicer.watches
    with grpc.insecure_channel(f"{HOST}:{in_process.server.port}") as channel:
        stub = weather_pb2_grpc.WeatherServiceStub(channel)
        requests = Requests()
        requests.send(_change("subscribe", "KJFK"))
        responses = stub.SubscribeObservations(iter(requests))
        assert next(responses).subscription.stations
        assert watches.wait_for(lambda n: n == 1, timeout=WAIT)
        responses.cancel()
        requests.end()
    assert watches.wait_for(lambda n: n == 0, timeout=WAIT)
