"""Two replicas of the Fourcast servers on one PostgreSQL database: what is written through one
is pushed live by the other (SSE, a GraphQL subscription, a gRPC stream), SOAP's polling sees
it, and reads agree. Nothing in the clients or the contract knows there are two."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest

from clients import connect
from services.core import Observation, Station
from services.store import open_store
from services.supervisor import ServerProcess
from tests.postgres_cluster import Cluster
from tests.servers import API_KEY, HOST, served

PUSHING = ("rest", "graphql", "grpc")
AT = datetime(2031, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def replica_db(postgres_cluster: Cluster) -> Iterator[str]:
    url = postgres_cluster.create_database("replicas")
    open_store(url).close()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(scope="module")
def replicas(replica_db: str, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[dict[str, ServerProcess], dict[str, ServerProcess]]]:
    """Replica A serves REST; replica B serves all four protocols; one database."""
    logs = tmp_path_factory.mktemp("replica-logs")
    with ExitStack() as stack:
        first = {"rest": stack.enter_context(served("rest", replica_db, _folder(logs, "a")))}
        second = {p: stack.enter_context(served(p, replica_db, _folder(logs, "b")))
                  for p in (*PUSHING, "soap")}
        yield first, second


def _folder(root: Path, name: str) -> Path:
    (root / name).mkdir(exist_ok=True)
    return root / name


def test_a_write_through_one_replica_is_pushed_by_the_other(
        replicas: tuple[dict[str, ServerProcess], dict[str, ServerProcess]]) -> None:
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
        replicas: tuple[dict[str, ServerProcess], dict[str, ServerProcess]]) -> None:
    first, second = replicas
    with connect("rest", HOST, first["rest"].port) as a, \
            connect("rest", HOST, second["rest"].port) as b, \
            connect("grpc", HOST, second["grpc"].port) as c:
        assert a.get_latest_observation("KJFK") == b.get_latest_observation("KJFK") \
            == c.get_latest_observation("KJFK")
        assert [s.id for s in a.list_stations().items][:5] == \
            ["KEWR", "KJFK", "KLGA", "KSEA", "KSFO"]
        assert a.list_stations().items == c.list_stations().items
