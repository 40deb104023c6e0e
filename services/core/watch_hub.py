"""One waiter on the store per process, fanned out to every open watch.

A :class:`WatchHub` belongs to one repository. While at least one watch is open, one daemon
thread calls :meth:`Repository.wait_for_change` (the default polls the change sequence; a
notifying store wakes it at once), and when the sequence moves it reads the new rows ONCE, with
no station filter and in batches, and hands each watch the rows of its stations. The store's
cost per change is therefore independent of the number of watchers, and an idle watch costs
nothing: no timer, no poll, no thread of its own.

A watch the hub feeds is *covered*: everything recorded up to :attr:`WatchHub.position` for its
stations is already delivered or queued in it. A watch that is not covered (it resumes from an
old sequence, it changed its stations, or it fell too far behind) catches up with reads of its
own and rejoins; see :meth:`services.core.watch.ObservationWatch.poll`.

After every change the hub also checks, in one batched lookup, that the watched stations still
exist, so a watch of a station deleted meanwhile ends with NotFound as it always did.

The thread is a daemon (it never keeps a process from exiting) and ends after its last watch
closes; a store failure is retried with back-off, losing nothing, since the position moves
only with what was delivered. A forked child starts hubs of its own.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from services.core.domain import RecordedObservation
from services.core.errors import NotFound
from services.core.ports import Repository
from services.core.units import Units

if TYPE_CHECKING:
    from services.core.watch import ObservationWatch

HUB_BATCH = 500
# Long enough to cost nothing, short enough that the thread notices when its last watch closed.
WAIT_TIMEOUT = 1.0  # (a store read or two a second per process, however many watches)
STATION_LOOKUP_BATCH = 500
RETRY_FIRST, RETRY_MAX = 0.5, 10.0

log = logging.getLogger(__name__)


class WatchHub:
    """The change listener of one repository in this process."""

    def __init__(self, repository: Repository) -> None:
        # Weak, so the registry of hubs never keeps a store (and its connections) alive.
        self._repository = weakref.ref(repository)
        # One lock for the hub and the state of every watch it feeds: fan-out and polls are
        # short, and one lock makes "covered" and "position" move together.
        self.lock = threading.RLock()
        self.position = 0
        self._watches: weakref.WeakSet[ObservationWatch] = weakref.WeakSet()
        self._thread: threading.Thread | None = None
        self._stopped = threading.Condition(self.lock)

    @property
    def repository(self) -> Repository:
        repository = self._repository()
        if repository is None:
            raise RuntimeError("the repository of this watch hub is gone")
        return repository

    # -- membership -------------------------------------------------------------------------

    def add(self, watch: ObservationWatch) -> None:
        with self.lock:
            if self._thread is None:
                self.position = self.repository.current_sequence()
                self._thread = threading.Thread(target=self._run, name="fourcast-watch-hub",
                                                daemon=True)
                self._thread.start()
            self._watches.add(watch)

    def remove(self, watch: ObservationWatch) -> None:
        with self.lock:
            self._watches.discard(watch)

    def close_all(self) -> None:
        """Close every open watch (at shutdown): their iterators end and the hub stops."""
        with self.lock:
            watches = list(self._watches)
        for watch in watches:
            watch.close()

    @property
    def running(self) -> bool:
        with self.lock:
            return self._thread is not None

    def wait_stopped(self, timeout: float) -> bool:
        """Block until the hub's thread has ended (its last watch closed); False on timeout."""
        with self._stopped:
            return self._stopped.wait_for(lambda: self._thread is None, timeout)

    def _stop(self) -> None:
        self._thread = None
        self._stopped.notify_all()

    # -- the one waiter ---------------------------------------------------------------------

    def _run(self) -> None:
        failures = 0
        while True:
            with self.lock:
                repository = self._repository()
                if not self._watches or repository is None:
                    self._stop()
                    return
                after = self.position
            try:
                current = repository.wait_for_change(after, WAIT_TIMEOUT)
                if current > after:
                    self._catch_up(repository, current)
                failures = 0
            except Exception:
                if not threading.main_thread().is_alive():  # the interpreter is exiting
                    with self.lock:
                        self._stop()
                    return
                # The store failed (a dropped LISTEN connection, a locked file): nothing was
                # lost, since the position only moves with what was delivered. Retry, backing
                # off, so a store that stays down is not hammered by one thread per process.
                failures += 1
                log.log(logging.WARNING if failures == 1 else logging.DEBUG,
                        "watch hub: the store failed (%d time(s) in a row); retrying",
                        failures, exc_info=failures == 1)
                time.sleep(min(RETRY_MAX, RETRY_FIRST * 2 ** (failures - 1)))

    def _catch_up(self, repository: Repository, current: int) -> None:
        while True:
            with self.lock:
                after = self.position
            rows = repository.observations_after(after, None, HUB_BATCH)
            full = len(rows) == HUB_BATCH
            # A full batch ends at its last row; the last batch reaches what the store said.
            position = rows[-1].sequence if full else max(current, rows[-1].sequence
                                                          if rows else after)
            missing = self._missing_stations(repository) if not full else set()
            by_station: dict[str, list[RecordedObservation]] = defaultdict(list)
            for row in rows:
                by_station[row.observation.station_id].append(row)
            converted: dict[tuple[int, Units], RecordedObservation] = {}
            with self.lock:
                self.position = position
                for watch in list(self._watches):
                    watch.deliver(rows, by_station, position, missing, converted)
            if not full:
                return

    def _missing_stations(self, repository: Repository) -> set[str]:
        with self.lock:
            watched = sorted({s for w in self._watches for s in w.covered_stations()})
        found: set[str] = set()
        for chunk in _chunks(watched, STATION_LOOKUP_BATCH):
            found.update(repository.get_stations(chunk))
        return set(watched) - found


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def missing_station_error(missing: set[str], stations: Iterable[str]) -> NotFound | None:
    """The error a watch of ``stations`` ends with when some of them were deleted."""
    gone = sorted(set(stations) & missing)
    return NotFound("station", gone[0]) if gone else None


_hubs: weakref.WeakKeyDictionary[Repository, WatchHub] = weakref.WeakKeyDictionary()
_hubs_lock = threading.Lock()


def _forget_hubs() -> None:
    """In a forked child the parent's hub threads do not exist (and a lock may be held):
    start afresh, so the child's first watch starts its own hub."""
    global _hubs, _hubs_lock
    _hubs = weakref.WeakKeyDictionary()
    _hubs_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_hubs)


def hub_for(repository: Repository) -> WatchHub:
    """The hub of ``repository`` in this process (created on first use)."""
    with _hubs_lock:
        hub = _hubs.get(repository)
        if hub is None:
            hub = _hubs[repository] = WatchHub(repository)
        return hub
