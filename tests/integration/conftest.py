from __future__ import annotations

from pathlib import Path

import pytest

from services.core import Station, WeatherService
from services.core.auth import KeyChecker
from services.store import SqliteRepository, open_store
from tests.integration.writer import KEY


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A small, unseeded store with one station, ``KAAA``."""
    path = tmp_path / "store.sqlite3"
    service = WeatherService(SqliteRepository(path), KeyChecker([KEY]))
    service.put_station(Station("KAAA", "Alpha", 40.0, -74.0, 10.0, "America/New_York"),
                        credential=KEY)
    return path


@pytest.fixture
def service(db_path: Path) -> WeatherService:
    return WeatherService(SqliteRepository(db_path), KeyChecker([KEY]))


@pytest.fixture(scope="session")
def seeded_service(seeded_db: Path) -> WeatherService:
    return WeatherService(open_store(seeded_db), KeyChecker([KEY]))
