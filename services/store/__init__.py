"""Storage adapters behind :mod:`services.core.ports` (SQLite is the embedded default)."""

from __future__ import annotations

from pathlib import Path

from services.store.sqlite import SqliteRepository


def open_store(path: str | Path, *, seed: bool = True) -> SqliteRepository:
    """Open (creating if needed) the SQLite store; seed it on first use."""
    repository = SqliteRepository(path)
    if seed and not repository.is_seeded():
        reseed(repository, replace_all=False)
    return repository


def reseed(repository: SqliteRepository, *, replace_all: bool = True) -> bool:
    from services.store import seed

    return repository.load_seed(seed.load_stations(), seed.load_observations(),
                                replace_all=replace_all, source=seed.SOURCE)


__all__ = ["SqliteRepository", "open_store", "reseed"]
