"""Live watching of recorded observations, across processes.

A watch is a cursor over the store's change sequence: it remembers the last sequence it has
delivered and hands out what came after, in sequence order. It does not ask the store itself
while it is caught up: the process's :class:`~services.core.watch_hub.WatchHub` waits for the
sequence to move, reads the new rows once and queues each watch the rows of its stations. A
watch reads the store on its own only to catch up (it resumes from an old sequence, it
subscribed to more stations, or it fell more than ``MAX_PENDING`` rows behind), then rejoins.

The subscribed stations can change while the watch runs (the gRPC bidirectional watch does);
``None`` means every station. Each adapter drives it in its own style: :meth:`poll` (never
blocks on a quiet store), :meth:`wait` (blocks until there is something to poll), a blocking
iterator for WSGI (Server-Sent Events), an async iterator for asyncio servers (GraphQL
subscriptions, gRPC). Waiting threads and event loops are woken by the hub, never by a timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

from services.core import validation
from services.core.domain import RecordedObservation, in_units
from services.core.errors import FourcastError
from services.core.units import Units
from services.core.watch_hub import hub_for, missing_station_error

if TYPE_CHECKING:
    from services.core.ports import Repository

DEFAULT_POLL_INTERVAL = 0.2  # kept for callers that pace their own poll loop
STOP_CHECK_INTERVAL = 1.0
POLL_BATCH = 500
MAX_PENDING = 10_000

Converted = dict[tuple[int, Units], RecordedObservation]


class WatchSource(Protocol):
    """What a watch needs of the service (``WeatherService`` provides it)."""

    repository: Repository

    def current_sequence(self) -> int: ...

    def require_stations(self, station_ids: Sequence[str]) -> None: ...

    def observations_since(self, sequence: int, station_ids: Sequence[str] | None = None,
                           units: Units | str | None = None,
                           limit: int | None = None) -> list[RecordedObservation]: ...


class ObservationWatch:
    def __init__(self, service: WatchSource, station_ids: Iterable[str] | None,
                 units: Units, after_sequence: int | None = None) -> None:
        self._service = service
        self.units = units
        self._hub = hub_for(service.repository)
        self._lock = self._hub.lock
        self._changed = threading.Condition(self._lock)
        self._async_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._pending: deque[RecordedObservation] = deque()
        self._covered = False  # the hub queues this watch's rows (see watch_hub)
        self._generation = 0  # moves whenever the stations change or the queue is dropped
        self._error: FourcastError | None = None
        self._stations: set[str] | None = None
        self.closed = False
        self.sequence = self._position = 0
        if station_ids is not None:
            self._stations = set()
            self.subscribe(station_ids)
        self.sequence = (service.current_sequence() if after_sequence is None
                         else validation.check_sequence(after_sequence))
        self._position = self.sequence  # every row of ours up to here is delivered or queued
        self._hub.add(self)
        with self._lock:
            self._covered = self._position >= self._hub.position

    @property
    def station_ids(self) -> frozenset[str] | None:
        with self._lock:
            return None if self._stations is None else frozenset(self._stations)

    def subscribe(self, station_ids: Iterable[str]) -> None:
        """Add stations (each must exist: NotFound otherwise; at most MAX_STATION_IDS)."""
        ids = list(station_ids)
        with self._lock:
            known = set(self._stations or ())
        validation.check_station_count(len(ids))
        validation.check_station_count(len(known.union(ids)))
        self._service.require_stations(ids)
        with self._lock:
            if self._stations is None:
                self._stations = set()
            if not self._stations.issuperset(ids):
                self._stations.update(ids)
                # Rows of the new stations since ``sequence`` are not queued: read them.
                self.uncover()

    def unsubscribe(self, station_ids: Iterable[str]) -> None:
        station_ids = list(station_ids)
        validation.check_station_count(len(station_ids))
        with self._lock:
            if self._stations is not None:
                self._stations.difference_update(station_ids)
                kept = self._stations
                self._pending = deque(r for r in self._pending
                                      if r.observation.station_id in kept)
                self._generation += 1
                self._skip_if_nothing_watched()

    # -- fed by the hub (called with the hub's lock held) -----------------------------------

    def covered_stations(self) -> frozenset[str]:
        return frozenset(self._stations or ()) if self._covered and not self.closed \
            else frozenset()

    def uncover(self) -> None:
        """Stop being fed by the hub: drop the queue; the next poll reads from ``sequence``
        (then rejoins)."""
        with self._lock:
            self._covered = False
            self._pending.clear()
            self._position = self.sequence
            self._generation += 1
            self._wake()

    def deliver(self, rows: Sequence[RecordedObservation],
                by_station: dict[str, list[RecordedObservation]], position: int,
                missing: set[str], converted: Converted) -> None:
        if self.closed or not self._covered:
            return
        stations = self._stations
        if stations is None:
            matched: Iterable[RecordedObservation] = rows
        elif len(stations) < len(by_station):
            matched = sorted((r for s in stations for r in by_station.get(s, ())),
                             key=lambda r: r.sequence)
        else:
            matched = (r for r in rows if r.observation.station_id in stations)
        added = False
        for row in matched:
            if row.sequence > self._position:
                self._pending.append(self._converted(row, converted))
                added = True
        self._position = max(self._position, position)
        self._skip_if_nothing_watched()
        error = missing_station_error(missing, stations or ())
        if error is not None:
            self._error = error
        if len(self._pending) > MAX_PENDING:
            self.uncover()  # too far behind: catch up by its own reads, memory stays flat
        elif added or error is not None:
            self._wake()

    def _skip_if_nothing_watched(self) -> None:
        """With no station, move the cursor with the store: a station subscribed later starts
        from then, not from whenever the last row was delivered."""
        if self._stations is not None and not self._stations and not self._pending:
            self.sequence = max(self.sequence, self._position)

    def _converted(self, row: RecordedObservation, converted: Converted) -> RecordedObservation:
        if self.units is Units.SI:
            return row
        key = (row.sequence, self.units)
        found = converted.get(key)
        if found is None:
            found = converted[key] = RecordedObservation(
                row.sequence, in_units(row.observation, self.units))
        return found

    def _wake(self) -> None:
        self._changed.notify_all()
        waiters, self._async_waiters = self._async_waiters, []
        for loop, future in waiters:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there
                loop.call_soon_threadsafe(_resolve, future)

    # -- consumed by the adapters -----------------------------------------------------------

    def _ready(self) -> bool:
        return self.closed or self._error is not None or bool(self._pending) \
            or not self._covered

    def _take(self) -> list[RecordedObservation] | None:
        """What is queued, without the store; None when only a read of the store can tell."""
        with self._lock:
            if self._error is not None:
                raise self._error
            if self._pending:
                batch = [self._pending.popleft()
                         for _ in range(min(POLL_BATCH, len(self._pending)))]
                self.sequence = batch[-1].sequence
                return batch
            if not self._covered or (self._stations is not None and not self._stations):
                return None
            return []

    def _read(self) -> list[RecordedObservation]:
        """Catch up by a read of the store, and rejoin the hub's fan-out once caught up."""
        if not self.closed:
            self._hub.add(self)  # (re)starts the hub if it stopped
        with self._lock:
            generation, hub_position = self._generation, self._hub.position
            after, stations = self.sequence, self._stations
        if stations is not None and not stations:
            # No station: nothing to deliver, but move on, so a station subscribed later
            # starts from now rather than from whenever its last row was delivered.
            found: list[RecordedObservation] = []
            caught_up_to = self._service.current_sequence()
        else:
            found = self._service.observations_since(
                after, sorted(stations) if stations is not None else None, self.units,
                POLL_BATCH)
            caught_up_to = found[-1].sequence if found else after
        with self._lock:
            if generation != self._generation:
                # The stations changed meanwhile: this read answered another question. Drop
                # it (the cursor has not moved) and read again for the stations now asked.
                return []
            self.sequence = self._position = max(self.sequence, caught_up_to)
            if len(found) < POLL_BATCH and hub_position == self._hub.position:
                # Everything up to the hub's position was visible to this read.
                self._position = max(self._position, hub_position)
                self._covered = True
        return found

    def poll(self) -> list[RecordedObservation]:
        """What was recorded since the last poll, for the subscribed stations (non-blocking;
        no store access while the watch is caught up)."""
        batch = self._take()
        return self._read() if batch is None else batch

    def wait(self, timeout: float | None = None) -> bool:
        """Block until :meth:`poll` may have something (or the watch closed), at most
        ``timeout`` seconds; False on a timeout."""
        with self._changed:
            return self._changed.wait_for(self._ready, timeout)

    def close(self) -> None:
        with self._lock:
            self.closed = True
            self._wake()
        self._hub.remove(self)

    def iter(self, stop: Callable[[], bool] | threading.Event | None = None,
             poll_interval: float = STOP_CHECK_INTERVAL) -> Iterator[RecordedObservation]:
        """Block and yield observations as they are recorded until ``stop`` or :meth:`close`.
        :meth:`close` wakes it at once; ``stop`` is checked every ``poll_interval`` seconds."""
        event = stop if isinstance(stop, threading.Event) else None
        check = stop if callable(stop) and event is None else None

        def stopped() -> bool:
            return self.closed or (event is not None and event.is_set()) \
                or (check is not None and check())

        while not stopped():
            batch = self.poll()
            yield from batch
            if not batch:
                self.wait(poll_interval if stop is not None else None)

    async def aiter(self, poll_interval: float | None = None
                    ) -> AsyncIterator[RecordedObservation]:
        """Yield observations as they are recorded; reads of the store (only to catch up) run
        off the event loop. Cancelling the consuming task ends the watch. ``poll_interval`` is
        accepted for compatibility and unused: the hub wakes the loop."""
        loop = asyncio.get_running_loop()
        while not self.closed:
            batch = self._take()
            if batch is None:
                batch = await asyncio.to_thread(self._read)
            for item in batch:
                yield item
            if not batch:
                await self._wait_async(loop)

    async def _wait_async(self, loop: asyncio.AbstractEventLoop) -> None:
        future: asyncio.Future[None] = loop.create_future()
        entry = (loop, future)
        with self._lock:
            if self._ready():
                return
            self._async_waiters.append(entry)
        try:
            await future
        finally:
            with self._lock:
                if entry in self._async_waiters:
                    self._async_waiters.remove(entry)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
