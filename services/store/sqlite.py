"""The SQLite store: the embedded default behind the repository port.

- WAL mode, so readers never block the writer and several server processes share one file;
- every write is one short ``BEGIN IMMEDIATE`` transaction with a busy timeout, so concurrent
  writers queue instead of failing or losing a write;
- observations are keyed (and clustered) by (station, time): a range query is an index range;
- each write advances a change sequence; each recorded observation carries the sequence of the
  write that recorded it (indexed), which is how watchers in any process see new data;
- times are stored as integer Unix seconds (UTC), measurements as SI ``REAL`` or NULL.

One connection per thread: the WSGI servers call in from worker threads, the asyncio servers
through ``asyncio.to_thread``. A connection that fails with a read-only, I/O or "not a
database" error is dropped and the thread's next call opens a fresh one: a connection opened
while the file was briefly read-only stays read-only forever otherwise (a worker thread that
lives as long as the server would refuse writes until restart). A write that finds the disk
full raises the core's ``StoreFull``, with nothing of it written.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from services.core import ports
from services.core.domain import Observation, RecordedObservation, Station
from services.core.errors import Internal
from services.core.ports import WriteTransaction
from services.core.units import MEASUREMENTS
from services.store.base import Store
from services.store.errors import is_stale_connection, open_failure, write_failure
from services.store.rows import OBSERVATION_COLUMNS as _OBSERVATION_COLUMNS
from services.store.rows import STATION_COLUMNS as _STATION_COLUMNS
from services.store.rows import observation_from_row as _observation
from services.store.rows import observation_params as _observation_params
from services.store.rows import station_from_row as _station
from services.store.rows import ts as _ts
from services.store.sqlite_schema import SCHEMA, SCHEMA_VERSION
from services.store.sqlite_tx import SqliteWriteTransaction

BUSY_TIMEOUT_MS = 30_000
_MAX_SQL_VARIABLES = 500


def _chunks(items: Sequence, size: int = _MAX_SQL_VARIABLES) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class _Connection(sqlite3.Connection):
    """A connection that remembers it failed in a way that makes it unfit for reuse."""

    stale = False
    owner: threading.Thread | None = None  # the thread that opened it (and alone uses it)

    def execute(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().execute(*args, **kwargs)
        except sqlite3.Error as error:
            self.stale = self.stale or is_stale_connection(error)
            raise

    def executemany(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return super().executemany(*args, **kwargs)
        except sqlite3.Error as error:
            self.stale = self.stale or is_stale_connection(error)
            raise


def _close_all(connections: list[sqlite3.Connection], lock: threading.Lock) -> None:
    with lock:
        for db in connections:
            db.close()
        connections.clear()


class SqliteRepository(Store):
    """Fourcast's store in one SQLite file (``:memory:`` is refused: processes share it)."""

    quick_point_reads = True  # an indexed read in WAL mode: ~50 µs, never waits for a writer

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = str(self.path)
        self._local = threading.local()
        # Every connection this repository opened, in any thread: closed by close(), or when
        # the repository is garbage-collected (Python 3.13 warns about unclosed connections).
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._finalizer = weakref.finalize(self, _close_all, self._connections,
                                           self._connections_lock)
        # Commits made through this repository (any thread of this process): they wake
        # wait_for_change at once; other processes' commits are seen by its poll.
        self._commits = threading.Condition()
        self._commit_count = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._migrate()
        except (sqlite3.Error, OSError) as error:
            self.close()
            raise open_failure(str(self.path), error) from error

    # -- connections ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, factory=_Connection,
                             isolation_level=None, check_same_thread=False)
        try:
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:  # (a file that is not a database fails here): never leak it
            db.close()
            raise
        return db

    @property
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is not None and db.stale:
            self._discard(db)
            db = None
        if db is None:
            db = self._local.db = self._connect()
            db.owner = threading.current_thread()  # type: ignore[attr-defined]
            with self._connections_lock:
                self._connections.append(db)
        return db

    def _discard(self, db: sqlite3.Connection) -> None:
        with self._connections_lock:
            if db in self._connections:
                self._connections.remove(db)
        self._local.db = None
        with suppress(sqlite3.Error):
            db.close()

    def close(self) -> None:
        """Close this repository's connections: now those of this thread and of threads that
        have ended; those of other live threads when the repository is collected."""
        self._local = threading.local()
        me = threading.current_thread()
        with self._connections_lock:
            busy = []
            for db in self._connections:
                owner = getattr(db, "owner", None)
                if owner is None or owner is me or not owner.is_alive():
                    with suppress(sqlite3.Error):
                        db.close()
                else:
                    # Another live thread (a watch hub's, a server's) may be inside a call on
                    # it right now, and SQLite must not be closed under a running statement
                    # (a crash, not an error). That thread opens a new connection on its next
                    # call; this one is closed when the repository is collected, which
                    # cannot happen while any thread is still using it.
                    busy.append(db)
            self._connections[:] = busy

    def __enter__(self) -> SqliteRepository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        db = self._db
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise Internal(f"cannot put {self.path} in WAL mode")
        with self._transaction() as tx_db:
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    tx_db.execute(statement)
            row = tx_db.execute("SELECT version FROM schema_version").fetchone()
            if row is None:
                tx_db.execute("INSERT INTO schema_version (version) VALUES (?)",
                              (SCHEMA_VERSION,))
            elif row[0] > SCHEMA_VERSION:
                raise Internal(f"{self.path} has schema version {row[0]}, newer than this "
                               f"Fourcast ({SCHEMA_VERSION})")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # SQLite may have rolled back already (a full disk, an I/O error)
            if db.in_transaction:
                with suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
            if db.in_transaction:  # not even a rollback worked: never reuse it
                db.stale = True  # type: ignore[attr-defined]
            raise
        with self._commits:
            self._commit_count += 1
            self._commits.notify_all()

    @contextmanager
    def write(self) -> Iterator[WriteTransaction]:
        try:
            with self._transaction() as db:
                yield SqliteWriteTransaction(db)
        except sqlite3.Error as error:
            failure = write_failure(error)
            if failure is error:
                raise
            raise failure from error

    def claim_once(self, scope: str, token: bytes, expires_at: float) -> bool:
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM used_tokens WHERE expires_at < ?", (time.time(),))
                inserted = db.execute(
                    "INSERT OR IGNORE INTO used_tokens (scope, token, expires_at) "
                    "VALUES (?, ?, ?)", (scope, token, expires_at)).rowcount
        except sqlite3.Error as error:
            failure = write_failure(error)
            if failure is error:
                raise
            raise failure from error
        return inserted == 1

    # -- reads ------------------------------------------------------------------------------

    def get_station(self, station_id: str) -> Station | None:
        row = self._db.execute(f"SELECT {_STATION_COLUMNS} FROM stations WHERE id = ?",
                               (station_id,)).fetchone()
        return _station(row) if row else None

    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        found: dict[str, Station] = {}
        for chunk in _chunks(list(station_ids)):
            marks = ", ".join("?" * len(chunk))
            for row in self._db.execute(
                    f"SELECT {_STATION_COLUMNS} FROM stations WHERE id IN ({marks})", chunk):
                found[row[0]] = _station(row)
        return found

    def list_stations(self, *, after: str | None, before: str | None,
                      limit: int) -> list[Station]:
        if before is not None:
            rows = self._db.execute(
                f"SELECT {_STATION_COLUMNS} FROM stations WHERE id < ? ORDER BY id DESC LIMIT ?",
                (before, limit)).fetchall()
            return [_station(r) for r in reversed(rows)]
        rows = self._db.execute(
            f"SELECT {_STATION_COLUMNS} FROM stations WHERE id > ? ORDER BY id LIMIT ?",
            (after or "", limit)).fetchall()
        return [_station(r) for r in rows]

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        row = self._db.execute(
            f"SELECT {_OBSERVATION_COLUMNS} FROM observations "
            "WHERE station_id = ? AND observed_at = ?", (station_id, _ts(observed_at))).fetchone()
        return _observation(row) if row else None

    def latest_observations(self, station_ids: Sequence[str]) -> dict[str, Observation]:
        found: dict[str, Observation] = {}
        for chunk in _chunks(list(station_ids)):
            if len(chunk) == 1:
                rows = self._db.execute(
                    f"SELECT {_OBSERVATION_COLUMNS} FROM observations WHERE station_id = ? "
                    "ORDER BY observed_at DESC LIMIT 1", chunk)
            else:
                marks = ", ".join("?" * len(chunk))
                # The correlated MAX is an index seek per station (SQLite's min/max shortcut).
                rows = self._db.execute(
                    f"SELECT {', '.join('o.' + c.strip() for c in _OBSERVATION_COLUMNS.split(','))}"
                    " FROM stations s JOIN observations o ON o.station_id = s.id AND"
                    " o.observed_at = (SELECT MAX(observed_at) FROM observations"
                    "                  WHERE station_id = s.id)"
                    f" WHERE s.id IN ({marks})", chunk)
            for row in rows:
                found[row[0]] = _observation(row)
        return found

    def list_observations(self, station_id: str, start: datetime, end: datetime, *,
                          after: datetime | None, before: datetime | None,
                          limit: int) -> list[Observation]:
        lo, hi = _ts(start), _ts(end)
        if before is not None:
            rows = self._db.execute(
                f"SELECT {_OBSERVATION_COLUMNS} FROM observations WHERE station_id = ? AND "
                "observed_at >= ? AND observed_at < ? AND observed_at < ? "
                "ORDER BY observed_at DESC LIMIT ?",
                (station_id, lo, hi, _ts(before), limit)).fetchall()
            return [_observation(r) for r in reversed(rows)]
        floor = max(lo, _ts(after) + 1) if after is not None else lo
        rows = self._db.execute(
            f"SELECT {_OBSERVATION_COLUMNS} FROM observations WHERE station_id = ? AND "
            "observed_at >= ? AND observed_at < ? ORDER BY observed_at LIMIT ?",
            (station_id, floor, hi, limit)).fetchall()
        return [_observation(r) for r in rows]

    def iter_observations(self, station_id: str, start: datetime, end: datetime,
                          batch_size: int = 1000) -> Iterator[Observation]:
        lo, hi = _ts(start), _ts(end)
        while True:
            rows = self._db.execute(
                f"SELECT {_OBSERVATION_COLUMNS} FROM observations WHERE station_id = ? AND "
                "observed_at >= ? AND observed_at < ? ORDER BY observed_at LIMIT ?",
                (station_id, lo, hi, batch_size)).fetchall()
            for row in rows:
                yield _observation(row)
            if len(rows) < batch_size:
                return
            lo = rows[-1][1] + 1

    def observations_after(self, sequence: int, station_ids: Sequence[str] | None,
                           limit: int) -> list[RecordedObservation]:
        params: list[object] = [sequence]
        where = "seq > ?"
        if station_ids is not None:
            if not station_ids:
                return []
            # One parameter however many ids (SQLite caps the number of variables).
            where += " AND station_id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(station_ids)))
        rows = self._db.execute(
            f"SELECT {_OBSERVATION_COLUMNS}, seq FROM observations WHERE {where} "
            "ORDER BY seq LIMIT ?", (*params, limit)).fetchall()
        return [RecordedObservation(r[11], _observation(r)) for r in rows]

    def current_sequence(self) -> int:
        return int(self._db.execute(
            "SELECT value FROM change_sequence WHERE id = 1").fetchone()[0])

    def wait_for_change(self, after: int, timeout: float) -> int:
        """Woken at once by a commit made through this repository (so a write reaches the
        watchers of the process that took it without waiting for a poll), and polling every
        ``CHANGE_POLL_INTERVAL`` for the commits of other processes."""
        deadline = time.monotonic() + timeout
        while True:
            with self._commits:
                seen = self._commit_count
            current = self.current_sequence()
            remaining = deadline - time.monotonic()
            if current > after or remaining <= 0:
                return current
            with self._commits:
                if self._commit_count == seen:  # (a commit since the read: read again)
                    self._commits.wait(min(ports.CHANGE_POLL_INTERVAL, remaining))

    def observation_span(self, station_id: str) -> tuple[datetime, datetime] | None:
        row = self._db.execute(
            "SELECT (SELECT observed_at FROM observations WHERE station_id = :station "
            "        ORDER BY observed_at LIMIT 1),"
            "       (SELECT observed_at FROM observations WHERE station_id = :station "
            "        ORDER BY observed_at DESC LIMIT 1)", {"station": station_id}).fetchone()
        if row is None or row[0] is None:
            return None
        return datetime.fromtimestamp(row[0], UTC), datetime.fromtimestamp(row[1], UTC)

    def counts(self) -> tuple[int, int]:
        """How many stations and observations the store holds."""
        row = self._db.execute("SELECT (SELECT COUNT(*) FROM stations),"
                               " (SELECT COUNT(*) FROM observations)").fetchone()
        return int(row[0]), int(row[1])

    # -- seeding ----------------------------------------------------------------------------

    def is_seeded(self) -> bool:
        return self._db.execute("SELECT 1 FROM meta WHERE key = 'seeded'").fetchone() is not None

    def changes_since_seed(self) -> int:
        """How many changes were committed after the last seed (all of them if never seeded).

        A store seeded before the marker existed counts from 1: seeding a fresh store moved
        the sequence from 0 to 1."""
        row = self._db.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'seed_sequence'),"
            " (SELECT 1 FROM meta WHERE key = 'seeded')").fetchone()
        seed_sequence = int(row[0]) if row[0] is not None else (1 if row[1] else 0)
        return max(0, self.current_sequence() - seed_sequence)

    def load_seed(self, stations: Sequence[Station], observations: Sequence[Observation], *,
                  replace_all: bool, source: str) -> bool:
        """Load a seed in one transaction. Without ``replace_all`` it does nothing if the store
        was seeded already (so concurrent first starts seed once). Returns whether it loaded."""
        with self._transaction() as db:
            if not replace_all and db.execute(
                    "SELECT 1 FROM meta WHERE key = 'seeded'").fetchone():
                return False
            db.execute("DELETE FROM observations")
            db.execute("DELETE FROM stations")
            db.executemany(
                f"INSERT INTO stations ({_STATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [(s.id, s.name, s.latitude, s.longitude, s.elevation, s.timezone)
                 for s in stations])
            placeholders = ", ".join("?" * (len(MEASUREMENTS) + 3))
            db.executemany(
                f"INSERT INTO observations ({_OBSERVATION_COLUMNS}, seq) "
                f"VALUES ({placeholders})",
                [(*_observation_params(o), 0) for o in observations])
            # Advance the sequence so every process's caches see that the data changed.
            db.execute("UPDATE change_sequence SET value = value + 1 WHERE id = 1")
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seeded', ?)", (source,))
            db.execute("INSERT OR REPLACE INTO meta (key, value) SELECT 'seed_sequence', value"
                       " FROM change_sequence WHERE id = 1")
        return True
