"""Storage adapters behind :mod:`services.core.ports`: SQLite (the embedded default, a file
path) or PostgreSQL (a ``postgresql://`` URL), chosen by what ``--db`` / ``FOURCAST_DB`` names.
"""

from __future__ import annotations

from pathlib import Path

from services.store.base import Store
from services.store.errors import SeedWouldOverwrite, StoreUnavailable
from services.store.sqlite import SqliteRepository
from services.store.target import display, is_postgres, sqlite_path


def connect(db: str | Path) -> Store:
    """Open (creating the schema if needed) the store ``db`` names, without seeding it.
    Raises :class:`StoreUnavailable` when it cannot be used."""
    if is_postgres(db):
        from services.store.postgres import PostgresRepository

        return PostgresRepository(str(db))
    return SqliteRepository(sqlite_path(db))


def open_store(db: str | Path, *, seed: bool = True) -> Store:
    """Open the store ``db`` names; seed it on first use."""
    repository = connect(db)
    if seed and not repository.is_seeded():
        reseed(repository, replace_all=False)
    return repository


def reseed(repository: Store, *, replace_all: bool = True, force: bool = True) -> bool:
    """Load the packaged seed. Without ``force``, refuse (:class:`SeedWouldOverwrite`) when the
    store holds changes made after its last seed: seeding would replace them."""
    from services.store import seed

    if replace_all and not force:
        changes = repository.changes_since_seed()
        if changes:
            stations, observations = repository.counts()
            raise SeedWouldOverwrite(repository.name, changes, stations, observations)
    return repository.load_seed(seed.load_stations(), seed.load_observations(),
                                replace_all=replace_all, source=seed.SOURCE)


__all__ = ["SeedWouldOverwrite", "SqliteRepository", "Store", "StoreUnavailable", "connect",
           "display", "open_store", "reseed"]
