"""One PostgreSQL write transaction (see :mod:`services.store.postgres` for the locking)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import psycopg

from services.core.domain import Observation, Station
from services.core.ports import WriteTransaction
from services.core.units import MEASUREMENTS
from services.store.rows import (
    OBSERVATION_COLUMNS,
    STATION_COLUMNS,
    observation_from_row,
    station_from_row,
    ts,
)

_ARRAY_TYPES = ", ".join(["%s::text[]", "%s::bigint[]",
                          *("%s::float8[]" for _ in MEASUREMENTS), "%s::bigint[]"])
# One statement for any number of rows: the columns travel as arrays and unnest into rows.
# xmax = 0 tells a row this statement inserted from one it updated.
_UPSERT = (
    f"WITH upserted AS ("
    f" INSERT INTO observations ({OBSERVATION_COLUMNS}, seq)"
    f" SELECT * FROM unnest({_ARRAY_TYPES})"
    f" ON CONFLICT (station_id, observed_at) DO UPDATE SET "
    + ", ".join(f"{m} = excluded.{m}" for m in MEASUREMENTS) + ", seq = excluded.seq"
    " RETURNING (xmax = 0) AS created)"
    " SELECT count(*) FILTER (WHERE created), count(*) FROM upserted")


class PostgresWriteTransaction(WriteTransaction):
    def __init__(self, connection: psycopg.Connection) -> None:
        self.connection = connection
        self.last_sequence: int | None = None

    def advance(self, count: int = 1) -> int:
        """Take ``count`` sequence numbers (the row is locked already); returns the first."""
        row = self.connection.execute(
            "UPDATE change_sequence SET value = value + %s WHERE id = 1 RETURNING value",
            (count,)).fetchone()
        assert row is not None
        self.last_sequence = int(row[0])
        return self.last_sequence - count + 1

    def get_station(self, station_id: str) -> Station | None:
        row = self.connection.execute(
            f"SELECT {STATION_COLUMNS} FROM stations WHERE id = %s", (station_id,)).fetchone()
        return station_from_row(row) if row else None

    def get_observation(self, station_id: str, observed_at: datetime) -> Observation | None:
        row = self.connection.execute(
            f"SELECT {OBSERVATION_COLUMNS} FROM observations "
            "WHERE station_id = %s AND observed_at = %s",
            (station_id, ts(observed_at))).fetchone()
        return observation_from_row(row) if row else None

    def put_station(self, station: Station) -> bool:
        row = self.connection.execute(
            f"INSERT INTO stations ({STATION_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET name = excluded.name, latitude = excluded.latitude,"
            " longitude = excluded.longitude, elevation = excluded.elevation,"
            " timezone = excluded.timezone RETURNING (xmax = 0)",
            (station.id, station.name, station.latitude, station.longitude, station.elevation,
             station.timezone)).fetchone()
        self.advance()
        return bool(row and row[0])

    def delete_station(self, station_id: str) -> bool:
        gone = self.connection.execute(
            "DELETE FROM stations WHERE id = %s", (station_id,)).rowcount > 0
        self.advance()
        return gone

    def put_observations(self, observations: Sequence[Observation]) -> tuple[int, int]:
        first = self.advance(len(observations))
        columns: list[list[object]] = [
            [o.station_id for o in observations],
            [ts(o.observed_at) for o in observations],
            *([getattr(o, m) for o in observations] for m in MEASUREMENTS),
            list(range(first, first + len(observations))),
        ]
        row = self.connection.execute(_UPSERT, columns).fetchone()
        assert row is not None
        created, total = int(row[0]), int(row[1])
        return created, total - created

    def delete_observation(self, station_id: str, observed_at: datetime) -> bool:
        gone = self.connection.execute(
            "DELETE FROM observations WHERE station_id = %s AND observed_at = %s",
            (station_id, ts(observed_at))).rowcount > 0
        self.advance()
        return gone
