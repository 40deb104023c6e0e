"""The REST client reports exactly the core's error for input the core refuses, whether it is
refused before the request (an id no URL path segment can carry) or by the server (a naive
timestamp, sent as written): the same class, fields and words as the core in this process,
and so as the other three protocols."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from clients.rest_client import RestClient
from services.core import WeatherService
from services.core.auth import KeyChecker
from services.core.errors import FourcastError
from services.store import SqliteRepository

UNCARRIABLE_IDS = ("", ".", "..", "a/b", "K/JF", "/")
NAIVE = datetime(2013, 7, 1)
AWARE = datetime.fromisoformat("2013-07-02T00:00:00+00:00")


@pytest.fixture(scope="module")
def core(seeded_db: Path) -> Iterator[WeatherService]:
    with SqliteRepository(seeded_db) as repository:
        yield WeatherService(repository, KeyChecker([]))


@pytest.fixture
def client(base_url: str) -> Iterator[RestClient]:
    with RestClient(f"{base_url}/") as rest:
        yield rest


def error_of(call: Callable[[], Any]) -> FourcastError:
    with pytest.raises(FourcastError) as caught:
        call()
    return caught.value


def assert_same(mine: FourcastError, cores: FourcastError) -> None:
    assert (type(mine), mine.message, mine.details()) == (
        type(cores), cores.message, cores.details())


@pytest.mark.parametrize("station_id", UNCARRIABLE_IDS)
def test_an_id_no_url_can_carry_is_refused_with_the_cores_own_error(
        client: RestClient, core: WeatherService, station_id: str) -> None:
    assert_same(error_of(lambda: client.get_station(station_id)),
                error_of(lambda: core.get_station(station_id)))
    assert_same(error_of(lambda: client.get_latest_observation(station_id)),
                error_of(lambda: core.get_latest_observation(station_id)))
    assert_same(error_of(lambda: client.get_forecast(station_id)),
                error_of(lambda: core.get_forecast(station_id)))


@pytest.mark.parametrize(("start", "end"), [(NAIVE, AWARE), (NAIVE, NAIVE)])
def test_a_naive_timestamp_is_the_cores_error_for_every_field_it_breaks(
        client: RestClient, core: WeatherService, start: datetime, end: datetime) -> None:
    assert_same(error_of(lambda: client.list_observations("KJFK", start, end)),
                error_of(lambda: core.list_observations("KJFK", start, end)))
