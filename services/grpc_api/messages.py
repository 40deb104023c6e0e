"""Domain objects ↔ ``fourcast.weather.v1`` messages, and the resource names, both directions.

The server renders core results with the ``*_message`` functions and parses requests with the
``parse_*`` ones; the gRPC client uses the same module the other way round, so the two can never
disagree on a field. Parsing only turns wire values into plain Python values (a resource name
into an id, a Timestamp into an aware ``datetime``); whether a value is acceptable is the core's
decision, except for a malformed resource name, which has no core meaning.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from fourcast.weather.v1 import weather_pb2 as pb
from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ForecastPeriod,
    ImportSummary,
    Observation,
    RecordedObservation,
    Severity,
    Station,
)
from services.core.errors import InvalidArgument
from services.core.units import MEASUREMENTS, Units

ALL_STATIONS = "stations/-"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

_UNITS_TO_WIRE = {Units.SI: pb.UNITS_SI, Units.US: pb.UNITS_US}
_UNITS_FROM_WIRE = {pb.UNITS_UNSPECIFIED: None, pb.UNITS_SI: "si", pb.UNITS_US: "us"}
_SEVERITY_TO_WIRE = {s: pb.Severity.Value(f"SEVERITY_{s.name}") for s in Severity}
_SEVERITY_FROM_WIRE = {v: s for s, v in _SEVERITY_TO_WIRE.items()}

# -- resource names ------------------------------------------------------------------------


def station_name(station_id: str) -> str:
    return f"stations/{station_id}"


def observation_resource(station_id: str, observed_at: datetime) -> str:
    return f"stations/{station_id}/observations/{rfc3339(observed_at)}"


def rfc3339(at: datetime) -> str:
    """An instant as RFC 3339; a naive one stays naive (no offset) so the core can refuse it."""
    if at.tzinfo is None:
        return at.isoformat()
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _malformed(field: str, pattern: str) -> InvalidArgument:
    return InvalidArgument.single(field, f"must be a resource name like {pattern}")


def parse_station_name(name: str, field: str = "name") -> str:
    """``stations/KJFK`` → ``KJFK``. The id itself, empty too, is the core's to check, so
    ``stations/`` gets the same ``station_id`` violation as an empty id in every protocol."""
    prefix, slash, station_id = name.partition("/")
    if prefix != "stations" or not slash:
        raise _malformed(field, "stations/KJFK")
    return station_id


def parse_observation_name(name: str) -> tuple[str, datetime]:
    """``stations/KJFK/observations/2013-07-01T12:00:00Z`` → (``KJFK``, that instant)."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "stations" or parts[2] != "observations":
        raise _malformed("name", "stations/KJFK/observations/2013-07-01T12:00:00Z")
    try:
        at = datetime.fromisoformat(parts[3])
    except ValueError:
        raise _malformed("name", "stations/KJFK/observations/2013-07-01T12:00:00Z") from None
    return parts[1], at


def parse_forecast_name(name: str) -> str:
    parts = name.split("/")
    if len(parts) != 3 or parts[0] != "stations" or parts[2] != "forecast":
        raise _malformed("name", "stations/KJFK/forecast")
    return parts[1]


def parse_alert_name(name: str) -> str:
    prefix, slash, alert_id = name.partition("/")
    if prefix != "alerts" or not slash:
        raise _malformed("name", "alerts/KJFK-WIND-20130131T1400Z")
    return alert_id


def parse_station_names(names: Any, field: str = "stations") -> list[str] | None:
    """A list of station names; ``stations/-`` among them means every station (None)."""
    if ALL_STATIONS in names:
        return None
    return [parse_station_name(n, field) for n in names]


# -- scalar types --------------------------------------------------------------------------


def timestamp(at: datetime, field: str = "time") -> Timestamp:
    """A Timestamp names an instant: a naive ``datetime`` has none to send (the clients'
    callers get the same violation the core would give them)."""
    return Timestamp(seconds=_epoch_seconds(at, field), nanos=at.microsecond * 1000)


def _epoch_seconds(at: datetime, field: str) -> int:
    """The whole seconds of ``at`` since the epoch (exact integer arithmetic, no float)."""
    if at.tzinfo is None:
        raise InvalidArgument.single(
            field, "must include a time zone (naive timestamps are ambiguous)")
    return (at - _EPOCH) // _SECOND


def from_timestamp(ts: Timestamp, field: str = "time") -> datetime:
    try:
        return (datetime.fromtimestamp(ts.seconds, UTC)
                + timedelta(microseconds=ts.nanos // 1000))
    except (OverflowError, OSError, ValueError):
        raise InvalidArgument.single(field, "is not a representable timestamp") from None


def optional_time(message: Any, field: str, name: str | None = None) -> datetime | None:
    """An optional Timestamp field: None when it is not set. ``name`` is the core's name of
    the value, used in a violation."""
    if not message.HasField(field):
        return None
    return from_timestamp(getattr(message, field), name or field)


def units_from_wire(value: int) -> str | None:
    """The requested unit system; an unknown enum number is passed on for the core to refuse."""
    return _UNITS_FROM_WIRE.get(value, str(value))  # type: ignore[call-overload]


def units_to_wire(units: Units) -> pb.Units:
    return _UNITS_TO_WIRE[units]


def units_of(message: Any) -> Units:
    return Units.US if message.units == pb.UNITS_US else Units.SI


def date_message(day: date) -> pb.Date:
    return pb.Date(year=day.year, month=day.month, day=day.day)


def optional_date(message: Any, field: str) -> date | None:
    if not message.HasField(field):
        return None
    value = getattr(message, field)
    try:
        return date(value.year, value.month, value.day)
    except ValueError:
        raise InvalidArgument.single(field, "must be a valid calendar date") from None


def _optionals(message: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(message, n) if message.HasField(n) else None for n in names}


def _set_present(values: dict[str, Any]) -> dict[str, Any]:
    """Only the measured values: an unset optional field is a missing measurement."""
    return {k: v for k, v in values.items() if v is not None}


# -- entities ------------------------------------------------------------------------------


def station_message(station: Station, etag: str = "") -> pb.Station:
    return pb.Station(name=station_name(station.id), display_name=station.name,
                      latitude=station.latitude, longitude=station.longitude,
                      elevation=station.elevation, time_zone=station.timezone, etag=etag)


def parse_station(message: pb.Station) -> Station:
    return Station(parse_station_name(message.name, "station.name"), message.display_name,
                   message.latitude, message.longitude, message.elevation, message.time_zone)


def observation_message(obs: Observation) -> pb.Observation:
    return fill_observation(pb.Observation(), obs)


def fill_observation(message: pb.Observation, obs: Observation) -> pb.Observation:
    """Set ``obs`` on an empty ``message`` (a repeated field's ``add()`` too, which saves
    copying a finished message into the list). The hot path of every observation answer:
    fields set one by one cost half of building the message from keyword arguments and a
    separate Timestamp (upb)."""
    at = obs.observed_at
    message.units = _UNITS_TO_WIRE[obs.units]
    message.observe_time.seconds = _epoch_seconds(at, "time")
    if at.microsecond:
        message.observe_time.nanos = at.microsecond * 1000
    message.name = observation_resource(obs.station_id, at)
    message.station = station_name(obs.station_id)
    for name in MEASUREMENTS:
        value = getattr(obs, name)
        if value is not None:  # an unset field is a missing measurement
            setattr(message, name, value)
    return message


def parse_observation(message: pb.Observation, field: str = "station_id") -> Observation:
    """An observation as written: the measurements are SI, whatever ``units`` says."""
    observed_at: Any = optional_time(message, "observe_time", "observed_at")  # None: the core
    return Observation(parse_station_name(message.station, field), observed_at,  # refuses it
                       units=units_of(message), **_optionals(message, MEASUREMENTS))


def recorded_message(recorded: RecordedObservation) -> pb.RecordedObservation:
    return pb.RecordedObservation(sequence=recorded.sequence,
                                  observation=observation_message(recorded.observation))


_SUMMARY_VALUES = ("temperature_min", "temperature_max", "temperature_mean",
                   "precipitation_total", "wind_gust_max")


def daily_summary_message(day: DailySummary) -> pb.DailySummary:
    values = {n: getattr(day, n) for n in _SUMMARY_VALUES}
    return pb.DailySummary(station=station_name(day.station_id), date=date_message(day.date),
                           observation_count=day.observation_count,
                           units=units_to_wire(day.units), **_set_present(values))


def parse_daily_summary(message: pb.DailySummary) -> DailySummary:
    d = message.date
    return DailySummary(parse_station_name(message.station, "station"),
                        date(d.year, d.month, d.day),
                        observation_count=message.observation_count, units=units_of(message),
                        **_optionals(message, _SUMMARY_VALUES))


_PERIOD_VALUES = ("temperature_high", "temperature_low", "precipitation_chance", "wind_speed",
                  "wind_direction")


def forecast_message(forecast: Forecast) -> pb.Forecast:
    periods = [pb.ForecastPeriod(
        number=p.number, display_name=p.name, start_time=timestamp(p.start),
        end_time=timestamp(p.end), summary=p.summary,
        **_set_present({n: getattr(p, n) for n in _PERIOD_VALUES}))
        for p in forecast.periods]
    return pb.Forecast(name=f"stations/{forecast.station_id}/forecast",
                       issue_time=timestamp(forecast.issued_at),
                       units=units_to_wire(forecast.units), periods=periods)


def parse_forecast(message: pb.Forecast) -> Forecast:
    periods = tuple(ForecastPeriod(
        p.number, p.display_name, from_timestamp(p.start_time), from_timestamp(p.end_time),
        summary=p.summary, **_optionals(p, _PERIOD_VALUES)) for p in message.periods)
    return Forecast(parse_forecast_name(message.name), from_timestamp(message.issue_time),
                    units_of(message), periods)


def alert_message(alert: Alert) -> pb.Alert:
    return pb.Alert(name=f"alerts/{alert.id}", station=station_name(alert.station_id),
                    event=alert.event, severity=_SEVERITY_TO_WIRE[alert.severity],
                    headline=alert.headline, description=alert.description,
                    onset_time=timestamp(alert.onset), end_time=timestamp(alert.ends))


def parse_alert(message: pb.Alert) -> Alert:
    return Alert(parse_alert_name(message.name), parse_station_name(message.station, "station"),
                 message.event, _SEVERITY_FROM_WIRE[message.severity], message.headline,
                 message.description, from_timestamp(message.onset_time),
                 from_timestamp(message.end_time))


def import_summary_message(summary: ImportSummary) -> pb.ImportObservationsResponse:
    message = pb.ImportObservationsResponse(
        imported=summary.imported, created=summary.created, replaced=summary.replaced,
        stations=[station_name(s) for s in summary.station_ids])
    if summary.first_observed_at is not None:
        message.first_observe_time.CopyFrom(timestamp(summary.first_observed_at))
    if summary.last_observed_at is not None:
        message.last_observe_time.CopyFrom(timestamp(summary.last_observed_at))
    return message


def parse_import_summary(message: pb.ImportObservationsResponse) -> ImportSummary:
    return ImportSummary(
        message.imported, message.created, message.replaced,
        tuple(parse_station_name(s, "stations") for s in message.stations),
        optional_time(message, "first_observe_time"), optional_time(message, "last_observe_time"))
