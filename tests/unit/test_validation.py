"""Input rules, decided once in the core."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.core import InvalidArgument, Observation, ResourceExhausted, Station
from services.core import validation as v
from services.core.errors import MAX_REPORTED_VIOLATIONS, FieldViolation


def fields_of(call) -> set[str]:
    with pytest.raises(InvalidArgument) as caught:
        call()
    return {violation.field for violation in caught.value.violations}


def test_station_ids_are_icao_style() -> None:
    assert v.check_station_id("KJFK") == "KJFK"
    for bad in ("kjfk", "JFK", "KJFK1", "1JFK", "", None, "K JF"):
        assert fields_of(lambda b=bad: v.check_station_id(b)) == {"station_id"}


def test_a_station_reports_every_bad_field_at_once() -> None:
    bad = Station("kx", " ", 91.0, -181.0, 10_000.0, "Mars/Olympus")
    assert fields_of(lambda: v.check_station(bad)) == {
        "id", "name", "latitude", "longitude", "elevation", "timezone"}


@pytest.mark.parametrize("name", ["Nul\x00", "Tab\there", "Bell\x07", "Lone \ud800",
                                  "Non\ufffe", "Non\uffff"])
def test_a_station_name_is_text_without_controls_surrogates_or_noncharacters(name: str) -> None:
    station = Station("KAAA", name, 1.0, 2.0, 3.0, "UTC")
    assert fields_of(lambda: v.check_station(station)) == {"name"}


def test_a_station_name_may_hold_any_other_unicode() -> None:
    name = "Zürich – 東京 ✈ \U0001f327 \x7f\u0085"
    assert v.check_station(Station("KAAA", name, 1.0, 2.0, 3.0, "UTC")).name == name


def test_a_station_is_normalised_to_floats() -> None:
    station = v.check_station(Station("KAAA", "A", 1, 2, 3, "UTC"))  # type: ignore[arg-type]
    assert isinstance(station.latitude, float) and isinstance(station.elevation, float)


def test_observations_have_plausible_ranges() -> None:
    at = datetime(2013, 1, 1, tzinfo=UTC)
    bad = Observation("KJFK", at, temperature=60.1, dewpoint=-90.1, relative_humidity=-1.0,
                      wind_speed=-0.1, wind_direction=360.5, wind_gust=151.0,
                      precipitation_last_hour=-1.0, sea_level_pressure=849.0,
                      visibility=float("nan"))
    assert fields_of(lambda: v.check_observation(bad)) == {
        "temperature", "dewpoint", "relative_humidity", "wind_speed", "wind_direction",
        "wind_gust", "precipitation_last_hour", "sea_level_pressure", "visibility"}
    edge = Observation("KJFK", at, temperature=60.0, relative_humidity=100.0,
                       wind_direction=0.0, visibility=0.0)
    assert v.check_observation(edge) == edge


def test_naive_and_fractional_timestamps_are_refused() -> None:
    naive = datetime(2013, 1, 1)
    assert fields_of(lambda: v.check_timestamp(naive, "start")) == {"start"}
    fractional = datetime(2013, 1, 1, 0, 0, 0, 500, tzinfo=UTC)
    assert fields_of(lambda: v.check_timestamp(fractional, "observed_at")) == {"observed_at"}


def test_ranges_must_run_forward_and_not_too_far() -> None:
    start = datetime(2013, 1, 1, tzinfo=UTC)
    assert fields_of(lambda: v.check_time_range(start, start)) == {"end"}
    assert fields_of(lambda: v.check_time_range(start, start + timedelta(days=367))) == {"end"}
    assert v.check_time_range(start, start + v.MAX_RANGE) == (start, start + v.MAX_RANGE)
    assert fields_of(lambda: v.check_date_range(date(2013, 1, 2), date(2013, 1, 1))) == {"end"}


def test_page_size_defaults_and_limits() -> None:
    assert v.check_page_size(None) == 50
    assert v.check_page_size(500) == 500
    for bad in (-1, 501, True):
        assert fields_of(lambda b=bad: v.check_page_size(b)) == {"page_size"}


def test_forecast_days_run_from_one_to_seven() -> None:
    assert v.check_forecast_days(None) == 7
    assert fields_of(lambda: v.check_forecast_days(0)) == {"days"}
    assert fields_of(lambda: v.check_forecast_days(8)) == {"days"}


def test_an_import_is_limited_in_size() -> None:
    v.check_import_size(v.MAX_IMPORT)
    with pytest.raises(ResourceExhausted):
        v.check_import_size(v.MAX_IMPORT + 1)


def test_a_station_filter_names_at_most_the_limit() -> None:
    assert v.check_station_filter(["KJFK"] * v.MAX_STATION_IDS) == ["KJFK"] * v.MAX_STATION_IDS
    with pytest.raises(InvalidArgument) as caught:
        v.check_station_filter(iter(["KJFK"] * 300_000))
    assert caught.value.details() == ("INVALID_ARGUMENT", ("station_ids",))
    assert str(v.MAX_STATION_IDS) in caught.value.message


@pytest.mark.parametrize("sequence", [-1, 2**63, 2**70, True, 1.0, "5", None])
def test_a_sequence_is_a_signed_64_bit_count(sequence: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        v.check_sequence(sequence)
    assert caught.value.details() == ("INVALID_ARGUMENT", ("sequence",))


def test_the_largest_sequence_is_accepted() -> None:
    assert v.check_sequence(2**63 - 1) == 2**63 - 1


def test_an_invalid_argument_lists_at_most_the_reported_maximum() -> None:
    many = [FieldViolation(f"observations[{i}].temperature", "must be a number")
            for i in range(MAX_REPORTED_VIOLATIONS + 50)]
    error = InvalidArgument(many)
    assert len(error.violations) == MAX_REPORTED_VIOLATIONS
    assert error.omitted == 50
    assert error.message.endswith("and 50 more violation(s) not listed")
    checked = v.Violations()
    for violation in many:
        checked.add(violation.field, violation.description)
    with pytest.raises(InvalidArgument) as caught:
        checked.raise_if_any()
    assert len(caught.value.violations) == MAX_REPORTED_VIOLATIONS


@pytest.mark.parametrize(("start", "end", "field"), [
    (date(9999, 12, 30), date(9999, 12, 31), "start"),
    (date(1, 1, 1), date(1, 1, 2), "start"),
    (date(2013, 1, 1), date(9999, 12, 31), "end"),
])
def test_dates_outside_the_calendar_we_keep_are_refused(start: date, end: date,
                                                        field: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        v.check_date_range(start, end)
    assert caught.value.details() == ("INVALID_ARGUMENT", (field,))


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "right/UTC", "posix/UTC",
                                  "../etc/passwd", "Mars/Olympus_Mons", ""])
def test_a_station_zone_is_an_iana_zone_not_any_file_of_the_zone_database(zone: str) -> None:
    with pytest.raises(InvalidArgument) as refused:
        v.check_station(Station("ZTZA", "Zone test", 40.0, -73.0, 5.0, zone))
    assert {x.field for x in refused.value.violations} == {"timezone"}


@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "Pacific/Kiritimati", "Etc/GMT+5"])
def test_every_iana_zone_is_accepted(zone: str) -> None:
    assert v.check_station(Station("ZTZA", "Zone test", 40.0, -73.0, 5.0, zone)).timezone == zone


@pytest.mark.parametrize(("hours", "minutes", "accepted"), [
    (14, 0, True), (-14, 0, True), (14, 1, False), (-14, -30, False), (23, 59, False)])
def test_a_timestamp_offset_is_one_some_zone_has(hours: int, minutes: int,
                                                 accepted: bool) -> None:
    from datetime import timezone

    at = datetime(2013, 7, 1, tzinfo=timezone(timedelta(hours=hours, minutes=minutes)))
    assert v.is_instant(at) is accepted
    if accepted:
        assert v.check_timestamp(at, "start") == at.astimezone(UTC)
    else:
        with pytest.raises(InvalidArgument, match="start: must have a UTC offset within"):
            v.check_timestamp(at, "start")
