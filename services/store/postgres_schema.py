"""The PostgreSQL schema: the SQLite one's tables and keys, created and versioned the same way.

Station ids sort with the "C" collation so paging orders them byte-wise, exactly as SQLite does
whatever the database's locale. Creating the schema takes a transaction-scoped advisory lock:
``CREATE TABLE IF NOT EXISTS`` is not safe against another process creating it at that moment
(replicas starting together).
"""

from __future__ import annotations

import psycopg

from services.core.errors import Internal
from services.core.units import MEASUREMENTS

SCHEMA_VERSION = 1
NOTIFY_CHANNEL = "fourcast_changes"
_MIGRATION_LOCK = 0x46_4F_55_52  # "FOUR": any constant all Fourcast processes share

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS change_sequence (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value BIGINT NOT NULL
);
INSERT INTO change_sequence (id, value) VALUES (1, 0) ON CONFLICT DO NOTHING;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stations (
    id TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    latitude DOUBLE PRECISION NOT NULL,
    longitude DOUBLE PRECISION NOT NULL,
    elevation DOUBLE PRECISION NOT NULL,
    timezone TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS observations (
    station_id TEXT COLLATE "C" NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    observed_at BIGINT NOT NULL,
    {", ".join(f"{m} DOUBLE PRECISION" for m in MEASUREMENTS)},
    seq BIGINT NOT NULL,
    PRIMARY KEY (station_id, observed_at)
);
CREATE INDEX IF NOT EXISTS observations_by_seq ON observations (seq);
CREATE TABLE IF NOT EXISTS used_tokens (
    scope TEXT NOT NULL,
    token BYTEA NOT NULL,
    expires_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (scope, token)
);
CREATE INDEX IF NOT EXISTS used_tokens_by_expiry ON used_tokens (expires_at);
"""


def migrate(conn: psycopg.Connection, name: str) -> None:
    """Create the schema if it is missing; refuse a schema newer than this Fourcast."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        row = conn.execute("SELECT version FROM schema_version").fetchone()
        if row is None:
            conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif row[0] > SCHEMA_VERSION:
            raise Internal(f"{name} has schema version {row[0]}, newer than this Fourcast "
                           f"({SCHEMA_VERSION})")
