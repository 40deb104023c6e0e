"""Validate-only calls: run a use case's every check, and stop before it writes.

A use case decides in order — the credential, the input, then, inside the write transaction,
what only the store can tell (an unknown station, a stale version) — and writes last. Over a
:class:`DryRunRepository` the same code runs unchanged: reads go to the real store, and the
first write raises :class:`DryRunReached` instead of writing. So a caller learns exactly the
error the real call would have raised (or that there is none) and nothing is written, whatever
the use case; this is AIP-163's ``validate_only``, built once for every adapter.

The SOAP adapter uses it when a request breaks the XSD: the core's verdict on the same values
(the error every other protocol gives) wins over the schema's, and the schema's own fault is
the answer only when the core would have accepted the values.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from services.core.domain import Observation, RecordedObservation, Station
from services.core.ports import Repository, WriteTransaction


class DryRunReached(Exception):
    """The use case passed every check and was about to write."""


class _DryRunTransaction(WriteTransaction):
    def __init__(self, reads: Repository) -> None:
        self._reads = reads

    def get_station(self, station_id: str) -> Station | None:
        return self._reads.get_station(station_id)

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        return self._reads.get_observation(station_id, observed_at)

    def put_station(self, station: Station) -> bool:
        raise DryRunReached

    def delete_station(self, station_id: str) -> bool:
        raise DryRunReached

    def put_observations(self, observations: Sequence[Observation]) -> tuple[int, int]:
        raise DryRunReached

    def delete_observation(self, station_id: str, observed_at: datetime) -> bool:
        raise DryRunReached


class DryRunRepository(Repository):
    """``inner`` for reading; a write transaction that reads, and refuses to write."""

    def __init__(self, inner: Repository) -> None:
        self._inner = inner

    @contextmanager
    def write(self) -> Iterator[WriteTransaction]:
        yield _DryRunTransaction(self._inner)

    def get_station(self, station_id: str) -> Station | None:
        return self._inner.get_station(station_id)

    def claim_once(self, scope: str, token: bytes, expires_at: float) -> bool:
        raise DryRunReached  # a claim is a write

    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        return self._inner.get_stations(station_ids)

    def list_stations(self, *, after: str | None, before: str | None,
                      limit: int) -> list[Station]:
        return self._inner.list_stations(after=after, before=before, limit=limit)

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        return self._inner.get_observation(station_id, observed_at)

    def latest_observations(self, station_ids: Sequence[str]) -> dict[str, Observation]:
        return self._inner.latest_observations(station_ids)

    def list_observations(self, station_id: str, start: datetime, end: datetime, *,
                          after: datetime | None, before: datetime | None,
                          limit: int) -> list[Observation]:
        return self._inner.list_observations(station_id, start, end, after=after,
                                             before=before, limit=limit)

    def iter_observations(self, station_id: str, start: datetime, end: datetime,
                          batch_size: int = 1000) -> Iterator[Observation]:
        return self._inner.iter_observations(station_id, start, end, batch_size)

    def observations_after(self, sequence: int, station_ids: Sequence[str] | None,
                           limit: int) -> list[RecordedObservation]:
        return self._inner.observations_after(sequence, station_ids, limit)

    def current_sequence(self) -> int:
        return self._inner.current_sequence()

    def observation_span(self, station_id: str) -> tuple[datetime, datetime] | None:
        return self._inner.observation_span(station_id)
