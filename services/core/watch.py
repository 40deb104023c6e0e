"""Live watching of recorded observations, across processes.

A watch is a cursor over the store's change sequence: it remembers the last sequence it has
delivered and asks the store for what came after. Polling a monotonic sequence works for any
number of server processes sharing one SQLite file; a PostgreSQL store could wake watchers with
LISTEN/NOTIFY instead, behind the same :meth:`ObservationWatch.poll`.

The subscribed stations can change while the watch runs (the gRPC bidirectional watch does);
``None`` means every station. Each adapter drives it in its own style: a blocking iterator for
WSGI (Server-Sent Events), an async iterator for asyncio servers (GraphQL subscriptions, gRPC).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from services.core import validation
from services.core.domain import RecordedObservation
from services.core.errors import InvalidArgument
from services.core.units import Units

if TYPE_CHECKING:
    from services.core.service import WeatherService

DEFAULT_POLL_INTERVAL = 0.2
POLL_BATCH = 500


class ObservationWatch:
    def __init__(self, service: WeatherService, station_ids: Iterable[str] | None,
                 units: Units, after_sequence: int | None = None) -> None:
        self._service = service
        self.units = units
        self._lock = threading.Lock()
        self._stations: set[str] | None = None
        if station_ids is not None:
            self._stations = set()
            self.subscribe(station_ids)
        self.sequence = (service.current_sequence() if after_sequence is None
                         else self._checked_sequence(after_sequence))
        self.closed = False

    @staticmethod
    def _checked_sequence(sequence: int) -> int:
        if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
            raise InvalidArgument.single("sequence", "must be a non-negative integer")
        return sequence

    @property
    def station_ids(self) -> frozenset[str] | None:
        with self._lock:
            return None if self._stations is None else frozenset(self._stations)

    def subscribe(self, station_ids: Iterable[str]) -> None:
        """Add stations (each must exist: NotFound otherwise)."""
        ids = list(station_ids)
        for station_id in ids:
            validation.check_station_id(station_id)
            self._service.get_station(station_id)
        with self._lock:
            if self._stations is None:
                self._stations = set()
            self._stations.update(ids)

    def unsubscribe(self, station_ids: Iterable[str]) -> None:
        with self._lock:
            if self._stations is not None:
                self._stations.difference_update(station_ids)

    def poll(self) -> list[RecordedObservation]:
        """What was recorded since the last poll, for the subscribed stations (non-blocking)."""
        stations = self.station_ids
        if stations is not None and not stations:
            self.sequence = max(self.sequence, self._service.current_sequence())
            return []
        found = self._service.observations_since(
            self.sequence, sorted(stations) if stations is not None else None, self.units,
            POLL_BATCH)
        if found:
            self.sequence = found[-1].sequence
        return found

    def close(self) -> None:
        self.closed = True

    def iter(self, stop: Callable[[], bool] | threading.Event | None = None,
             poll_interval: float = DEFAULT_POLL_INTERVAL) -> Iterator[RecordedObservation]:
        """Block and yield observations as they are recorded until ``stop`` or :meth:`close`."""
        event = stop if isinstance(stop, threading.Event) else threading.Event()
        should_stop = stop if callable(stop) and not isinstance(stop, threading.Event) else None
        while not self.closed and not event.is_set() and not (should_stop and should_stop()):
            batch = self.poll()
            yield from batch
            if not batch:
                event.wait(poll_interval)

    async def aiter(self, poll_interval: float = DEFAULT_POLL_INTERVAL
                    ) -> AsyncIterator[RecordedObservation]:
        """Yield observations as they are recorded; the store is read off the event loop.
        Cancelling the consuming task ends the watch."""
        while not self.closed:
            batch = await asyncio.to_thread(self.poll)
            for item in batch:
                yield item
            if not batch:
                await asyncio.sleep(poll_interval)
