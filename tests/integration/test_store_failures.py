"""The SQLite store when its file misbehaves: briefly read-only, full, missing, not a database.

Root ignores file modes, so a read-only file is made with ``chattr +i`` when running as root
(and with ``chmod`` otherwise); the test skips, saying why, where neither can be done.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from services.core import Observation, WeatherService
from services.core.errors import Internal, StoreFull
from services.store import SqliteRepository, StoreUnavailable, connect
from tests.integration.writer import EPOCH, KEY


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` cannot be opened for writing, even by root, until the block ends."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    try:
        made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True)
    except FileNotFoundError:
        pytest.skip("running as root, which ignores file modes, and chattr is not installed")
    if made.returncode != 0:
        pytest.skip(f"running as root, which ignores file modes, and chattr +i is refused here: "
                    f"{made.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def observation(hour: int) -> Observation:
    return Observation("KAAA", EPOCH + timedelta(hours=hour), temperature=1.0)


def test_a_worker_thread_writes_again_once_a_read_only_file_is_writable(
        sqlite_service: WeatherService, db_path: Path) -> None:
    service = sqlite_service
    # One long-lived worker thread, as in gRPC's pool: its connection is first opened while
    # the file is read-only, so SQLite opens it read-only.
    with ThreadPoolExecutor(max_workers=1) as worker:
        def put(hour: int) -> object:
            return service.put_observation(observation(hour), credential=KEY)

        with read_only(db_path), pytest.raises(Internal) as refused:
            worker.submit(put, 0).result(timeout=60)
        assert "nothing was written" in refused.value.message
        worker.submit(put, 1).result(timeout=60)
    repository = service.repository
    assert repository.get_observation("KAAA", EPOCH) is None
    assert repository.get_observation("KAAA", EPOCH + timedelta(hours=1)) is not None


def test_a_write_to_a_full_store_is_store_full_and_writes_nothing(
        sqlite_service: WeatherService) -> None:
    service = sqlite_service
    repository = service.repository
    assert isinstance(repository, SqliteRepository)
    db = repository._db  # this thread's connection: the one the service writes through here
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 2}")
    before = repository.current_sequence()
    with pytest.raises(StoreFull):
        service.import_observations([observation(h) for h in range(5_000)], credential=KEY)
    assert repository.counts() == (1, 0)
    assert repository.current_sequence() == before
    db.execute("PRAGMA max_page_count = 1073741823")  # room again: writes work at once
    service.import_observations([observation(h) for h in range(10)], credential=KEY)
    assert repository.counts() == (1, 10)


def test_a_database_that_cannot_be_opened_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable) as caught:
        connect(tmp_path)  # a directory
    assert str(tmp_path) in str(caught.value)
    assert "it is a directory" in str(caught.value)
    assert "--db or FOURCAST_DB" in str(caught.value)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreUnavailable, match=r"cannot use the database .*file/db\.sqlite3"):
        connect(blocker / "db.sqlite3")  # its folder cannot be made


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        with pytest.raises(StoreUnavailable, match="it is not a SQLite database"):
            connect(text)
        gc.collect()
    assert text.read_text() == "not a database\n" * 200
    # the connection that found it was closed, not left to the collector (3.13 warns)
    assert [str(w.message) for w in caught if w.category is ResourceWarning] == []


def test_a_read_only_database_is_one_clear_error(db_path: Path) -> None:
    with read_only(db_path), pytest.raises(StoreUnavailable, match="it is read-only"):
        connect(db_path)


def test_a_url_is_never_taken_for_a_path(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="mysql:// is not a supported database"):
        connect("mysql://user@localhost/fourcast")
    assert not Path("mysql:").exists()


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_seed_and_serve_say_in_one_line_why_a_database_cannot_be_used(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n" * 200)
    for command in (["seed"], ["serve", "rest"]):
        result = run_cli(*command, "--db", str(text), cwd=tmp_path)
        assert result.returncode == 1
        assert result.stderr.count("\n") == 1, result.stderr
        assert str(text) in result.stderr and "FOURCAST_DB" in result.stderr
        assert "Traceback" not in result.stderr


def test_seed_refuses_to_overwrite_writes_without_force(tmp_path: Path) -> None:
    db = tmp_path / "mine.sqlite3"
    assert run_cli("seed", "--db", str(db), cwd=tmp_path).returncode == 0
    assert run_cli("seed", "--db", str(db), cwd=tmp_path).returncode == 0  # nothing to lose
    with SqliteRepository(db) as repository, repository.write() as tx:
        tx.put_observations([Observation("KJFK", EPOCH, temperature=1.0)])
    refused = run_cli("seed", "--db", str(db), cwd=tmp_path)
    assert refused.returncode == 1
    assert "1 change(s) made after it was seeded" in refused.stderr
    assert "5 stations, 43634 observations" in refused.stderr and "--force" in refused.stderr
    with SqliteRepository(db) as repository:
        assert repository.get_observation("KJFK", EPOCH) is not None
    forced = run_cli("seed", "--force", "--db", str(db), cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    with SqliteRepository(db) as repository:
        assert repository.get_observation("KJFK", EPOCH) is None
        assert repository.counts() == (5, 43_633)


def test_closing_never_pulls_a_connection_from_under_another_live_thread(db_path: Path) -> None:
    # A watch hub's thread may be inside a statement when the store is closed: SQLite closed
    # under a running statement crashes the process (seen in CI). Its connection stays open
    # until the repository is collected; this thread's is closed at once.
    store = SqliteRepository(db_path)
    opened, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        store.current_sequence()
        opened.set()
        release.wait(30)

    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        assert opened.wait(30)
        mine = store._db
        theirs = [db for db in store._connections if db is not mine]
        assert len(theirs) == 1
        store.close()
        assert theirs[0].execute("SELECT 1").fetchone() == (1,)  # still open, still usable
        with pytest.raises(sqlite3.ProgrammingError):
            mine.execute("SELECT 1")  # closed
    finally:
        release.set()
        thread.join(30)
    store.close()  # its thread has ended: now it is closed too
    with pytest.raises(sqlite3.ProgrammingError):
        theirs[0].execute("SELECT 1")
