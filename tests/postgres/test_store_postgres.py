"""What only the PostgreSQL store has: a URL never taken for a path, a masked password, one
LISTEN connection per process however many wait."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import psycopg

from services.store import connect
from services.store.postgres_schema import NOTIFY_CHANNEL
from tests.servers import free_port


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_an_unreachable_url_is_one_line_and_never_a_folder(tmp_path: Path) -> None:
    url = f"postgresql://fourcast:s3cret@127.0.0.1:{free_port()}/nowhere"
    for command in (["seed"], ["serve", "rest"]):
        result = run_cli(*command, "--db", url, cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert "cannot use the database postgresql://fourcast:***@127.0.0.1:" in result.stderr
        assert "FOURCAST_DB" in result.stderr and "s3cret" not in result.stderr
        assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_seed_loads_postgresql_and_refuses_to_replace_writes(postgres_url: str,
                                                            tmp_path: Path) -> None:
    with_password = postgres_url.replace("fourcast@", "fourcast:s3cret@")
    seeded = run_cli("seed", "--db", with_password, cwd=tmp_path)
    assert "5 stations, 43633 observations" in seeded.stdout
    assert "s3cret" not in seeded.stdout
    with connect(postgres_url) as store, store.write() as tx:
        tx.delete_station("KSFO")
    refused = run_cli("seed", "--db", postgres_url, cwd=tmp_path)
    assert refused.returncode == 1
    assert "1 change(s) made after it was seeded (4 stations, 34874 observations" \
        in refused.stderr
    assert run_cli("seed", "--force", "--db", postgres_url, cwd=tmp_path).returncode == 0
    with connect(postgres_url) as store:
        assert store.counts() == (5, 43_633)


def _listeners(url: str) -> int:
    """Sessions listening for changes on the database of ``url``."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE query = %s AND "
                           "datname = current_database() AND pid <> pg_backend_pid()",
                           (f"LISTEN {NOTIFY_CHANNEL}",)).fetchone()
    assert row is not None
    return int(row[0])


def test_many_waiters_share_one_listen_connection(postgres_url: str) -> None:
    with connect(postgres_url) as store:
        after = store.current_sequence()
        woke: list[int] = []
        waiters = [threading.Thread(target=lambda: woke.append(store.wait_for_change(after, 60)))
                   for _ in range(20)]
        for waiter in waiters:
            waiter.start()
        with connect(postgres_url) as other, other.write() as tx:  # as another replica would
            tx.delete_station("KAAA")
        for waiter in waiters:
            waiter.join(timeout=90)
        assert woke == [after + 1] * 20
        assert _listeners(postgres_url) == 1
