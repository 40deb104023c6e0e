"""Property-based inputs, valid and invalid, on which all four protocols agree."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clients.base import WeatherClient
from services.core import FourcastError, Observation, Station
from services.core.domain import to_plain

SETTINGS = settings(max_examples=12, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=0,
                max_size=110)
coordinates = st.floats(-200, 200, allow_nan=False)
zones = st.sampled_from(["UTC", "Europe/Paris", "America/St_Johns", "Asia/Kathmandu",
                         "Nowhere/Special", ""])


def outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return ("ok", to_plain(call()))
    except FourcastError as error:
        return ("error", error.details())


@SETTINGS
@given(name=names, latitude=coordinates, longitude=coordinates,
       elevation=st.floats(-1000, 10_000, allow_nan=False), zone=zones)
def test_any_station_is_stored_or_refused_alike(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str], name: str,
        latitude: float, longitude: float, elevation: float, zone: str) -> None:
    results = {}
    for protocol, client in clients.items():
        station = Station(new_station_id(), name, latitude, longitude, elevation, zone)
        put = outcome(lambda c=client, s=station: c.put_station(s).value)
        read = outcome(lambda c=client, s=station: c.get_station(s.id))
        if put[0] == "ok":
            put[1].pop("id")
            read[1].pop("id")
            assert put == read, protocol
        results[protocol] = put
    assert len({repr(r) for r in results.values()}) == 1, results


@SETTINGS
@given(hours=st.integers(-48, 24 * 400), page_size=st.integers(-1, 600),
       offset=st.integers(-14, 14))
def test_any_range_and_page_size_are_answered_alike(
        clients: dict[str, WeatherClient], hours: int, page_size: int, offset: int) -> None:
    start = datetime(2013, 6, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=offset)))
    end = start + timedelta(hours=hours)
    results = {p: outcome(lambda c=c: c.list_observations("KLGA", start, end,
                                                          page_size=page_size))
               for p, c in clients.items()}
    assert len({repr(r) for r in results.values()}) == 1, results


@SETTINGS
@given(temperature=st.one_of(st.none(), st.floats(-100, 70, allow_nan=False)),
       humidity=st.one_of(st.none(), st.floats(-5, 105, allow_nan=False)),
       direction=st.one_of(st.none(), st.floats(-1, 361, allow_nan=False)))
def test_any_observation_is_stored_or_refused_alike(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str],
        temperature: float | None, humidity: float | None, direction: float | None) -> None:
    at = datetime(2025, 1, 1, tzinfo=UTC)
    results = {}
    for protocol, client in clients.items():
        station_id = new_station_id()
        client.put_station(Station(station_id, "Prop", 0.0, 0.0, 0.0, "UTC"))
        obs = Observation(station_id, at, temperature=temperature, relative_humidity=humidity,
                          wind_direction=direction)
        put = outcome(lambda c=client, o=obs: c.put_observation(o).value)
        if put[0] == "ok":
            assert put == outcome(lambda c=client, s=station_id: c.get_observation(s, at))
            put[1].pop("station_id")
        results[protocol] = put
        client.delete_station(station_id)
    assert len({repr(r) for r in results.values()}) == 1, results
