"""No N+1: every station with its latest observation costs the same few store queries,
however many stations there are. Counted in-process, on the real SQLite store."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from services.core.auth import KeyChecker
from services.core.budget import StreamBudget
from services.core.domain import Station
from services.core.service import WeatherService
from services.graphql_api.context import Context
from services.graphql_api.schema import build_schema
from services.store import SqliteRepository, open_store

EVERY_STATION = """{ stations(first: 500) { edges { node { id name
    latestObservation(units: US) { observedAt temperature windGust } } } } }"""


class CountingRepository(SqliteRepository):
    """The real store, counting the SELECT statements it sends to SQLite."""

    def __init__(self, path: Path) -> None:
        self.selects = 0
        self._count_lock = threading.Lock()
        super().__init__(path)

    def _connect(self) -> sqlite3.Connection:
        db = super()._connect()
        db.set_trace_callback(self._trace)
        return db

    def _trace(self, statement: str) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            with self._count_lock:
                self.selects += 1


@pytest.fixture
def store(tmp_path: Path) -> CountingRepository:
    open_store(tmp_path / "fourcast.sqlite3").close()
    return CountingRepository(tmp_path / "fourcast.sqlite3")


def a_context(service: WeatherService) -> Context:
    return Context(service, None, StreamBudget(1, 1), "test")


def selects_for_every_station(store: CountingRepository) -> tuple[int, int]:
    service = WeatherService(store, KeyChecker(["k"]))
    before = store.selects
    result = asyncio.run(build_schema().execute(EVERY_STATION,
                                                context_value=a_context(service)))
    assert result.errors is None
    assert result.data is not None
    return len(result.data["stations"]["edges"]), store.selects - before


def test_every_station_with_its_latest_observation_costs_a_constant_number_of_queries(
        store: CountingRepository) -> None:
    stations, queries = selects_for_every_station(store)
    service = WeatherService(store, KeyChecker(["k"]))
    for n in range(40):
        service.put_station(Station(f"ZN{n:02d}", f"Extra {n}", 1.0, 2.0, 3.0, "UTC"),
                            credential="k")
    more_stations, more_queries = selects_for_every_station(store)
    assert more_stations == stations + 40
    assert more_queries == queries == 2  # the page of stations, then every latest observation
