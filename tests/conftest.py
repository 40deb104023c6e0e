"""Fixtures shared by every test package: a seeded database and real served processes."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from services.store import open_store
from services.supervisor import ServerProcess
from tests.postgres_cluster import Cluster, find_binaries, running_cluster
from tests.servers import served

TEST_STORE_ENV = "FOURCAST_TEST_STORE"


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded SQLite file for the session's servers (tests that write use their own ids)."""
    path = tmp_path_factory.mktemp("db") / "fourcast.sqlite3"
    open_store(path).close()
    return path


@pytest.fixture(scope="session")
def server_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("server-logs")


@pytest.fixture(scope="session")
def served_db(request: pytest.FixtureRequest, seeded_db: Path) -> str | Path:
    """The database ``serve`` starts its servers on: ``seeded_db``, or, with
    ``FOURCAST_TEST_STORE=postgresql``, a seeded PostgreSQL database (CI runs the comparative
    suite both ways; tests that open ``seeded_db`` themselves assume SQLite)."""
    if os.environ.get(TEST_STORE_ENV, "sqlite") != "postgresql":
        return seeded_db
    cluster: Cluster = request.getfixturevalue("postgres_cluster")
    url = cluster.create_database("served")
    open_store(url).close()
    return url


@pytest.fixture(scope="session")
def serve(served_db: str | Path, server_logs: Path
          ) -> Iterator[Callable[[str], ServerProcess]]:
    """``serve("rest")`` starts (once per session) and returns that protocol's server."""
    started: dict[str, ServerProcess] = {}
    with ExitStack() as stack:
        def start(protocol: str) -> ServerProcess:
            if protocol not in started:
                started[protocol] = stack.enter_context(served(protocol, served_db, server_logs))
            return started[protocol]

        yield start


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL cluster for the session (skips where PostgreSQL is absent)."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl, postgres) in PATH or "
                    "/usr/lib/postgresql/*/bin: apt-get install postgresql")
    with running_cluster(binaries) as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_cluster.create_database()
    yield url
    postgres_cluster.drop_database(url)
