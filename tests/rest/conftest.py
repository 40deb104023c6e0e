"""Fixtures of the REST tests: the served process, plain HTTP to it, fresh stations to write.

Every test talks to the real granian process over loopback. The session database is shared
with the other protocol packages, so a test that writes does so under a station id of its
own (``ZR..``, used nowhere else) and removes it afterwards.
"""

from __future__ import annotations

import itertools
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from flask import Flask

from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.rest_api import create_app
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST, READ_ONLY_KEY

WRITER = {"Authorization": f"Bearer {API_KEY}"}
READER = {"Authorization": f"Bearer {READ_ONLY_KEY}"}
HAL = "application/hal+json"
PROBLEM = "application/problem+json"
SEEDED = ("KEWR", "KJFK", "KLGA", "KSEA", "KSFO")

_ALNUM = string.digits + string.ascii_uppercase
_FRESH_IDS = (f"ZR{a}{b}" for a, b in itertools.product(string.digits, _ALNUM))
# the property-based run writes here only (a letter third: never a fresh id)
GENERATED_WRITES_STATION = "ZRGW"


def fresh_station_id() -> str:
    """A station id no other test (in any package) uses: ZR00, ZR01, … ZR9Z."""
    return next(_FRESH_IDS)


def station_body(name: str = "REST test station") -> dict[str, Any]:
    return {"name": name, "latitude": 40.5, "longitude": -73.5, "elevation": 3.0,
            "timezone": "America/New_York"}


def assert_problem(response: httpx.Response, status: int,
                   problem_type: str | None = None) -> dict[str, Any]:
    """``response`` is an RFC 9457 problem with ``status`` (and ``type``, if given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys(), body
    assert body["status"] == status
    if problem_type is not None:
        assert body["type"] == problem_type
    assert "Traceback" not in response.text
    return body


@pytest.fixture(scope="session")
def rest_server(serve: Callable[[str], ServerProcess]) -> ServerProcess:
    return serve("rest")


@pytest.fixture(scope="session")
def base_url(rest_server: ServerProcess) -> str:
    return f"http://{HOST}:{rest_server.port}"


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
def rest_app(seeded_db: Path) -> Iterator[Flask]:
    """The application in this process, to look at its routes (it serves nothing here)."""
    repository = SqliteRepository(seeded_db)
    yield create_app(WeatherService(repository, KeyChecker([])))
    repository.close()


@pytest.fixture
def station(http: httpx.Client) -> Iterator[str]:
    """A station created for this test alone (and deleted after it)."""
    station_id = fresh_station_id()
    created = http.put(f"/stations/{station_id}", json=station_body(), headers=WRITER)
    assert created.status_code == 201, created.text
    yield station_id
    http.delete(f"/stations/{station_id}", headers=WRITER)
