"""Two replicas of every Fourcast server on one PostgreSQL database (for the package)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from services.protocols import PROTOCOLS
from services.store import open_store
from services.supervisor import ServerProcess
from tests.postgres_cluster import Cluster
from tests.servers import served

Replica = dict[str, ServerProcess]


@pytest.fixture(scope="package")
def replica_db(postgres_cluster: Cluster) -> Iterator[str]:
    """A seeded PostgreSQL database for the replicas."""
    url = postgres_cluster.create_database("replicas")
    open_store(url).close()
    yield url
    postgres_cluster.drop_database(url)


@pytest.fixture(scope="package")
def replicas(replica_db: str, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[Replica, Replica]]:
    """Two replicas, each serving all four protocols on free ports, over one database."""
    with ExitStack() as stack:
        sets = []
        for name in ("a", "b"):
            logs = tmp_path_factory.mktemp(f"replica-{name}-logs")
            sets.append({p: stack.enter_context(served(p, replica_db, logs))
                         for p in PROTOCOLS})
        yield sets[0], sets[1]
