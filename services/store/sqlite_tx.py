"""One SQLite write transaction (the connection is in ``BEGIN IMMEDIATE`` already)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from services.core.domain import Observation, Station
from services.core.ports import WriteTransaction
from services.core.units import MEASUREMENTS
from services.store.rows import OBSERVATION_COLUMNS as _OBSERVATION_COLUMNS
from services.store.rows import STATION_COLUMNS as _STATION_COLUMNS
from services.store.rows import observation_from_row as _observation
from services.store.rows import observation_params as _observation_params
from services.store.rows import station_from_row as _station
from services.store.rows import ts as _ts


class SqliteWriteTransaction(WriteTransaction):
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._advanced = False

    def _advance(self, count: int = 1) -> int:
        """Reserve ``count`` sequence numbers; returns the first."""
        (last,) = self._db.execute(
            "UPDATE change_sequence SET value = value + ? WHERE id = 1 RETURNING value",
            (count,)).fetchone()
        self._advanced = True
        return int(last) - count + 1

    def get_station(self, station_id: str) -> Station | None:
        row = self._db.execute(f"SELECT {_STATION_COLUMNS} FROM stations WHERE id = ?",
                               (station_id,)).fetchone()
        return _station(row) if row else None

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        row = self._db.execute(
            f"SELECT {_OBSERVATION_COLUMNS} FROM observations "
            "WHERE station_id = ? AND observed_at = ?", (station_id, _ts(observed_at))).fetchone()
        return _observation(row) if row else None

    def put_station(self, station: Station) -> bool:
        created = self.get_station(station.id) is None
        self._db.execute(
            f"INSERT INTO stations ({_STATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, latitude = excluded.latitude,"
            " longitude = excluded.longitude, elevation = excluded.elevation,"
            " timezone = excluded.timezone",
            (station.id, station.name, station.latitude, station.longitude, station.elevation,
             station.timezone))
        self._advance()
        return created

    def delete_station(self, station_id: str) -> bool:
        gone = self._db.execute("DELETE FROM stations WHERE id = ?", (station_id,)).rowcount > 0
        self._advance()
        return gone

    def put_observations(self, observations: Sequence[Observation]) -> tuple[int, int]:
        first = self._advance(len(observations))
        rows = [(*_observation_params(o), first + i) for i, o in enumerate(observations)]
        before = self._db.total_changes
        placeholders = ", ".join("?" * (len(MEASUREMENTS) + 3))
        self._db.executemany(
            f"INSERT OR IGNORE INTO observations ({_OBSERVATION_COLUMNS}, seq) "
            f"VALUES ({placeholders})", rows)
        created = self._db.total_changes - before
        if created < len(rows):
            assignments = ", ".join(f"{m} = ?" for m in MEASUREMENTS)
            self._db.executemany(
                f"UPDATE observations SET {assignments}, seq = ? "
                "WHERE station_id = ? AND observed_at = ? AND seq <> ?",
                [(*r[2:11], r[11], r[0], r[1], r[11]) for r in rows])
        return created, len(rows) - created

    def delete_observation(self, station_id: str, observed_at: datetime) -> bool:
        gone = self._db.execute(
            "DELETE FROM observations WHERE station_id = ? AND observed_at = ?",
            (station_id, _ts(observed_at))).rowcount > 0
        self._advance()
        return gone
