"""Subscriptions: events flow over graphql-transport-ws, and a finished subscription (or a
stopped server) ends its server-side watch."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from clients.graphql_client import GraphQLClient
from services.core.auth import KeyChecker
from services.core.domain import Observation, Station
from services.core.service import WeatherService
from services.core.units import Units
from services.core.watch import ObservationWatch
from services.graphql_api import create_app
from services.store import open_store
from tests.servers import API_KEY, HOST, served

SUBSCRIBE = """subscription($ids: [String!]!, $after: Int) {
  observationRecorded(stationIds: $ids, units: US, afterSequence: $after) {
    sequence observation { stationId observedAt temperature windGust units } } }"""
KEY = "writer"


class SignallingWatch(ObservationWatch):
    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.ended = threading.Event()

    def close(self) -> None:
        super().close()
        self.ended.set()


class RecordingService(WeatherService):
    """The real service, keeping every watch it opens so the test can see it end."""

    watches: list[SignallingWatch]

    def watch(self, station_ids: Iterable[str] | None = None, units: Units | str | None = None,
              after_sequence: int | None = None) -> ObservationWatch:
        watch = SignallingWatch(self, station_ids, Units.parse(units), after_sequence)
        self.watches.append(watch)
        return watch


@pytest.fixture
def service(tmp_path: Path) -> RecordingService:
    service = RecordingService(open_store(tmp_path / "db.sqlite3"), KeyChecker([KEY]))
    service.watches = []
    service.put_station(Station("ZW01", "Watched", 1.0, 2.0, 3.0, "UTC"), credential=KEY)
    return service


def subscribe(ws: Any, after: int) -> None:
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json()["type"] == "connection_ack"
    ws.send_json({"id": "1", "type": "subscribe",
                  "payload": {"query": SUBSCRIBE, "variables": {"ids": ["ZW01"], "after": after}}})


def record(service: WeatherService, hour: int) -> Observation:
    obs = Observation("ZW01", datetime(2020, 1, 1, hour, tzinfo=UTC), temperature=10.0)
    service.put_observation(obs, credential=KEY)
    return obs


def test_an_event_carries_its_sequence_and_completing_ends_the_server_watch(
        service: RecordingService) -> None:
    after = service.current_sequence()
    record(service, 0)  # recorded before the subscription starts, after the sequence read
    with TestClient(create_app(service)).websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, after)
        message = ws.receive_json()
        assert message["type"] == "next"
        event = message["payload"]["data"]["observationRecorded"]
        assert event["sequence"] > after
        assert event["observation"] == {"stationId": "ZW01", "observedAt":
                                        "2020-01-01T00:00:00+00:00", "temperature": 50.0,
                                        "windGust": None, "units": "US"}
        ws.send_json({"id": "1", "type": "complete"})
        assert service.watches[0].ended.wait(10)  # bounds a hang only


def test_a_dropped_connection_ends_the_server_watch(service: RecordingService) -> None:
    with TestClient(create_app(service)).websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        subscribe(ws, service.current_sequence())
        record(service, 1)
        assert ws.receive_json()["type"] == "next"
    assert service.watches[0].ended.wait(10)  # bounds a hang only


def test_an_unknown_station_fails_the_subscription_with_not_found(
        service: RecordingService) -> None:
    with TestClient(create_app(service)).websocket_connect(
            "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        ws.send_json({"type": "connection_init"})
        ws.receive_json()
        ws.send_json({"id": "1", "type": "subscribe", "payload": {
            "query": SUBSCRIBE, "variables": {"ids": ["KZZZ"]}}})
        message = ws.receive_json()
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


def test_sigterm_stops_the_server_cleanly_with_a_subscription_open(
        seeded_db: Path, tmp_path: Path) -> None:
    with served("graphql", seeded_db, tmp_path) as server:
        client = GraphQLClient.connect(HOST, server.port, API_KEY)
        watcher = client.watch_observations(["KJFK"])
        assert server.stop(grace=10) == 0
        with pytest.raises(Exception) as ended:  # the connection is gone: no hang
            watcher.next(timeout=10)
        assert not isinstance(ended.value, TimeoutError)
        client.close()
