"""What ``--db`` / ``FOURCAST_DB`` names: a SQLite file path, or a PostgreSQL URL.

A value with a scheme (``something://``) is a URL and is never taken for a path: an unknown
scheme is refused rather than becoming a folder named after it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from services.store.errors import StoreUnavailable

POSTGRES_SCHEMES = ("postgresql", "postgres")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def scheme(db: str | Path) -> str | None:
    """The URL scheme of ``db`` (lower case), or None when it is a path."""
    if isinstance(db, Path):
        return None
    match = _URL.match(db)
    return match.group(1).lower() if match else None


def is_postgres(db: str | Path) -> bool:
    return scheme(db) in POSTGRES_SCHEMES


def sqlite_path(db: str | Path) -> Path:
    """``db`` as a SQLite file path; a URL of any scheme is refused."""
    found = scheme(db)
    if found is not None:
        raise StoreUnavailable(display(db), f"{found}:// is not a supported database "
                                            f"(use a file path, or postgresql://...)")
    return Path(db)


def display(db: str | Path) -> str:
    """``db`` fit to print in a message or a log: a URL's password is masked."""
    if scheme(db) is None:
        return str(db)
    parts = urlsplit(str(db))
    if parts.password is None:
        return str(db)
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
