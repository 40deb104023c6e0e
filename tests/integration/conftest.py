"""Stores for the use-case and store tests: each test that takes ``store_target`` or
``service`` runs once over SQLite and once over PostgreSQL (the store contract, written once;
the PostgreSQL run skips where no PostgreSQL server is installed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.core import Station, WeatherService
from services.core.auth import KeyChecker
from services.store import SqliteRepository, Store, connect, open_store
from tests.integration.writer import KEY

STORES = ["sqlite", "postgresql"]
ALPHA = Station("KAAA", "Alpha", 40.0, -74.0, 10.0, "America/New_York")


def _with_alpha(target: str | Path) -> None:
    with connect(target) as repository:
        WeatherService(repository, KeyChecker([KEY])).put_station(ALPHA, credential=KEY)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A small, unseeded SQLite store with one station, ``KAAA``."""
    path = tmp_path / "store.sqlite3"
    _with_alpha(path)
    return path


@pytest.fixture(params=STORES)
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> str | Path:
    """A small, unseeded store with one station, ``KAAA``: a SQLite path or a PostgreSQL URL."""
    target: str | Path = (tmp_path / "store.sqlite3" if request.param == "sqlite"
                          else request.getfixturevalue("postgres_url"))
    _with_alpha(target)
    return target


@pytest.fixture
def store(store_target: str | Path) -> Iterator[Store]:
    with connect(store_target) as repository:
        yield repository


@pytest.fixture
def service(store: Store) -> WeatherService:
    return WeatherService(store, KeyChecker([KEY]))


@pytest.fixture
def sqlite_service(db_path: Path) -> Iterator[WeatherService]:
    with SqliteRepository(db_path) as repository:
        yield WeatherService(repository, KeyChecker([KEY]))


@pytest.fixture(scope="session", params=STORES)
def seeded_service(request: pytest.FixtureRequest, seeded_db: Path) -> Iterator[WeatherService]:
    if request.param == "sqlite":
        target: str | Path = seeded_db
    else:
        cluster = request.getfixturevalue("postgres_cluster")
        target = cluster.create_database("seeded")
    with open_store(target) as repository:
        yield WeatherService(repository, KeyChecker([KEY]))
