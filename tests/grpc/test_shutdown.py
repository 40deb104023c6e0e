"""Graceful shutdown of the real server process on SIGTERM."""

from __future__ import annotations

import threading
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from clients.grpc_client import GrpcClient
from tests.servers import API_KEY, HOST, served

SERVICE = "fourcast.weather.v1.WeatherService"
Status = health_pb2.HealthCheckResponse


def test_sigterm_turns_health_not_serving_ends_watches_and_exits_cleanly(
        seeded_db: Path, server_logs: Path) -> None:
    with served("grpc", seeded_db, server_logs) as server, \
            grpc.insecure_channel(f"{HOST}:{server.port}") as channel, \
            GrpcClient.connect(HOST, server.port, API_KEY) as client:
        health = health_pb2_grpc.HealthStub(channel)
        updates = health.Watch(health_pb2.HealthCheckRequest(service=SERVICE), timeout=30)
        assert next(updates).status == Status.SERVING
        watcher = client.watch_observations(["KJFK"])  # a live stream must not hold shutdown

        exit_code: list[int | None] = []
        stopper = threading.Thread(target=lambda: exit_code.append(server.stop(grace=20)))
        stopper.start()
        assert next(updates).status == Status.NOT_SERVING
        updates.cancel()
        with pytest.raises(EOFError):  # the server ended the watch instead of waiting on it
            watcher.next(timeout=10)
        stopper.join()
        watcher.close()
    assert exit_code == [0]
