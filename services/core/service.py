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
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from services.core import paging, validation
from services.core.auth import KeyChecker
from services.core.derived import DEFAULT_DAILY_DAYS, DerivedUseCases
from services.core.domain import (
    Alert,
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
    NotFound,
)
from services.core.keyset import OBSERVATION_KEY, STATION_KEY, keyset_page
from services.core.ports import Repository
from services.core.units import Units
from services.core.validation import Violations
from services.core.watch import ObservationWatch

DEFAULT_OBSERVATION_WINDOW = timedelta(days=1)
__all__ = ["DEFAULT_DAILY_DAYS", "MAX_REPORTED_VIOLATIONS", "WeatherService", "in_units",
           "observation_name"]


def observation_name(station_id: str, observed_at: datetime) -> str:
    """The resource name of an observation, the same in every protocol's errors."""
    return f"{station_id}/{observed_at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


class WeatherService(DerivedUseCases):
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

        return keyset_page(fetch, lambda s: (s.id,), size, cursor, query)

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

        return keyset_page(fetch, lambda o: (int(o.observed_at.timestamp()),), size, cursor,
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

    def claim_once(self, scope: str, token: bytes, lifetime: float) -> bool:
        """Whether ``token`` is used for the first time in ``scope`` within ``lifetime`` seconds
        from now, in every process and replica sharing the store (see
        :meth:`Repository.claim_once`)."""
        return self.repository.claim_once(scope, token, time.time() + lifetime)

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


def _shifted(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, or ``moment`` itself where that leaves the calendar: a derived bound
    then fails validation like the given one, instead of overflowing."""
    try:
        return moment + delta
    except OverflowError:
        return moment


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
