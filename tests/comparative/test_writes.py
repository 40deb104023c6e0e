"""Writes through one protocol read back identically through the other three."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from clients.base import WeatherClient
from services.core import FourcastError, InvalidArgument, NotFound, Observation, Station
from tests.comparative.conftest import PROTOCOL_NAMES

T = datetime(2024, 2, 29, 23, tzinfo=UTC)


@pytest.mark.parametrize("writer", PROTOCOL_NAMES)
def test_a_write_through_one_protocol_reads_back_through_all(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str],
        writer: str) -> None:
    station = Station(new_station_id(), f"Written via {writer} — Ünïcode ✓", -33.9, 151.2,
                      6.0, "Australia/Sydney")
    clients[writer].put_station(station)
    observation = Observation(station.id, T, temperature=-0.5, dewpoint=None,
                              wind_speed=0.0, precipitation_last_hour=0.254)
    clients[writer].put_observation(observation)
    for protocol, client in clients.items():
        assert client.get_station(station.id) == station, protocol
        assert client.get_latest_observation(station.id) == observation, protocol
    clients[writer].delete_station(station.id)
    for client in clients.values():
        with pytest.raises(NotFound):
            client.get_station(station.id)


@pytest.mark.parametrize("writer", PROTOCOL_NAMES)
def test_a_failed_import_leaves_nothing_behind_in_any_protocol(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str],
        writer: str) -> None:
    station_id = new_station_id()
    clients[writer].put_station(Station(station_id, "Import", 0.0, 0.0, 0.0, "UTC"))
    batch = [Observation(station_id, T + timedelta(hours=h), temperature=10.0)
             for h in range(20)]
    batch.append(Observation(station_id, T + timedelta(hours=20), wind_direction=720.0))
    with pytest.raises(InvalidArgument):
        clients[writer].import_observations(batch)
    for protocol, client in clients.items():
        page = client.list_observations(station_id, T, T + timedelta(days=2))
        assert page.items == (), protocol
        with pytest.raises(NotFound):
            client.get_latest_observation(station_id)


@pytest.mark.parametrize("writer", PROTOCOL_NAMES)
def test_an_observation_recorded_through_one_protocol_reaches_every_live_watcher(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str],
        writer: str) -> None:
    station_id = new_station_id()
    clients[writer].put_station(Station(station_id, "Live", 0.0, 0.0, 0.0, "UTC"))
    watchers = {p: c.watch_observations([station_id])
                for p, c in clients.items() if c.supports_push}
    assert len(watchers) >= 3 or len(watchers) == len(
        [c for c in clients.values() if c.supports_push])
    observation = Observation(station_id, T, temperature=21.5, wind_gust=None)
    try:
        clients[writer].put_observation(observation)
        for protocol, watcher in watchers.items():
            assert watcher.next(timeout=15) == observation, protocol
    finally:
        for watcher in watchers.values():
            watcher.close()
    for client in clients.values():
        if not client.supports_push:  # SOAP: the same observation by polling
            recorded = client.observations_since(0, [station_id])
            assert [r.observation for r in recorded] == [observation]


def test_the_same_bad_write_is_refused_alike_everywhere(
        clients: dict[str, WeatherClient], new_station_id: Callable[[], str]) -> None:
    details = set()
    for client in clients.values():
        bad = Station(new_station_id(), "", 95.0, 0.0, 0.0, "Not/AZone")
        with pytest.raises(FourcastError) as caught:
            client.put_station(bad)
        details.add(caught.value.details())
    assert details == {("INVALID_ARGUMENT", ("latitude", "name", "timezone"))}
