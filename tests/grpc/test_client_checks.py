"""What the gRPC client refuses before asking the server is the core's own verdict (issue 13,
item 22): a naive datetime cannot become a Timestamp, so the client names the fields the core
names (the other three protocols send it and their servers answer); everything else, an empty
station id too, is left to the server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clients.grpc_client import GrpcClient
from services.core import InvalidArgument, Observation
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.store import SqliteRepository
from tests.servers import API_KEY

NAIVE = datetime(2013, 7, 1)
AWARE = datetime(2013, 7, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def core(seeded_db: object) -> WeatherService:
    return WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY]))  # type: ignore[arg-type]


def verdict(call: object) -> tuple[tuple[str, str], ...]:
    with pytest.raises(InvalidArgument) as caught:
        call()  # type: ignore[operator]
    return tuple((v.field, v.description) for v in caught.value.violations)


@pytest.mark.parametrize(("start", "end"), [
    (NAIVE, None), (None, NAIVE), (NAIVE, NAIVE), (NAIVE, AWARE + timedelta(days=1)),
    (AWARE, NAIVE + timedelta(days=1))])
def test_a_naive_bound_of_an_observation_range_is_refused_as_the_core_refuses_it(
        client: GrpcClient, core: WeatherService, start: datetime | None,
        end: datetime | None) -> None:
    expected = verdict(lambda: core.list_observations("KJFK", start, end))
    assert verdict(lambda: client.list_observations("KJFK", start, end)) == expected
    assert verdict(lambda: list(client.stream_observations("KJFK", start, end))) == expected


@pytest.mark.parametrize(("start", "end"), [(NAIVE, None), (None, NAIVE), (NAIVE, NAIVE)])
def test_a_naive_bound_of_an_alert_range_is_refused_as_the_core_refuses_it(
        client: GrpcClient, core: WeatherService, start: datetime | None,
        end: datetime | None) -> None:
    expected = verdict(lambda: core.list_alerts("KJFK", start, end))
    assert verdict(lambda: client.list_alerts("KJFK", start, end)) == expected


def test_a_naive_observation_gets_every_violation_the_core_finds(
        client: GrpcClient, core: WeatherService) -> None:
    bad = Observation("KJFK", NAIVE, temperature=1000.0, relative_humidity=-5.0)
    expected = verdict(lambda: core.put_observation(bad, credential=API_KEY))
    assert len(expected) == 3
    assert verdict(lambda: client.put_observation(bad)) == expected


def test_an_empty_station_id_is_the_cores_violation(client: GrpcClient,
                                                    core: WeatherService) -> None:
    assert verdict(lambda: client.get_station("")) == verdict(lambda: core.get_station(""))
    assert verdict(lambda: client.get_forecast("")) == verdict(lambda: core.get_forecast(""))
