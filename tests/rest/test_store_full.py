"""A write the store has no room for is ``507 Insufficient Storage`` with its own problem
type, and writes nothing.

A full disk cannot be made on every machine that runs the tests, so this one runs the real
application in this process over a real SQLite store whose connection is capped at the pages
it already has (``PRAGMA max_page_count``): SQLite then fails the write exactly as on a full
disk (SQLITE_FULL).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from services.core import WeatherService
from services.core.auth import KeyChecker
from services.rest_api import create_app
from services.store import SqliteRepository
from tests.rest.conftest import PROBLEM, WRITER, station_body
from tests.servers import API_KEY

STATION = "ZRSF"


@pytest.fixture
def full_store(tmp_path: Path) -> Iterator[FlaskClient]:
    with SqliteRepository(tmp_path / "full.sqlite3") as repository:
        app = create_app(WeatherService(repository, KeyChecker([API_KEY])),
                         {"REPRESENTATION_CACHE": False})
        client = app.test_client()
        assert client.put(f"/stations/{STATION}", json=station_body(),
                          headers=WRITER).status_code == 201
        db = repository._db  # this thread's connection: the one the application writes through
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages}")
        yield client


def test_a_write_to_a_full_store_is_a_507_problem_and_writes_nothing(
        full_store: FlaskClient) -> None:
    client = full_store
    batch = {"observations": [{"observed_at": f"2024-01-{day:02d}T{hour:02d}:00:00Z",
                               "temperature": 1.0}
                              for day in range(1, 29) for hour in range(24)]}
    response = client.post(f"/stations/{STATION}/observations", json=batch, headers=WRITER)
    assert response.status_code == 507, response.text
    assert response.content_type == PROBLEM
    problem = response.get_json()
    assert (problem["type"], problem["code"]) == ("/problems/store-full", "RESOURCE_EXHAUSTED")
    assert "nothing was written" in problem["detail"]
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get(f"/stations/{STATION}/observations/latest").status_code == 404
    assert client.get("/problems/store-full").get_json()["status"] == 507
