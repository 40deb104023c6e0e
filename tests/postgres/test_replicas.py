"""Two replicas of the Fourcast servers on one PostgreSQL database: what is written through one
is pushed live by the other (SSE, a GraphQL subscription, a gRPC stream), SOAP's polling sees
it, and reads agree. Nothing in the clients or the contract knows there are two."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime

from clients import connect
from services.core import Observation, Station
from tests.postgres.conftest import Replica
from tests.servers import API_KEY, HOST

PUSHING = ("rest", "graphql", "grpc")
AT = datetime(2031, 1, 1, tzinfo=UTC)


def test_a_write_through_one_replica_is_pushed_by_the_other(
        replicas: tuple[Replica, Replica]) -> None:
    first, second = replicas
    writer = connect("rest", HOST, first["rest"].port, API_KEY)
    readers = {p: connect(p, HOST, s.port, API_KEY) for p, s in second.items()}
    with ExitStack() as stack:
        stack.callback(writer.close)
        for reader in readers.values():
            stack.callback(reader.close)
        writer.put_station(Station("YRPA", "Replica A", 1.0, 2.0, 3.0, "UTC"))
        sequence = readers["soap"].observations_since(0, ["YRPA"])
        watchers = {p: stack.enter_context(readers[p].watch_observations(["YRPA"]))
                    for p in PUSHING}
        observation = Observation("YRPA", AT, temperature=21.5, wind_speed=3.0)
        writer.put_observation(observation)
        for protocol, watcher in watchers.items():
            assert watcher.next(timeout=30) == observation, protocol
        polled = readers["soap"].observations_since(0, ["YRPA"])
        assert sequence == [] and [r.observation for r in polled] == [observation]
        for protocol, reader in readers.items():
            assert reader.get_observation("YRPA", AT) == observation, protocol
            assert reader.get_station("YRPA") == writer.get_station("YRPA"), protocol


def test_replicas_read_the_same_seeded_data(
        replicas: tuple[Replica, Replica]) -> None:
    first, second = replicas
    with connect("rest", HOST, first["rest"].port) as a, \
            connect("rest", HOST, second["rest"].port) as b, \
            connect("grpc", HOST, second["grpc"].port) as c:
        assert a.get_latest_observation("KJFK") == b.get_latest_observation("KJFK") \
            == c.get_latest_observation("KJFK")
        assert [s.id for s in a.list_stations().items][:5] == \
            ["KEWR", "KJFK", "KLGA", "KSEA", "KSFO"]
        assert a.list_stations().items == c.list_stations().items
