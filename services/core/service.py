"""The use cases: the one place where Fourcast's rules live.

Every protocol adapter calls these methods with plain Python values and translates the result
(domain objects) or the error (``services.core.errors``) into its own idiom. Nothing here knows
about HTTP, GraphQL, protobuf or XML.

Conventions shared by every use case:

- times are aware ``datetime`` values; ranges are half-open ``[start, end)`` and at most
  ``MAX_RANGE`` long; naive timestamps are refused;
- reads take ``units`` (``si`` by default or ``us``) and return values converted here;
- writes take SI values and the caller's ``credential`` (an API key, or None), checked here;
- listings are pages with opaque tokens bound to their query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.core import paging, validation
from services.core.alerts import derive_alerts
from services.core.auth import KeyChecker
from services.core.climate import (
    build_forecast,
    group_by_local_day,
    history_ranges,
    local_day_bounds,
    summarize,
)
from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ImportSummary,
    Observation,
    Page,
    RecordedObservation,
    Station,
    WriteResult,
    in_units,
    version_of,
)
from services.core.dry_run import DryRunRepository
from services.core.errors import (
    MAX_REPORTED_VIOLATIONS,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
)
from services.core.ports import Repository
from services.core.units import Units
from services.core.validation import Violations
from services.core.watch import ObservationWatch

DEFAULT_OBSERVATION_WINDOW = timedelta(days=1)
DEFAULT_DAILY_DAYS = 7
__all__ = ["MAX_REPORTED_VIOLATIONS", "WeatherService", "in_units", "observation_name"]


def observation_name(station_id: str, observed_at: datetime) -> str:
    """The resource name of an observation, the same in every protocol's errors."""
    return f"{station_id}/{observed_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


class WeatherService:
    """Fourcast's use cases over a :class:`~services.core.ports.Repository`."""

    def __init__(self, repository: Repository, keys: KeyChecker | None = None) -> None:
        self.repository = repository
        self.keys = keys if keys is not None else KeyChecker.from_env()
        self._lock = threading.Lock()
        self._alerts: dict[str, tuple[int, list[Alert]]] = {}
        self._forecasts: dict[tuple[str, int, Units], tuple[int, Forecast]] = {}
        self._validate_only: WeatherService | None = None

    def validate_only(self) -> WeatherService:
        """The same use cases over a :class:`~services.core.dry_run.DryRunRepository`: each
        raises the error the real call would raise, or DryRunReached where it would write."""
        if self._validate_only is None:
            self._validate_only = WeatherService(DryRunRepository(self.repository), self.keys)
        return self._validate_only

    # -- stations ---------------------------------------------------------------------------

    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> Page[Station]:
        size = validation.check_page_size(page_size)
        query = paging.fingerprint("stations")
        cursor = paging.decode(page_token, query, STATION_KEY)

        def fetch(after: Any, before: Any, limit: int) -> list[Station]:
            return self.repository.list_stations(
                after=after[0] if after else None, before=before[0] if before else None,
                limit=limit)

        return _keyset_page(fetch, lambda s: (s.id,), size, cursor, query)

    def get_station(self, station_id: str) -> Station:
        validation.check_station_id(station_id)
        station = self.repository.get_station(station_id)
        if station is None:
            raise NotFound("station", station_id)
        return station

    def require_stations(self, station_ids: Sequence[str]) -> None:
        """Each id well-formed and an existing station (one batched lookup), or the error
        about the first that is not."""
        for station_id in station_ids:
            validation.check_station_id(station_id)
        found = self.repository.get_stations(list(dict.fromkeys(station_ids)))
        for station_id in station_ids:
            if station_id not in found:
                raise NotFound("station", station_id)

    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        """Batch lookup for DataLoaders: the existing stations among the ids (one query)."""
        for station_id in station_ids:
            validation.check_station_id(station_id)
        return self.repository.get_stations(list(dict.fromkeys(station_ids)))

    def put_station(self, station: Station, *, credential: str | None,
                    if_match: str | None = None) -> WriteResult[Station]:
        """Create or replace a station (idempotent). ``if_match`` names the version the
        caller last saw; a different current version is a FailedPrecondition."""
        self.keys.require_writer(credential)
        station = validation.check_station(station)
        with self.repository.write() as tx:
            _check_version(tx.get_station(station.id), if_match, "station", station.id)
            created = tx.put_station(station)
        return WriteResult(station, created, version_of(station))

    def delete_station(self, station_id: str, *, credential: str | None,
                       if_match: str | None = None) -> None:
        """Delete a station and all its observations."""
        self.keys.require_writer(credential)
        validation.check_station_id(station_id)
        with self.repository.write() as tx:
            current = tx.get_station(station_id)
            if current is None:
                raise NotFound("station", station_id)
            _check_version(current, if_match, "station", station_id)
            tx.delete_station(station_id)

    # -- observations -----------------------------------------------------------------------

    def get_latest_observation(self, station_id: str,
                               units: Units | str | None = None) -> Observation:
        validation.check_station_id(station_id)
        unit_system = Units.parse(units)
        latest = self.repository.latest_observations([station_id]).get(station_id)
        if latest is None:
            self.get_station(station_id)
            raise NotFound("observation", f"{station_id}/latest",
                           f"station {station_id!r} has no observations")
        return in_units(latest, unit_system)

    def get_latest_observations(self, station_ids: Sequence[str],
                                units: Units | str | None = None) -> dict[str, Observation]:
        """Batch lookup for DataLoaders: the latest observation of each station that has one."""
        for station_id in station_ids:
            validation.check_station_id(station_id)
        unit_system = Units.parse(units)
        found = self.repository.latest_observations(list(dict.fromkeys(station_ids)))
        return {k: in_units(v, unit_system) for k, v in found.items()}

    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units | str | None = None) -> Observation:
        validation.check_station_id(station_id)
        at = validation.check_timestamp(observed_at, "observed_at")
        assert at is not None
        unit_system = Units.parse(units)
        obs = self.repository.get_observation(station_id, at)
        if obs is None:
            self.get_station(station_id)
            raise NotFound("observation", observation_name(station_id, at))
        return in_units(obs, unit_system)

    def _observation_range(self, station_id: str, start: datetime | None,
                           end: datetime | None,
                           max_range: timedelta | None) -> tuple[datetime, datetime]:
        """Defaults: ``end`` one day after ``start``; without either, the last day of data."""
        if start is None and end is None:
            span = self.repository.observation_span(station_id)
            end = (span[1] if span else datetime(2000, 1, 1, tzinfo=UTC)) + timedelta(seconds=1)
        if start is None and isinstance(end, datetime):
            start = _shifted(end, -DEFAULT_OBSERVATION_WINDOW)
        if end is None and isinstance(start, datetime):
            end = _shifted(start, DEFAULT_OBSERVATION_WINDOW)
        return validation.check_time_range(start, end, max_range)

    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units | str | None = None) -> Page[Observation]:
        """Observations in [start, end), oldest first, paged."""
        self.get_station(station_id)
        size = validation.check_page_size(page_size)
        unit_system = Units.parse(units)
        s, e = self._observation_range(station_id, start, end, validation.MAX_RANGE)
        query = paging.fingerprint("observations", station=station_id, start=s.isoformat(),
                                   end=e.isoformat(), units=unit_system.value)
        cursor = paging.decode(page_token, query, OBSERVATION_KEY)

        def fetch(after: Any, before: Any, limit: int) -> list[Observation]:
            rows = self.repository.list_observations(
                station_id, s, e,
                after=datetime.fromtimestamp(after[0], UTC) if after else None,
                before=datetime.fromtimestamp(before[0], UTC) if before else None,
                limit=limit)
            return [in_units(o, unit_system) for o in rows]

        return _keyset_page(fetch, lambda o: (int(o.observed_at.timestamp()),), size, cursor,
                            query)

    def iter_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None,
                          units: Units | str | None = None) -> Iterator[Observation]:
        """Every observation in [start, end) oldest first, read in batches as it is consumed
        (for streaming: no page limit and no range limit, memory stays flat)."""
        self.get_station(station_id)
        unit_system = Units.parse(units)
        s, e = self._observation_range(station_id, start, end, None)
        return (in_units(o, unit_system)
                for o in self.repository.iter_observations(station_id, s, e))

    def put_observation(self, observation: Observation, *, credential: str | None,
                        if_match: str | None = None) -> WriteResult[Observation]:
        """Create or replace the observation of a station at an instant (idempotent)."""
        self.keys.require_writer(credential)
        obs = validation.check_observation(observation)
        with self.repository.write() as tx:
            if tx.get_station(obs.station_id) is None:
                raise NotFound("station", obs.station_id)
            current = tx.get_observation(obs.station_id, obs.observed_at)
            _check_version(current, if_match, "observation",
                           observation_name(obs.station_id, obs.observed_at))
            created, _ = tx.put_observations([obs])
        return WriteResult(obs, bool(created), version_of(obs))

    def import_observations(self, observations: Iterable[Observation], *,
                            credential: str | None) -> ImportSummary:
        """Create or replace many observations at once: all of them, or none if any is
        invalid, duplicated, or names an unknown station."""
        self.keys.require_writer(credential)
        batch: list[Observation] = []
        seen: set[tuple[str, datetime]] = set()
        v = Violations()
        for index, observation in enumerate(observations):
            validation.check_import_size(index + 1)
            before = len(v.items)
            if before >= MAX_REPORTED_VIOLATIONS:
                continue  # keep counting (for the size limit) but stop reporting
            checked = validation.check_observation(observation, f"observations[{index}].", v)
            if len(v.items) > before:
                continue
            key = (checked.station_id, checked.observed_at)
            if key in seen:
                v.add(f"observations[{index}].observed_at",
                      "duplicates an earlier observation of the same station and time")
            seen.add(key)
            batch.append(checked)
        v.raise_if_any()
        stations = sorted({o.station_id for o in batch})
        with self.repository.write() as tx:
            for station_id in stations:
                if tx.get_station(station_id) is None:
                    raise NotFound("station", station_id)
            created, replaced = tx.put_observations(batch) if batch else (0, 0)
        times = [o.observed_at for o in batch]
        return ImportSummary(
            imported=len(batch), created=created, replaced=replaced,
            station_ids=tuple(stations),
            first_observed_at=min(times) if times else None,
            last_observed_at=max(times) if times else None)

    def delete_observation(self, station_id: str, observed_at: datetime, *,
                           credential: str | None, if_match: str | None = None) -> None:
        self.keys.require_writer(credential)
        validation.check_station_id(station_id)
        at = validation.check_timestamp(observed_at, "observed_at")
        assert at is not None
        with self.repository.write() as tx:
            current = tx.get_observation(station_id, at)
            if current is None:
                if tx.get_station(station_id) is None:
                    raise NotFound("station", station_id)
                raise NotFound("observation", observation_name(station_id, at))
            _check_version(current, if_match, "observation", observation_name(station_id, at))
            tx.delete_observation(station_id, at)

    # -- watching ---------------------------------------------------------------------------

    def current_sequence(self) -> int:
        """The store's change sequence now: watch or poll from here to see only new data."""
        return self.repository.current_sequence()

    def observations_since(self, sequence: int, station_ids: Sequence[str] | None = None,
                           units: Units | str | None = None,
                           limit: int | None = None) -> list[RecordedObservation]:
        """Observations recorded after change ``sequence`` (the polling form of a watch),
        oldest first. Pass the last ``sequence`` you saw to continue."""
        validation.check_sequence(sequence)
        size = validation.check_page_size(limit)
        unit_system = Units.parse(units)
        ids = validation.check_station_filter(station_ids)
        if ids is not None:
            self.require_stations(ids)
        found = self.repository.observations_after(sequence, ids, size)
        return [RecordedObservation(r.sequence, in_units(r.observation, unit_system))
                for r in found]

    def watch(self, station_ids: Iterable[str] | None = None, units: Units | str | None = None,
              after_sequence: int | None = None) -> ObservationWatch:
        """A live watch of observations as they are recorded (by any process), of the given
        stations (at least one) or, with None, of every station."""
        ids = validation.check_station_filter(station_ids)
        return ObservationWatch(self, ids, Units.parse(units), after_sequence)

    def subscription(self, units: Units | str | None = None) -> ObservationWatch:
        """A live watch that starts with no station: the caller subscribes and unsubscribes
        stations while it runs."""
        return ObservationWatch(self, [], Units.parse(units))

    # -- summaries, forecast, alerts ----------------------------------------------------------

    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None,
                        units: Units | str | None = None) -> list[DailySummary]:
        """One summary per local date in [start, end] (inclusive) that has observations.
        Without dates: the last seven local days of the station's data."""
        station = self.get_station(station_id)
        unit_system = Units.parse(units)
        zone = ZoneInfo(station.timezone)
        if start is not None:
            validation.check_date(start, "start")
        if end is not None:
            validation.check_date(end, "end")
        if start is None or end is None:
            span = self.repository.observation_span(station_id)
            last_day = span[1].astimezone(zone).date() if span else date(2000, 1, 1)
            if end is None:
                end = (start + timedelta(days=DEFAULT_DAILY_DAYS - 1)
                       if isinstance(start, date) else last_day)
            if start is None and isinstance(end, date):
                start = end - timedelta(days=DEFAULT_DAILY_DAYS - 1)
        assert start is not None and end is not None
        first_day, last_day = validation.check_date_range(start, end)
        lo, _ = local_day_bounds(first_day, zone)
        _, hi = local_day_bounds(last_day, zone)
        days = group_by_local_day(self.repository.iter_observations(station_id, lo, hi), zone)
        return [summarize(station_id, day, days[day], unit_system) for day in sorted(days)]

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units | str | None = None) -> Forecast:
        """The demonstration climatological forecast (see ``services.core.climate``)."""
        station = self.get_station(station_id)
        count = validation.check_forecast_days(days)
        unit_system = Units.parse(units)
        sequence = self.repository.current_sequence()
        key = (station_id, count, unit_system)
        with self._lock:
            cached = self._forecasts.get(key)
        if cached and cached[0] == sequence:
            return cached[1]
        span = self.repository.observation_span(station_id)
        if span is None:
            raise NotFound("forecast", station_id,
                           f"station {station_id!r} has no observations to base a forecast on")
        zone = ZoneInfo(station.timezone)
        first_day = span[0].astimezone(zone).date()
        last_day = span[1].astimezone(zone).date()
        targets = [last_day + timedelta(days=n) for n in range(1, count + 1)]
        history = {}
        for a, b in history_ranges(first_day, last_day, targets):
            lo, _ = local_day_bounds(a, zone)
            _, hi = local_day_bounds(b, zone)
            history.update(group_by_local_day(
                self.repository.iter_observations(station_id, lo, hi), zone))
        forecast = build_forecast(station_id, zone, span[1], history, first_day, count,
                                  unit_system)
        with self._lock:
            self._forecasts[key] = (sequence, forecast)
        return forecast

    def _station_alerts(self, station_id: str, sequence: int) -> list[Alert]:
        with self._lock:
            cached = self._alerts.get(station_id)
        if cached and cached[0] == sequence:
            return cached[1]
        far_past, far_future = validation.EARLIEST, validation.LATEST
        alerts = derive_alerts(station_id,
                               self.repository.iter_observations(station_id, far_past, far_future))
        with self._lock:
            self._alerts[station_id] = (sequence, alerts)
        return alerts

    def _all_station_ids(self) -> list[str]:
        ids: list[str] = []
        after = None
        while True:
            batch = self.repository.list_stations(after=after, before=None,
                                                  limit=validation.MAX_PAGE_SIZE)
            ids.extend(s.id for s in batch)
            if len(batch) < validation.MAX_PAGE_SIZE:
                return ids
            after = batch[-1].id

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]:
        """Alerts active at any time in [start, end) (open-ended when omitted), optionally of
        one station, ordered by onset, paged."""
        size = validation.check_page_size(page_size)
        v = Violations()
        s = validation.check_timestamp(start, "start", v) if start is not None else None
        e = validation.check_timestamp(end, "end", v) if end is not None else None
        v.raise_if_any()
        if s is not None and e is not None and s >= e:
            raise InvalidArgument.single("end", "must be after start")
        if station_id is not None:
            self.get_station(station_id)
        query = paging.fingerprint("alerts", station=station_id or "",
                                   start=s.isoformat() if s else "",
                                   end=e.isoformat() if e else "")
        cursor = paging.decode(page_token, query, ALERT_KEY)
        sequence = self.repository.current_sequence()
        stations = [station_id] if station_id is not None else self._all_station_ids()
        alerts = sorted(
            (a for sid in stations for a in self._station_alerts(sid, sequence)
             if (s is None or a.ends > s) and (e is None or a.onset < e)),
            key=_alert_key)

        def fetch(after: Any, before: Any, limit: int) -> list[Alert]:
            if after:
                chosen = [a for a in alerts if _alert_key(a) > tuple(after)][:limit]
            elif before:
                chosen = [a for a in alerts if _alert_key(a) < tuple(before)][-limit:]
            else:
                chosen = alerts[:limit]
            return chosen

        return _keyset_page(fetch, _alert_key, size, cursor, query)

    def get_alert(self, alert_id: str) -> Alert:
        parts = alert_id.split("-") if isinstance(alert_id, str) else []
        if len(parts) != 3:
            raise InvalidArgument.single("alert_id", "must look like KJFK-WIND-20130131T1400Z")
        station_id = parts[0]
        try:
            self.get_station(station_id)
        except InvalidArgument:
            raise InvalidArgument.single(
                "alert_id", "must look like KJFK-WIND-20130131T1400Z") from None
        except NotFound:
            raise NotFound("alert", alert_id) from None
        for alert in self._station_alerts(station_id, self.repository.current_sequence()):
            if alert.id == alert_id:
                return alert
        raise NotFound("alert", alert_id)


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, or ``moment`` itself where that leaves the calendar: a derived bound
    then fails validation like the given one, instead of overflowing."""
    try:
        return moment + delta
    except OverflowError:
        return moment


def _is_instant(value: str) -> bool:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and validation.EARLIEST <= parsed < validation.LATEST


# The sort keys each listing's page tokens carry, checked before they reach a query.
STATION_KEY = paging.key_of(validation.is_station_id)
OBSERVATION_KEY = paging.key_of(paging.is_int_in(int(validation.EARLIEST.timestamp()),
                                                 int(validation.LATEST.timestamp())))
ALERT_KEY = paging.key_of(paging.is_text(40, _is_instant), paging.is_text(64))


def _alert_key(alert: Alert) -> tuple[str, str]:
    return (alert.onset.isoformat(), alert.id)


def _check_version(current: Station | Observation | None, if_match: str | None,
                   kind: str, name: str) -> None:
    if if_match is None:
        return
    if current is None:
        raise FailedPrecondition(f"{kind} {name!r} does not exist, so it cannot match "
                                 f"version {if_match!r}")
    if if_match != "*" and version_of(current) != if_match:
        raise FailedPrecondition(f"{kind} {name!r} has changed: its version is no longer "
                                 f"{if_match!r}")


def _keyset_page(fetch: Any, key: Any, size: int, cursor: paging.Cursor | None,
                 query: str) -> Page[Any]:
    """One page from ``fetch(after, before, limit)`` with next/prev tokens."""
    if cursor is not None and cursor.direction == "before":
        rows = fetch(None, cursor.key, size + 1)
        more_before = len(rows) > size
        items = rows[-size:] if rows else []
        prev_token: str | None = (paging.encode(query, paging.Cursor("before", key(items[0])))
                                  if more_before and items else None)
        next_token: str | None = (paging.encode(query, paging.Cursor("after", key(items[-1])))
                      if items else paging.encode(query, paging.Cursor("after", cursor.key)))
        return Page(tuple(items), next_token, prev_token)
    rows = fetch(cursor.key if cursor else None, None, size + 1)
    items = rows[:size]
    next_token = (paging.encode(query, paging.Cursor("after", key(items[-1])))
                  if len(rows) > size else None)
    prev_token = None
    if cursor is not None:
        anchor = key(items[0]) if items else cursor.key
        prev_token = paging.encode(query, paging.Cursor("before", anchor))
    return Page(tuple(items), next_token, prev_token)
