"""The SQLite schema, with its version (a newer one is refused).

A table added later without changing what older tables mean (``used_tokens``) is created by
``IF NOT EXISTS`` when a database is opened, and the version stays: an older Fourcast can still
open the database and ignores the table.
"""

from __future__ import annotations

from services.core.units import MEASUREMENTS

SCHEMA_VERSION = 1

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS change_sequence (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT OR IGNORE INTO change_sequence (id, value) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    elevation REAL NOT NULL,
    timezone TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS observations (
    station_id TEXT NOT NULL REFERENCES stations(id) ON DELETE CASCADE,
    observed_at INTEGER NOT NULL,
    {", ".join(f"{m} REAL" for m in MEASUREMENTS)},
    seq INTEGER NOT NULL,
    PRIMARY KEY (station_id, observed_at)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS observations_by_seq ON observations (seq);
CREATE TABLE IF NOT EXISTS used_tokens (
    scope TEXT NOT NULL,
    token BLOB NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (scope, token)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS used_tokens_by_expiry ON used_tokens (expires_at);
"""
