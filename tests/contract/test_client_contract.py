"""Every protocol's client against its real served process, with the core as the oracle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from clients.base import WeatherClient
from services.core import (
    FailedPrecondition,
    FourcastError,
    InvalidArgument,
    NotFound,
    Observation,
    PermissionDenied,
    Station,
    Unauthenticated,
    Units,
    WeatherService,
)
from tests.servers import READ_ONLY_KEY

JULY_1 = datetime(2013, 7, 1, tzinfo=UTC)


def raises(expected: type[FourcastError], call: Callable[[], object]) -> FourcastError:
    with pytest.raises(FourcastError) as caught:
        call()
    assert type(caught.value) is expected, f"{type(caught.value).__name__}: {caught.value}"
    return caught.value


def violated_fields(error: FourcastError) -> set[str]:
    assert isinstance(error, InvalidArgument)
    return {v.field for v in error.violations}


def test_a_station_reads_exactly_as_the_core_has_it(client: WeatherClient,
                                                     core: WeatherService) -> None:
    assert client.get_station("KJFK") == core.get_station("KJFK")


def test_listing_stations_pages_forward_and_back_through_every_page(
        client: WeatherClient, core: WeatherService) -> None:
    first = client.list_stations(page_size=2)
    assert [s.id for s in first.items] == ["KEWR", "KJFK"]
    assert first.prev_page_token is None and first.next_page_token
    seen = list(first.items)
    page = first
    while page.next_page_token:
        page = client.list_stations(page_size=2, page_token=page.next_page_token)
        seen.extend(page.items)
    ids = [s.id for s in seen]
    assert ids == sorted(set(ids))
    assert {"KEWR", "KJFK", "KLGA", "KSEA", "KSFO"} <= set(ids)
    second = client.list_stations(page_size=2, page_token=first.next_page_token)
    assert second.prev_page_token
    back = client.list_stations(page_size=2, page_token=second.prev_page_token)
    assert back.items == first.items


def test_the_latest_observation_matches_the_core_in_both_unit_systems(
        client: WeatherClient, core: WeatherService) -> None:
    for units in (Units.SI, Units.US):
        got = client.get_latest_observation("KJFK", units)
        assert got == core.get_latest_observation("KJFK", units)
        assert got.units is units


def test_missing_measurements_stay_missing_never_zero(client: WeatherClient) -> None:
    latest = client.get_latest_observation("KJFK")
    assert latest.wind_gust is None  # the seed has no gust at KJFK's last hour
    seattle = client.get_latest_observation("KSEA")
    assert seattle.temperature is not None
    assert all(getattr(seattle, name) is None for name in (
        "dewpoint", "relative_humidity", "wind_speed", "wind_direction", "wind_gust",
        "precipitation_last_hour", "sea_level_pressure", "visibility"))


def test_one_observation_reads_by_its_instant(client: WeatherClient,
                                              core: WeatherService) -> None:
    at = datetime(2013, 7, 1, 12, tzinfo=UTC)
    assert client.get_observation("KJFK", at, Units.US) == core.get_observation(
        "KJFK", at, Units.US)


def test_a_day_of_observations_pages_to_the_same_result_as_the_core(
        client: WeatherClient, core: WeatherService) -> None:
    end = JULY_1 + timedelta(days=1)
    expected = core.list_observations("KJFK", JULY_1, end, page_size=500).items
    assert len(expected) == 24
    collected: list[Observation] = []
    token = None
    while True:
        page = client.list_observations("KJFK", JULY_1, end, page_size=10, page_token=token)
        collected.extend(page.items)
        token = page.next_page_token
        if not token:
            break
    assert tuple(collected) == expected


def test_an_empty_range_is_an_empty_page(client: WeatherClient) -> None:
    page = client.list_observations("KJFK", datetime(2020, 1, 1, tzinfo=UTC),
                                    datetime(2020, 1, 2, tzinfo=UTC))
    assert page.items == () and page.next_page_token is None


def test_daily_summaries_follow_local_days_across_the_dst_change(
        client: WeatherClient, core: WeatherService) -> None:
    days = client.daily_summaries("KSEA", date(2010, 3, 13), date(2010, 3, 15), Units.US)
    assert days == core.daily_summaries("KSEA", date(2010, 3, 13), date(2010, 3, 15), Units.US)
    assert [d.observation_count for d in days] == [24, 23, 24]


def test_the_forecast_is_the_cores_forecast(client: WeatherClient,
                                            core: WeatherService) -> None:
    assert client.get_forecast("KJFK", 3, Units.US) == core.get_forecast("KJFK", 3, Units.US)


def test_alerts_page_and_resolve_by_id(client: WeatherClient, core: WeatherService) -> None:
    start, end = datetime(2013, 1, 1, tzinfo=UTC), datetime(2013, 3, 1, tzinfo=UTC)
    page = client.list_alerts("KJFK", start, end, page_size=3)
    expected = core.list_alerts("KJFK", start, end, page_size=3)
    assert page.items == expected.items and len(page.items) == 3
    following = client.list_alerts("KJFK", start, end, page_size=3,
                                   page_token=page.next_page_token)
    assert following.items == core.list_alerts("KJFK", start, end, page_size=3,
                                                page_token=expected.next_page_token).items
    assert client.get_alert(page.items[0].id) == page.items[0]


def test_an_unknown_station_is_not_found(client: WeatherClient) -> None:
    error = raises(NotFound, lambda: client.get_station("KZZZ"))
    assert error.details() == ("NOT_FOUND", "station", "KZZZ")
    raises(NotFound, lambda: client.get_latest_observation("KZZZ"))
    raises(NotFound, lambda: client.get_forecast("KZZZ"))


def test_a_malformed_station_id_is_an_invalid_argument(client: WeatherClient) -> None:
    error = raises(InvalidArgument, lambda: client.get_station("kjfk"))
    assert violated_fields(error) == {"station_id"}


def test_out_of_range_arguments_are_invalid(client: WeatherClient) -> None:
    assert violated_fields(raises(
        InvalidArgument, lambda: client.list_stations(page_size=501))) == {"page_size"}
    assert violated_fields(raises(
        InvalidArgument, lambda: client.get_forecast("KJFK", days=8))) == {"days"}
    assert violated_fields(raises(InvalidArgument, lambda: client.list_observations(
        "KJFK", JULY_1, JULY_1 - timedelta(hours=1)))) == {"end"}
    assert violated_fields(raises(InvalidArgument, lambda: client.list_observations(
        "KJFK", JULY_1, JULY_1 + timedelta(days=367)))) == {"end"}


def test_a_page_token_is_bound_to_its_query(client: WeatherClient) -> None:
    end = JULY_1 + timedelta(days=1)
    token = client.list_observations("KJFK", JULY_1, end, page_size=5).next_page_token
    assert token
    error = raises(InvalidArgument, lambda: client.list_observations(
        "KLGA", JULY_1, end, page_size=5, page_token=token))
    assert violated_fields(error) == {"page_token"}


def test_a_station_is_created_replaced_read_and_deleted(
        client: WeatherClient, new_station_id: Callable[[], str]) -> None:
    station = Station(new_station_id(), "Zürich–Kloten ✈ 気象台", 47.4647, 8.5492, 432.0,
                      "Europe/Zurich")
    created = client.put_station(station)
    assert created.created and created.value == station
    again = client.put_station(station)
    assert not again.created and again.version == created.version
    assert client.get_station(station.id) == station
    client.delete_station(station.id)
    raises(NotFound, lambda: client.get_station(station.id))
    raises(NotFound, lambda: client.delete_station(station.id))


def test_a_stale_version_fails_the_conditional_write(
        client: WeatherClient, new_station_id: Callable[[], str]) -> None:
    station = Station(new_station_id(), "Conditional", 10.0, 20.0, 30.0, "UTC")
    version = client.put_station(station).version
    renamed = Station(station.id, "Renamed", 10.0, 20.0, 30.0, "UTC")
    assert client.put_station(renamed, if_match=version).version != version
    raises(FailedPrecondition, lambda: client.put_station(station, if_match=version))
    raises(FailedPrecondition, lambda: client.delete_station(station.id, if_match=version))
    assert client.get_station(station.id) == renamed


def test_writes_need_a_key_that_may_write(
        client_for: Callable[[str | None], WeatherClient],
        new_station_id: Callable[[], str]) -> None:
    station = Station(new_station_id(), "Nobody", 0.0, 0.0, 0.0, "UTC")
    raises(Unauthenticated, lambda: client_for(None).put_station(station))
    raises(Unauthenticated, lambda: client_for("not-a-key").put_station(station))
    raises(PermissionDenied, lambda: client_for(READ_ONLY_KEY).put_station(station))
    raises(NotFound, lambda: client_for(None).get_station(station.id))


def test_an_observation_round_trips_with_its_nulls_and_its_instant(
        client: WeatherClient, new_station_id: Callable[[], str]) -> None:
    station_id = new_station_id()
    client.put_station(Station(station_id, "Obs", 1.0, 2.0, 3.0, "Asia/Kolkata"))
    local = datetime(2024, 3, 10, 8, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    obs = Observation(station_id, local, temperature=-3.25, relative_humidity=100.0,
                      wind_direction=360.0, visibility=0.0)
    written = client.put_observation(obs)
    assert written.created
    expected = Observation(station_id, local.astimezone(UTC), temperature=-3.25,
                           relative_humidity=100.0, wind_direction=360.0, visibility=0.0)
    assert client.get_observation(station_id, local) == expected
    assert client.get_latest_observation(station_id) == expected
    assert not client.put_observation(obs).created
    client.delete_observation(station_id, local)
    raises(NotFound, lambda: client.get_observation(station_id, local))


def test_an_implausible_observation_names_each_bad_field(
        client: WeatherClient, new_station_id: Callable[[], str]) -> None:
    station_id = new_station_id()
    client.put_station(Station(station_id, "Bad", 1.0, 2.0, 3.0, "UTC"))
    bad = Observation(station_id, JULY_1, relative_humidity=120.0, wind_direction=361.0)
    error = raises(InvalidArgument, lambda: client.put_observation(bad))
    assert violated_fields(error) == {"relative_humidity", "wind_direction"}


def test_an_observation_of_an_unknown_station_is_not_found(client: WeatherClient) -> None:
    error = raises(NotFound, lambda: client.put_observation(Observation("KZZZ", JULY_1)))
    assert error.details() == ("NOT_FOUND", "station", "KZZZ")


def test_a_failed_import_writes_nothing(client: WeatherClient,
                                        new_station_id: Callable[[], str]) -> None:
    station_id = new_station_id()
    client.put_station(Station(station_id, "Import", 1.0, 2.0, 3.0, "UTC"))
    batch = [Observation(station_id, JULY_1 + timedelta(hours=h), temperature=20.0 + h)
             for h in range(5)]
    batch[3] = Observation(station_id, JULY_1 + timedelta(hours=3), temperature=99.0)
    error = raises(InvalidArgument, lambda: client.import_observations(batch))
    assert violated_fields(error) == {"observations[3].temperature"}
    assert client.list_observations(station_id, JULY_1, JULY_1 + timedelta(days=1)).items == ()


def test_an_import_writes_every_observation(client: WeatherClient,
                                            new_station_id: Callable[[], str]) -> None:
    station_id = new_station_id()
    client.put_station(Station(station_id, "Import", 1.0, 2.0, 3.0, "UTC"))
    batch = [Observation(station_id, JULY_1 + timedelta(hours=h), temperature=20.0 + h)
             for h in range(30)]
    summary = client.import_observations(batch)
    assert (summary.imported, summary.created, summary.replaced) == (30, 30, 0)
    stored = client.list_observations(station_id, JULY_1, JULY_1 + timedelta(days=2),
                                      page_size=100).items
    assert stored == tuple(batch)


def test_a_watch_delivers_what_is_recorded_after_it_opens(
        client: WeatherClient, new_station_id: Callable[[], str]) -> None:
    station_id = new_station_id()
    client.put_station(Station(station_id, "Watched", 1.0, 2.0, 3.0, "UTC"))
    obs = Observation(station_id, JULY_1, temperature=12.5, wind_gust=None)
    if not client.supports_push:
        before = client.observations_since(0, [station_id])
        client.put_observation(obs)
        recorded = client.observations_since(0, [station_id])
        assert [r.observation for r in recorded] == [*[r.observation for r in before], obs]
        with pytest.raises(NotImplementedError):
            client.watch_observations([station_id])
        return
    with client.watch_observations([station_id], Units.US) as watcher:
        client.put_observation(obs)
        got = watcher.next(timeout=10)
    assert got.observed_at == JULY_1 and got.units is Units.US
    assert got.temperature == 54.5 and got.wind_gust is None
