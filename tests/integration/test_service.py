"""The use cases over the real store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.core import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Observation,
    Station,
    Unauthenticated,
    Units,
    WeatherService,
    paging,
    version_of,
)
from services.core.dry_run import DryRunReached
from tests.integration.writer import EPOCH, KEY


def test_a_put_is_idempotent_and_reports_creation(service: WeatherService) -> None:
    obs = Observation("KAAA", EPOCH, temperature=1.0)
    first = service.put_observation(obs, credential=KEY)
    second = service.put_observation(obs, credential=KEY)
    assert (first.created, second.created) == (True, False)
    assert first.version == second.version == version_of(obs)
    assert service.get_observation("KAAA", EPOCH) == obs


def test_a_conditional_write_needs_the_current_version(service: WeatherService) -> None:
    station = service.get_station("KAAA")
    version = version_of(station)
    renamed = Station("KAAA", "Renamed", 40.0, -74.0, 10.0, "America/New_York")
    service.put_station(renamed, credential=KEY, if_match=version)
    with pytest.raises(FailedPrecondition):
        service.put_station(station, credential=KEY, if_match=version)
    with pytest.raises(FailedPrecondition):
        service.delete_station("KAAA", credential=KEY, if_match=version)
    service.delete_station("KAAA", credential=KEY, if_match=version_of(renamed))


def test_deleting_a_station_deletes_its_observations(service: WeatherService) -> None:
    service.put_observation(Observation("KAAA", EPOCH, temperature=1.0), credential=KEY)
    service.delete_station("KAAA", credential=KEY)
    assert service.repository.counts() == (0, 0)  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        service.delete_station("KAAA", credential=KEY)


def test_a_station_without_observations_has_no_latest(service: WeatherService) -> None:
    with pytest.raises(NotFound) as caught:
        service.get_latest_observation("KAAA")
    assert caught.value.details() == ("NOT_FOUND", "observation", "KAAA/latest")


def test_observation_pages_go_forward_and_back(seeded_service: WeatherService) -> None:
    start = datetime(2013, 7, 1, tzinfo=UTC)
    end = start + timedelta(days=2)
    pages = []
    page = seeded_service.list_observations("KLGA", start, end, page_size=20)
    pages.append(page)
    while page.next_page_token:
        page = seeded_service.list_observations("KLGA", start, end, page_size=20,
                                                page_token=page.next_page_token)
        pages.append(page)
    assert [len(p.items) for p in pages] == [20, 20, 8]
    back = seeded_service.list_observations("KLGA", start, end, page_size=20,
                                            page_token=pages[2].prev_page_token)
    assert back.items == pages[1].items
    first = seeded_service.list_observations("KLGA", start, end, page_size=20,
                                             page_token=back.prev_page_token)
    assert first.items == pages[0].items and first.prev_page_token is None


def test_defaults_give_the_last_day_and_week_of_data(seeded_service: WeatherService) -> None:
    page = seeded_service.list_observations("KJFK", page_size=100)
    assert page.items[-1] == seeded_service.get_latest_observation("KJFK")
    assert len(page.items) == 24
    days = seeded_service.daily_summaries("KJFK")
    assert [d.date for d in days] == [date(2013, 12, 24) + timedelta(days=n) for n in range(7)]


def test_the_forecast_is_issued_from_the_latest_observation(
        seeded_service: WeatherService) -> None:
    forecast = seeded_service.get_forecast("KJFK", 7, Units.SI)
    assert forecast.issued_at == datetime(2013, 12, 30, 23, tzinfo=UTC)
    assert forecast.periods[0].start == datetime(2013, 12, 31, 5, tzinfo=UTC)
    assert len(forecast.periods) == 7
    assert all(p.temperature_high is not None and p.temperature_low is not None
               and p.temperature_high > p.temperature_low for p in forecast.periods)
    assert forecast == seeded_service.get_forecast("KJFK", 7, "si")


def test_alerts_follow_new_data(service: WeatherService) -> None:
    assert service.list_alerts("KAAA").items == ()
    service.put_observation(Observation("KAAA", EPOCH, wind_gust=30.0), credential=KEY)
    alerts = service.list_alerts("KAAA").items
    assert [a.event for a in alerts] == ["High Wind Warning"]
    assert service.get_alert(alerts[0].id) == alerts[0]
    with pytest.raises(NotFound):
        service.get_alert("KAAA-WIND-20000101T0000Z")


def test_the_seeded_year_has_alerts_of_every_hazard(seeded_service: WeatherService) -> None:
    events = set()
    token = None
    while True:
        page = seeded_service.list_alerts(page_size=500, page_token=token)
        events.update(a.event for a in page.items)
        token = page.next_page_token
        if not token:
            break
    assert {"Wind Advisory", "High Wind Warning", "Heat Advisory", "Excessive Heat Warning",
            "Cold Weather Advisory", "Heavy Rain Statement", "Flash Flood Warning"} <= events


def test_validate_only_raises_what_the_real_call_would_and_writes_nothing(
        service: WeatherService) -> None:
    checker = service.validate_only()
    sequence = service.current_sequence()
    with pytest.raises(Unauthenticated):
        checker.put_station(Station("KBBB", "", 95.0, 0.0, 0.0, "Not/AZone"), credential=None)
    with pytest.raises(InvalidArgument) as caught:
        checker.put_station(Station("KBBB", "", 95.0, 0.0, 0.0, "Not/AZone"), credential=KEY)
    assert caught.value.details() == ("INVALID_ARGUMENT", ("latitude", "name", "timezone"))
    with pytest.raises(NotFound):  # found inside the write transaction, before writing
        checker.put_observation(Observation("KZZZ", EPOCH, temperature=1.0), credential=KEY)
    with pytest.raises(DryRunReached):
        checker.put_station(Station("KBBB", "Fine", 1.0, 2.0, 3.0, "UTC"), credential=KEY)
    with pytest.raises(DryRunReached):
        checker.delete_station("KAAA", credential=KEY)
    assert service.current_sequence() == sequence
    assert service.get_station("KAAA").name == "Alpha"
    with pytest.raises(NotFound):
        service.get_station("KBBB")


# -- client values that must be an invalid argument, never a server error ------------------


def test_a_poll_or_watch_of_too_many_stations_is_an_invalid_argument(
        service: WeatherService) -> None:
    ids = [f"K{i:03d}" for i in range(300_000 // 1000)] * 1000
    for call in (lambda: service.observations_since(0, ids),
                 lambda: service.watch(ids)):
        with pytest.raises(InvalidArgument) as caught:
            call()
        assert caught.value.details() == ("INVALID_ARGUMENT", ("station_ids",))
    watch = service.subscription()
    with pytest.raises(InvalidArgument):
        watch.subscribe(ids)
    watch.close()


@pytest.mark.parametrize("sequence", [2**63, 2**70])
def test_a_sequence_past_64_bits_is_an_invalid_argument(service: WeatherService,
                                                        sequence: int) -> None:
    for call in (lambda: service.observations_since(sequence, ["KAAA"]),
                 lambda: service.watch(["KAAA"], after_sequence=sequence)):
        with pytest.raises(InvalidArgument) as caught:
            call()
        assert caught.value.details() == ("INVALID_ARGUMENT", ("sequence",))


def test_bounds_at_the_edge_of_the_calendar_are_invalid_arguments(
        service: WeatherService) -> None:
    edge_low, edge_high = datetime.min.replace(tzinfo=UTC), datetime.max.replace(
        tzinfo=UTC, microsecond=0)
    for call in (lambda: service.list_observations("KAAA", end=edge_low),
                 lambda: service.list_observations("KAAA", start=edge_high)):
        with pytest.raises(InvalidArgument) as caught:
            call()
        assert caught.value.details() == ("INVALID_ARGUMENT", ("end", "start"))
    for start, end in ((date(9999, 12, 31), None), (None, date(1, 1, 1)),
                       (date(1, 1, 1), date(1, 1, 2))):
        with pytest.raises(InvalidArgument):
            service.daily_summaries("KAAA", start, end)


def test_a_forged_page_token_of_every_listing_is_an_invalid_argument(
        service: WeatherService) -> None:
    from tests.unit.test_paging import forged

    start, end = EPOCH, EPOCH + timedelta(days=1)
    listings = {
        "stations": (paging.fingerprint("stations"),
                     lambda t: service.list_stations(page_token=t)),
        "observations": (paging.fingerprint("observations", station="KAAA",
                                            start=start.isoformat(), end=end.isoformat(),
                                            units="si"),
                         lambda t: service.list_observations("KAAA", start, end,
                                                             page_token=t)),
        "alerts": (paging.fingerprint("alerts", station="", start="", end=""),
                   lambda t: service.list_alerts(page_token=t)),
    }
    for query, call in listings.values():
        for key in ([10**30], [["nested"]], ["KAAA", 1], [None, None], [1.5e308, "x"]):
            with pytest.raises(InvalidArgument) as caught:
                call(forged(query, key))
            assert caught.value.details() == ("INVALID_ARGUMENT", ("page_token",))
