"""The store port: what the use cases need from storage, and nothing more.

Two adapters implement it: ``services/store/sqlite.py`` (SQLite, the embedded default) and
``services/store/postgres.py`` (PostgreSQL, for replicas), whose :meth:`wait_for_change` wakes
on LISTEN/NOTIFY instead of polling. Both run the same contract tests
(``tests/integration/test_store.py``).

Reads run outside transactions. Every write runs inside :meth:`Repository.write`, one short
transaction that either commits whole or leaves nothing behind; each write also advances the
store's change sequence, which is monotonic across every process using the same store.
All observations cross this port in SI units.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime

from services.core.domain import Observation, RecordedObservation, Station

# How often one thread per process (the watch hub) asks a store that cannot notify whether
# another process committed: ~20 one-row reads a second while watches are open, and a write
# through another process reaches this one's watchers in 25 ms on average.
CHANGE_POLL_INTERVAL = 0.05


class WriteTransaction(ABC):
    """The operations allowed inside one write transaction."""

    @abstractmethod
    def get_station(self, station_id: str) -> Station | None: ...

    @abstractmethod
    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None: ...

    @abstractmethod
    def put_station(self, station: Station) -> bool:
        """Create or replace; True when it was created."""

    @abstractmethod
    def delete_station(self, station_id: str) -> bool:
        """Delete the station and its observations; True when it existed."""

    @abstractmethod
    def put_observations(self, observations: Sequence[Observation]) -> tuple[int, int]:
        """Create or replace each (keyed by station and time); returns (created, replaced)."""

    @abstractmethod
    def delete_observation(self, station_id: str, observed_at: datetime) -> bool: ...


class Repository(ABC):
    """Reads, and the door to write transactions."""

    #: True when a point read (one row by key) is an in-process call quicker than a hop to a
    #: worker thread (an embedded database): an asyncio adapter may then run it on its loop
    quick_point_reads: bool = False

    @abstractmethod
    def write(self) -> AbstractContextManager[WriteTransaction]:
        """A write transaction: commits when the block ends, rolls back if it raises."""

    @abstractmethod
    def get_station(self, station_id: str) -> Station | None: ...

    @abstractmethod
    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        """The stations that exist among ``station_ids``, in one query."""

    @abstractmethod
    def list_stations(self, *, after: str | None, before: str | None,
                      limit: int) -> list[Station]:
        """Stations ordered by id: the first ``limit`` after ``after``, or the last ``limit``
        before ``before`` (still returned in ascending order)."""

    @abstractmethod
    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None: ...

    @abstractmethod
    def latest_observations(self, station_ids: Sequence[str]) -> dict[str, Observation]:
        """The newest observation of each station that has one, in one query."""

    @abstractmethod
    def list_observations(self, station_id: str, start: datetime, end: datetime, *,
                          after: datetime | None, before: datetime | None,
                          limit: int) -> list[Observation]:
        """Observations in [start, end) ascending, keyset-paged like :meth:`list_stations`."""

    @abstractmethod
    def iter_observations(self, station_id: str, start: datetime, end: datetime,
                          batch_size: int = 1000) -> Iterator[Observation]:
        """Every observation in [start, end) ascending, read in batches (memory stays flat)."""

    @abstractmethod
    def observations_after(self, sequence: int, station_ids: Sequence[str] | None,
                           limit: int) -> list[RecordedObservation]:
        """Observations written after change ``sequence``, in sequence order."""

    @abstractmethod
    def current_sequence(self) -> int:
        """The store's change sequence: it grows with every committed write."""

    def wait_for_change(self, after: int, timeout: float) -> int:
        """Block up to ``timeout`` seconds until the change sequence passes ``after``; return
        the sequence then (still ``after`` or less on a timeout).

        This default polls :meth:`current_sequence` every ``CHANGE_POLL_INTERVAL`` seconds. A
        store that can be told of commits (PostgreSQL's LISTEN/NOTIFY) overrides it to wake at
        once. One caller per server process (the watch hub) fans the result out to every
        watcher, so the cost does not grow with the number of watchers.
        """
        deadline = time.monotonic() + timeout
        while True:
            current = self.current_sequence()
            remaining = deadline - time.monotonic()
            if current > after or remaining <= 0:
                return current
            time.sleep(min(CHANGE_POLL_INTERVAL, remaining))

    @abstractmethod
    def claim_once(self, scope: str, token: bytes, expires_at: float) -> bool:
        """Record ``token`` (within ``scope``) as used until ``expires_at`` (epoch seconds).

        True the first time; False while an earlier claim of the same token has not expired.
        Atomic across every process and replica sharing the store, so a one-time token (a
        WS-Security Nonce) replayed to another replica is refused too. Expired claims are
        forgotten. A claim is not a change: the change sequence does not move.
        """

    @abstractmethod
    def observation_span(self, station_id: str) -> tuple[datetime, datetime] | None:
        """The first and last observation times of a station, or None when it has none."""
