"""Input rules, written once. Every use case validates here and raises InvalidArgument.

Adapters parse their protocol's input into plain Python values (``datetime``, ``float``, ``str``)
and pass them in untouched: range checks, formats, naive timestamps and limits are decided here,
so the four protocols reject exactly the same inputs with exactly the same field violations.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from services.core.domain import Observation, Station
from services.core.errors import FieldViolation, InvalidArgument, ResourceExhausted
from services.core.units import Units

STATION_ID_PATTERN = r"^[A-Z][A-Z0-9]{3}$"
_STATION_ID = re.compile(STATION_ID_PATTERN)
STATION_NAME_MAX_LENGTH = 100
# Not text to show anyone: C0 controls, lone surrogates and the noncharacters U+FFFE/U+FFFF.
# (These are also what XML 1.0 cannot carry, beyond tab, newline and carriage return.)
_NOT_TEXT = re.compile("[\x00-\x1f\ud800-\udfff\ufffe\uffff]")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_RANGE = timedelta(days=366)
MAX_DAILY_DAYS = 366
MAX_FORECAST_DAYS = 7
MAX_IMPORT = 50_000
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
MAX_UTC_OFFSET = timedelta(hours=14)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# One filter names at most this many stations: a bound on the store query it becomes.
MAX_STATION_IDS = 1000
# The change sequence is a signed 64-bit integer in every store and on every wire.
MAX_SEQUENCE = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Bounds:
    low: float
    high: float


# Plausible physical ranges, in SI (inputs are always SI).
STATION_BOUNDS: dict[str, Bounds] = {
    "latitude": Bounds(-90, 90),
    "longitude": Bounds(-180, 180),
    "elevation": Bounds(-500, 9000),
}
OBSERVATION_BOUNDS: dict[str, Bounds] = {
    "temperature": Bounds(-90, 60),
    "dewpoint": Bounds(-90, 60),
    "relative_humidity": Bounds(0, 100),
    "wind_speed": Bounds(0, 120),
    "wind_direction": Bounds(0, 360),
    "wind_gust": Bounds(0, 150),
    "precipitation_last_hour": Bounds(0, 500),
    "sea_level_pressure": Bounds(850, 1100),
    "visibility": Bounds(0, 100_000),
}


class Violations:
    """Collects field violations, then raises them all at once."""

    def __init__(self, prefix: str = "") -> None:
        self.prefix = prefix
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(f"{self.prefix}{field}", description))

    def raise_if_any(self) -> None:
        if self.items:
            raise InvalidArgument(self.items)


def _check_number(v: Violations, field: str, value: object, bounds: Bounds,
                  required: bool) -> None:
    if value is None:
        if required:
            v.add(field, "is required")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        v.add(field, "must be a number")
    elif not math.isfinite(value):
        v.add(field, "must be a finite number")
    elif not bounds.low <= value <= bounds.high:
        v.add(field, f"must be between {bounds.low:g} and {bounds.high:g}")


def check_station_id(station_id: object, field: str = "station_id") -> str:
    if not isinstance(station_id, str) or not _STATION_ID.match(station_id):
        raise InvalidArgument.single(
            field, "must be an ICAO-style id: 4 characters, A-Z and 0-9, starting with a letter")
    return station_id


def is_station_id(value: object) -> bool:
    return isinstance(value, str) and _STATION_ID.match(value) is not None


def check_station_count(count: int) -> None:
    if count > MAX_STATION_IDS:
        raise InvalidArgument.single(
            "station_ids", f"must name at most {MAX_STATION_IDS} stations ({count} given)")


def check_station_filter(station_ids: Iterable[str] | None) -> list[str] | None:
    """Stations to watch or poll: None for every station, else at least one (a filter of
    nothing would match nothing, for ever) and at most MAX_STATION_IDS."""
    if station_ids is None:
        return None
    ids = []
    for station_id in station_ids:
        ids.append(station_id)
        check_station_count(len(ids))  # stops early: a huge filter is never copied whole
    if not ids:
        raise InvalidArgument.single("station_ids", "must name at least one station")
    return ids


def check_sequence(sequence: object, field: str = "sequence") -> int:
    """A change sequence to resume after: an integer in 0..2**63-1."""
    if isinstance(sequence, bool) or not isinstance(sequence, int) \
            or not 0 <= sequence <= MAX_SEQUENCE:
        raise InvalidArgument.single(field, f"must be an integer between 0 and {MAX_SEQUENCE}")
    return sequence


def is_instant(value: datetime) -> bool:
    """Whether ``value`` names an instant the core accepts the zone of: aware, with an offset
    within ±14:00. Clients that send instants in UTC send any other value as given instead,
    so that the server's core judges it as it judges it in every protocol."""
    offset = value.utcoffset()
    return offset is not None and abs(offset) <= MAX_UTC_OFFSET


def check_timestamp(value: object, field: str, v: Violations | None = None) -> datetime | None:
    """An aware datetime in whole seconds within 1900–2100, normalised to UTC."""
    own = v is None
    v = v or Violations()
    result: datetime | None = None
    if not isinstance(value, datetime):
        v.add(field, "must be a timestamp")
    elif value.tzinfo is None or value.utcoffset() is None:
        v.add(field, "must include a time zone (naive timestamps are ambiguous)")
    elif abs(value.utcoffset() or timedelta(0)) > MAX_UTC_OFFSET:
        v.add(field, "must have a UTC offset within ±14:00 (as every real time zone and XML "
                     "Schema's dateTime)")
    elif value.microsecond:
        v.add(field, "must be a whole second")
    elif not EARLIEST <= value < LATEST:
        v.add(field, "must be between 1900 and 2100")
    else:
        result = value.astimezone(UTC)
    if own:
        v.raise_if_any()
    return result


@cache
def iana_zone_names() -> frozenset[str]:
    """The IANA zone names (tzdata's list), without the files a zone database also holds that
    are not zones: ``localtime``, ``posixrules``, ``right/…`` and ``posix/…`` copies."""
    return frozenset(name for name in available_timezones()
                     if name != "localtime" and not name.startswith(("right/", "posix/")))


def check_station(station: Station) -> Station:
    v = Violations()
    if not isinstance(station.id, str) or not _STATION_ID.match(station.id):
        v.add("id", "must be an ICAO-style id: 4 characters, A-Z and 0-9, starting with a letter")
    name = station.name
    if not isinstance(name, str) or not name.strip():
        v.add("name", "is required")
    elif len(name) > STATION_NAME_MAX_LENGTH:
        v.add("name", f"must be at most {STATION_NAME_MAX_LENGTH} characters")
    elif _NOT_TEXT.search(name):
        v.add("name", "must not contain control characters, surrogates or noncharacters")
    for field, bounds in STATION_BOUNDS.items():
        _check_number(v, field, getattr(station, field), bounds, required=True)
    tz = station.timezone
    try:
        if not isinstance(tz, str) or tz not in iana_zone_names():
            raise ZoneInfoNotFoundError
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        v.add("timezone", "must be an IANA time zone name, e.g. America/New_York")
    v.raise_if_any()
    # Normalised, so that 400 and 400.0 are the same station (and the same version).
    floats: dict[str, Any] = {f: float(getattr(station, f)) for f in STATION_BOUNDS}
    return replace(station, **floats)


def check_observation(obs: Observation, prefix: str = "",
                      v: Violations | None = None) -> Observation:
    """Validate an SI observation; with ``v`` given, collect instead of raising."""
    own = v is None
    v = v or Violations()
    saved, v.prefix = v.prefix, prefix
    if not isinstance(obs.station_id, str) or not _STATION_ID.match(obs.station_id):
        v.add("station_id", "must be an ICAO-style id: 4 characters, A-Z and 0-9, "
                            "starting with a letter")
    at = check_timestamp(obs.observed_at, "observed_at", v)
    if obs.units is not Units.SI:
        v.add("units", "observations are written in SI units")
    for field, bounds in OBSERVATION_BOUNDS.items():
        _check_number(v, field, getattr(obs, field), bounds, required=False)
    v.prefix = saved
    if own:
        v.raise_if_any()
    if v.items or at is None:
        return obs
    floats: dict[str, Any] = {
        f: float(getattr(obs, f)) for f in OBSERVATION_BOUNDS if getattr(obs, f) is not None}
    return replace(obs, observed_at=at, **floats)


def check_page_size(page_size: int | None) -> int:
    if page_size is None or page_size == 0:
        return DEFAULT_PAGE_SIZE
    if isinstance(page_size, bool) or not isinstance(page_size, int) \
            or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidArgument.single("page_size", f"must be between 1 and {MAX_PAGE_SIZE}")
    return page_size


def check_time_range(start: datetime | None, end: datetime | None,
                     max_range: timedelta | None = MAX_RANGE) -> tuple[datetime, datetime]:
    """A half-open [start, end) range: both aware, start before end, not longer than allowed."""
    v = Violations()
    s = check_timestamp(start, "start", v)
    e = check_timestamp(end, "end", v)
    v.raise_if_any()
    assert s is not None and e is not None
    if s >= e:
        raise InvalidArgument.single("end", "must be after start")
    if max_range is not None and e - s > max_range:
        raise InvalidArgument.single("end", f"range must be at most {max_range.days} days")
    return s, e


def check_date(value: object, field: str) -> date:
    """A calendar date within 1900-2099 (so a day's bounds never overflow)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidArgument.single(field, "must be a date (YYYY-MM-DD)")
    if not EARLIEST.date() <= value < LATEST.date():
        raise InvalidArgument.single(field, "must be between 1900 and 2100")
    return value


def check_date_range(start: date, end: date) -> tuple[date, date]:
    """An inclusive range of local dates, at most MAX_DAILY_DAYS days."""
    check_date(start, "start")
    check_date(end, "end")
    if start > end:
        raise InvalidArgument.single("end", "must not be before start")
    if (end - start).days + 1 > MAX_DAILY_DAYS:
        raise InvalidArgument.single("end", f"range must be at most {MAX_DAILY_DAYS} days")
    return start, end


def check_forecast_days(days: int | None) -> int:
    if days is None:
        return MAX_FORECAST_DAYS
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_FORECAST_DAYS:
        raise InvalidArgument.single("days", f"must be between 1 and {MAX_FORECAST_DAYS}")
    return days


def check_import_size(count: int) -> None:
    if count > MAX_IMPORT:
        raise ResourceExhausted(f"an import holds at most {MAX_IMPORT} observations")
