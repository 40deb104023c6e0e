"""The gRPC server over a store that misbehaves (issue 13, items 8 and 10): a brief read-only
database does not break writes until restart (every worker thread that met it writes again),
and a full store is RESOURCE_EXHAUSTED saying so, not a bare INTERNAL."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from clients.grpc_client import GrpcClient
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.grpc.conftest import WRITER, InProcessServer
from tests.integration.test_store_failures import read_only
from tests.servers import API_KEY, HOST, served

WRITES = 64  # concurrent writes: more than the worker pool has threads, so each meets it
HOUR = 3600
EPOCH = 1893456000  # 2030-01-01, after the seed


@pytest.fixture
def own_db(seeded_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "fourcast.sqlite3"
    shutil.copyfile(seeded_db, copy)
    return copy


@pytest.fixture
def own_server(own_db: Path, server_logs: Path) -> Iterator[ServerProcess]:
    with served("grpc", own_db, server_logs) as server:
        yield server


def _put(stub: weather_pb2_grpc.WeatherServiceStub, hour: int) -> Any:
    request = pb.PutObservationRequest(observation=pb.Observation(
        station="stations/KJFK", observe_time={"seconds": EPOCH + HOUR * hour},
        temperature=1.0))
    try:
        return stub.PutObservation(request, metadata=WRITER, timeout=30)
    except grpc.RpcError as error:
        return error


def test_writes_work_again_once_a_read_only_database_is_writable(
        own_server: ServerProcess, own_db: Path) -> None:
    with grpc.insecure_channel(f"{HOST}:{own_server.port}") as channel, \
            ThreadPoolExecutor(WRITES) as callers:
        stub = weather_pb2_grpc.WeatherServiceStub(channel)
        with read_only(own_db):
            refused = list(callers.map(lambda h: _put(stub, h), range(WRITES)))
        assert all(isinstance(r, grpc.RpcError) for r in refused)
        # the store's word for it: not the caller's fault, nothing written, retry later
        assert {r.code() for r in refused} == {grpc.StatusCode.INTERNAL}
        assert "nothing was written" in refused[0].details()
        written = list(callers.map(lambda h: _put(stub, h), range(WRITES)))
    assert all(isinstance(w, pb.PutObservationResponse) and w.created for w in written)


class FullRepository(SqliteRepository):
    """SQLite with room for a few pages more than the seed (its own file, its own limit)."""

    def _connect(self) -> sqlite3.Connection:
        db = super()._connect()
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + 2}")
        return db


def test_a_full_store_is_resource_exhausted_saying_so(own_db: Path) -> None:
    service = WeatherService(FullRepository(own_db), KeyChecker([API_KEY]))
    server = InProcessServer(service)
    try:
        with GrpcClient.connect(HOST, server.server.port, API_KEY) as client:
            with grpc.insecure_channel(f"{HOST}:{server.server.port}") as channel:
                stub = weather_pb2_grpc.WeatherServiceStub(channel)
                requests = [pb.ImportObservationsRequest(observation=pb.Observation(
                    station="stations/KJFK", observe_time={"seconds": EPOCH + HOUR * h}))
                    for h in range(5000)]
                with pytest.raises(grpc.RpcError) as caught:
                    stub.ImportObservations(
                        iter([*requests, pb.ImportObservationsRequest(finish_import=True)]),
                        metadata=WRITER, timeout=60)
            error: Any = caught.value
            assert error.code() is grpc.StatusCode.RESOURCE_EXHAUSTED
            assert "the store is full" in error.details()
            status = rpc_status.from_call(error)
            assert status is not None
            quota = error_details_pb2.QuotaFailure()
            assert status.details[0].Unpack(quota)
            assert quota.violations[0].subject == "store"
            assert client.list_observations("KJFK", _at(0), _at(10)).items == ()  # none
    finally:
        server.close()


def _at(hour: int) -> datetime:
    return datetime.fromtimestamp(EPOCH + HOUR * hour, UTC)
