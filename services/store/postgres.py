"""The PostgreSQL store: the same port as SQLite's, for several replicas on one database.

- Every write transaction first locks the one-row change counter (``SELECT ... FOR UPDATE``)
  and holds it to commit. Writers from every process and replica queue on that row lock, as
  SQLite's writers queue on ``BEGIN IMMEDIATE``. So: the sequence numbers a transaction takes
  are allocated in commit order (a watcher that has seen N can never later miss a number below
  N, the trap of a PostgreSQL SEQUENCE, whose numbers commit out of order); and what a write
  checks (an If-Match version, a station's existence) cannot change before it commits.
- Each write ends with ``NOTIFY``, delivered at commit; ``wait_for_change`` listens on one
  connection per process (:mod:`services.store.postgres_listener`).
- Reads run outside transactions on pooled autocommit connections (psycopg_pool); the
  asyncio servers call the store through ``asyncio.to_thread`` as they do SQLite.
- The seed is loaded with COPY; imports upsert every row in one statement (arrays, unnest).
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import psycopg_pool

from services.core.domain import Observation, RecordedObservation, Station
from services.core.errors import Internal, StoreFull
from services.core.ports import WriteTransaction
from services.store.base import Store
from services.store.errors import StoreUnavailable
from services.store.postgres_listener import ChangeListener
from services.store.postgres_schema import NOTIFY_CHANNEL, migrate
from services.store.postgres_tx import PostgresWriteTransaction
from services.store.rows import (
    OBSERVATION_COLUMNS,
    STATION_COLUMNS,
    observation_from_row,
    observation_params,
    station_from_row,
    station_params,
    ts,
)
from services.store.target import display

POOL_MAX = 10  # connections per server process; mind max_connections with many replicas
CONNECT_TIMEOUT = 10


def _write_failure(error: psycopg.Error) -> Exception:
    if isinstance(error, psycopg.errors.DiskFull | psycopg.errors.OutOfMemory):
        return StoreFull()
    if isinstance(error, psycopg.OperationalError | psycopg.errors.ReadOnlySqlTransaction):
        return Internal("the store cannot be written right now (read-only or unreachable): "
                        "nothing was written; retry later")
    return error


def _reason(error: BaseException) -> str:
    """The first line of libpq's message (the next ones are hints that do not fit one line)."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class PostgresRepository(Store):
    """Fourcast's store in a PostgreSQL database named by a ``postgresql://`` URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = display(url)
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT) as conn:
                migrate(conn, self.name)
        except psycopg.Error as error:
            raise StoreUnavailable(self.name, _reason(error)) from error
        self._pool = psycopg_pool.ConnectionPool(
            url, min_size=1, max_size=POOL_MAX, open=False, name="fourcast",
            kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT})
        self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)
        self._listener = ChangeListener(url, self.current_sequence)
        self._finalizer = weakref.finalize(self, _close, self._pool, self._listener)

    def close(self) -> None:
        self._finalizer()

    # -- reads ------------------------------------------------------------------------------

    def _all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[tuple]:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> tuple | None:
        with self._pool.connection() as conn:
            return conn.execute(sql, params).fetchone()

    def get_station(self, station_id: str) -> Station | None:
        row = self._one(f"SELECT {STATION_COLUMNS} FROM stations WHERE id = %s", (station_id,))
        return station_from_row(row) if row else None

    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        rows = self._all(f"SELECT {STATION_COLUMNS} FROM stations WHERE id = ANY(%s)",
                         (list(station_ids),))
        return {row[0]: station_from_row(row) for row in rows}

    def list_stations(self, *, after: str | None, before: str | None,
                      limit: int) -> list[Station]:
        if before is not None:
            rows = self._all(f"SELECT {STATION_COLUMNS} FROM stations WHERE id < %s "
                             "ORDER BY id DESC LIMIT %s", (before, limit))
            return [station_from_row(r) for r in reversed(rows)]
        rows = self._all(f"SELECT {STATION_COLUMNS} FROM stations WHERE id > %s "
                         "ORDER BY id LIMIT %s", (after or "", limit))
        return [station_from_row(r) for r in rows]

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        row = self._one(f"SELECT {OBSERVATION_COLUMNS} FROM observations "
                        "WHERE station_id = %s AND observed_at = %s",
                        (station_id, ts(observed_at)))
        return observation_from_row(row) if row else None

    def latest_observations(self, station_ids: Sequence[str]) -> dict[str, Observation]:
        # One index seek per station (LATERAL ... ORDER BY observed_at DESC LIMIT 1).
        rows = self._all(
            f"SELECT o.* FROM unnest(%s::text[]) AS s(id) CROSS JOIN LATERAL"
            f" (SELECT {OBSERVATION_COLUMNS} FROM observations WHERE station_id = s.id"
            "  ORDER BY observed_at DESC LIMIT 1) AS o", (list(station_ids),))
        return {row[0]: observation_from_row(row) for row in rows}

    def list_observations(self, station_id: str, start: datetime, end: datetime, *,
                          after: datetime | None, before: datetime | None,
                          limit: int) -> list[Observation]:
        lo, hi = ts(start), ts(end)
        if before is not None:
            rows = self._all(
                f"SELECT {OBSERVATION_COLUMNS} FROM observations WHERE station_id = %s AND "
                "observed_at >= %s AND observed_at < %s AND observed_at < %s "
                "ORDER BY observed_at DESC LIMIT %s", (station_id, lo, hi, ts(before), limit))
            return [observation_from_row(r) for r in reversed(rows)]
        floor = max(lo, ts(after) + 1) if after is not None else lo
        rows = self._all(
            f"SELECT {OBSERVATION_COLUMNS} FROM observations WHERE station_id = %s AND "
            "observed_at >= %s AND observed_at < %s ORDER BY observed_at LIMIT %s",
            (station_id, floor, hi, limit))
        return [observation_from_row(r) for r in rows]

    def iter_observations(self, station_id: str, start: datetime, end: datetime,
                          batch_size: int = 1000) -> Iterator[Observation]:
        lo, hi = ts(start), ts(end)
        while True:
            rows = self._all(
                f"SELECT {OBSERVATION_COLUMNS} FROM observations WHERE station_id = %s AND "
                "observed_at >= %s AND observed_at < %s ORDER BY observed_at LIMIT %s",
                (station_id, lo, hi, batch_size))
            yield from (observation_from_row(row) for row in rows)
            if len(rows) < batch_size:
                return
            lo = rows[-1][1] + 1

    def observations_after(self, sequence: int, station_ids: Sequence[str] | None,
                           limit: int) -> list[RecordedObservation]:
        if station_ids is not None and not station_ids:
            return []
        where, params = "seq > %s", [sequence]
        if station_ids is not None:
            where += " AND station_id = ANY(%s)"
            params.append(list(station_ids))  # type: ignore[arg-type]
        rows = self._all(f"SELECT {OBSERVATION_COLUMNS}, seq FROM observations WHERE {where} "
                         "ORDER BY seq LIMIT %s", (*params, limit))
        return [RecordedObservation(r[11], observation_from_row(r)) for r in rows]

    def current_sequence(self) -> int:
        row = self._one("SELECT value FROM change_sequence WHERE id = 1")
        assert row is not None
        return int(row[0])

    def wait_for_change(self, after: int, timeout: float) -> int:
        return self._listener.wait(after, timeout)

    def observation_span(self, station_id: str) -> tuple[datetime, datetime] | None:
        row = self._one(
            "SELECT (SELECT observed_at FROM observations WHERE station_id = %(s)s"
            "        ORDER BY observed_at LIMIT 1),"
            "       (SELECT observed_at FROM observations WHERE station_id = %(s)s"
            "        ORDER BY observed_at DESC LIMIT 1)", {"s": station_id})
        if row is None or row[0] is None:
            return None
        return datetime.fromtimestamp(row[0], UTC), datetime.fromtimestamp(row[1], UTC)

    def counts(self) -> tuple[int, int]:
        row = self._one("SELECT (SELECT COUNT(*) FROM stations),"
                        " (SELECT COUNT(*) FROM observations)")
        assert row is not None
        return int(row[0]), int(row[1])

    # -- writes -----------------------------------------------------------------------------

    @contextmanager
    def _locked(self) -> Iterator[PostgresWriteTransaction]:
        """A transaction holding the change counter's row lock until it commits."""
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("SELECT value FROM change_sequence WHERE id = 1 FOR UPDATE")
                tx = PostgresWriteTransaction(conn)
                yield tx
                if tx.last_sequence is not None:
                    conn.execute("SELECT pg_notify(%s, %s)",
                                 (NOTIFY_CHANNEL, str(tx.last_sequence)))
        except psycopg.Error as error:
            failure = _write_failure(error)
            if failure is error:
                raise
            raise failure from error

    def write(self) -> AbstractContextManager[WriteTransaction]:
        return self._locked()

    def claim_once(self, scope: str, token: bytes, expires_at: float) -> bool:
        # Not under the change counter's lock: a claim is not a change, and the primary key
        # makes two replicas' simultaneous claims of one token resolve to one winner.
        try:
            with self._pool.connection() as conn, conn.transaction():
                conn.execute("DELETE FROM used_tokens WHERE expires_at < %s", (time.time(),))
                inserted = conn.execute(
                    "INSERT INTO used_tokens (scope, token, expires_at) VALUES (%s, %s, %s) "
                    "ON CONFLICT DO NOTHING", (scope, token, expires_at)).rowcount
        except psycopg.Error as error:
            failure = _write_failure(error)
            if failure is error:
                raise
            raise failure from error
        return inserted == 1

    # -- seeding ----------------------------------------------------------------------------

    def is_seeded(self) -> bool:
        return self._one("SELECT 1 FROM meta WHERE key = 'seeded'") is not None

    def changes_since_seed(self) -> int:
        row = self._one("SELECT (SELECT value FROM meta WHERE key = 'seed_sequence'),"
                        " (SELECT 1 FROM meta WHERE key = 'seeded')")
        assert row is not None
        seed_sequence = int(row[0]) if row[0] is not None else (1 if row[1] else 0)
        return max(0, self.current_sequence() - seed_sequence)

    def load_seed(self, stations: Sequence[Station], observations: Sequence[Observation], *,
                  replace_all: bool, source: str) -> bool:
        with self._locked() as tx:
            conn = tx.connection
            if not replace_all and conn.execute(
                    "SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                return False
            conn.execute("TRUNCATE observations, stations")
            with conn.cursor().copy(f"COPY stations ({STATION_COLUMNS}) FROM STDIN") as copy:
                for station in stations:
                    copy.write_row(station_params(station))
            with conn.cursor().copy(
                    f"COPY observations ({OBSERVATION_COLUMNS}, seq) FROM STDIN") as copy:
                for obs in observations:
                    copy.write_row((*observation_params(obs), 0))
            # Advance the sequence so every process's caches see that the data changed.
            sequence = tx.advance()
            conn.execute("INSERT INTO meta (key, value) VALUES ('seeded', %s), "
                         "('seed_sequence', %s) ON CONFLICT (key) DO UPDATE "
                         "SET value = excluded.value", (source, str(sequence)))
        return True


def _close(pool: psycopg_pool.ConnectionPool, listener: ChangeListener) -> None:
    listener.close()
    pool.close()


__all__ = ["POOL_MAX", "PostgresRepository"]
