"""What a store raises besides the core's errors, and how SQLite's failures are sorted.

:class:`StoreUnavailable` is for the operator, not for an API client: the database named by
``--db`` / ``FOURCAST_DB`` cannot be opened, is not a Fourcast database, is read-only, or a
server is unreachable. ``fourcast seed`` and ``fourcast serve`` print its message as one line.
:class:`SeedWouldOverwrite` is ``fourcast seed`` refusing to replace a user's writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from services.core.errors import Internal, StoreFull

DB_SETTING = "--db or FOURCAST_DB"

# Primary result codes (the low byte of the extended code); see sqlite.org/rescode.html.
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
# A connection that saw one of these cannot be trusted to work again (it was opened read-only,
# or its file went away or changed under it): drop it, the next call opens a fresh one.
STALE_CONNECTION_CODES = frozenset({SQLITE_READONLY, SQLITE_IOERR, SQLITE_CANTOPEN,
                                    SQLITE_NOTADB, SQLITE_CORRUPT})


class StoreUnavailable(Exception):
    """The configured database cannot be used; the message names it and the setting."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"cannot use the database {target}: {reason} "
                         f"(choose another with {DB_SETTING})")
        self.target = target
        self.reason = reason


class SeedWouldOverwrite(Exception):
    """Seeding would replace writes made after the last seed; ``--force`` allows it."""

    def __init__(self, target: str, changes: int, stations: int, observations: int) -> None:
        super().__init__(
            f"{target} holds {changes} change(s) made after it was seeded "
            f"({stations} stations, {observations} observations now); seeding would replace "
            f"them all: pass --force to do it anyway")
        self.changes = changes


def primary_code(error: sqlite3.Error) -> int | None:
    code = getattr(error, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


def is_stale_connection(error: sqlite3.Error) -> bool:
    return primary_code(error) in STALE_CONNECTION_CODES


def write_failure(error: sqlite3.Error) -> Exception:
    """The core error a failed write transaction becomes (nothing of it was written)."""
    code = primary_code(error)
    if code == SQLITE_FULL:
        return StoreFull()
    if code in STALE_CONNECTION_CODES:
        return Internal("the store cannot be written right now (read-only or unreachable): "
                        "nothing was written; retry later")
    return error


def open_failure(target: str, error: BaseException) -> StoreUnavailable:
    """The one-line reason a database could not be opened."""
    if isinstance(error, sqlite3.Error) and Path(target).is_dir():
        reason = "it is a directory (name a file in it)"
    elif isinstance(error, sqlite3.Error):
        reason = {
            SQLITE_READONLY: "it is read-only",
            SQLITE_NOTADB: "it is not a SQLite database",
            SQLITE_CORRUPT: "it is not a SQLite database (or it is corrupt)",
            SQLITE_CANTOPEN: "it cannot be opened",
        }.get(primary_code(error) or -1, str(error))
    elif isinstance(error, OSError):
        reason = error.strerror or str(error)
    else:
        reason = str(error)
    return StoreUnavailable(target, reason)
