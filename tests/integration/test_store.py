"""The SQLite store: transactions, indexes, seeding, and several processes at once."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.core import InvalidArgument, NotFound, Observation, WeatherService
from services.store import SqliteRepository, open_store
from services.store.sqlite import SCHEMA_VERSION
from tests.integration.writer import EPOCH, KEY


def writer(db: Path, station: str, first: int, count: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.integration.writer", str(db), station,
                             str(first), str(count)], stderr=subprocess.PIPE)


def test_the_store_is_in_wal_mode_with_a_schema_version(db_path: Path) -> None:
    repository = SqliteRepository(db_path)
    db = repository._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_a_time_range_query_is_an_index_range(db_path: Path) -> None:
    repository = SqliteRepository(db_path)
    plan = repository._db.execute(
        "EXPLAIN QUERY PLAN SELECT * FROM observations WHERE station_id = ? AND "
        "observed_at >= ? AND observed_at < ? ORDER BY observed_at", ("KAAA", 0, 1)).fetchall()
    assert "USING PRIMARY KEY (station_id=? AND observed_at>? AND observed_at<?)" in str(plan)


def test_a_failed_import_writes_nothing(service: WeatherService) -> None:
    good = [Observation("KAAA", EPOCH + timedelta(hours=h), temperature=1.0) for h in range(10)]
    bad = Observation("KAAA", EPOCH + timedelta(hours=10), relative_humidity=101.0)
    with pytest.raises(InvalidArgument) as caught:
        service.import_observations([*good, bad], credential=KEY)
    assert [v.field for v in caught.value.violations] == ["observations[10].relative_humidity"]
    unknown = [*good, Observation("KZZZ", EPOCH, temperature=1.0)]
    with pytest.raises(NotFound):
        service.import_observations(unknown, credential=KEY)
    page = service.list_observations("KAAA", EPOCH, EPOCH + timedelta(days=1))
    assert page.items == ()
    assert service.repository.counts() == (1, 0)  # type: ignore[attr-defined]


def test_a_transaction_that_raises_rolls_back(db_path: Path) -> None:
    repository = SqliteRepository(db_path)
    before = repository.current_sequence()
    with pytest.raises(RuntimeError), repository.write() as tx:
        tx.put_observations([Observation("KAAA", EPOCH, temperature=1.0)])
        raise RuntimeError("boom")
    assert repository.get_observation("KAAA", EPOCH) is None
    assert repository.current_sequence() == before


def test_several_processes_writing_at_once_lose_no_write(db_path: Path) -> None:
    processes, per_process = 4, 150
    writers = [writer(db_path, "KAAA", i * per_process, per_process) for i in range(processes)]
    for process in writers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    repository = SqliteRepository(db_path)
    assert repository.counts() == (1, processes * per_process)
    recorded = repository.observations_after(0, None, 10_000)
    sequences = [r.sequence for r in recorded]
    assert len(sequences) == processes * per_process == len(set(sequences))
    assert sequences == sorted(sequences)


def test_a_watch_sees_what_another_process_records(service: WeatherService,
                                                   db_path: Path) -> None:
    watch = service.watch(["KAAA"])
    process = writer(db_path, "KAAA", 0, 3)
    seen: list[Observation] = []
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    for recorded in watch.iter(stop=lambda: len(seen) >= 3 or datetime.now(UTC) > deadline,
                               poll_interval=0.05):
        seen.append(recorded.observation)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert [o.observed_at for o in seen] == [EPOCH + timedelta(hours=h) for h in range(3)]


def test_a_subscription_follows_its_changes(service: WeatherService) -> None:
    watch = service.subscription()
    service.put_observation(Observation("KAAA", EPOCH, temperature=1.0), credential=KEY)
    assert watch.poll() == []
    watch.subscribe(["KAAA"])
    service.put_observation(Observation("KAAA", EPOCH + timedelta(hours=1)), credential=KEY)
    assert [r.observation.observed_at for r in watch.poll()] == [EPOCH + timedelta(hours=1)]
    watch.unsubscribe(["KAAA"])
    service.put_observation(Observation("KAAA", EPOCH + timedelta(hours=2)), credential=KEY)
    assert watch.poll() == []
    with pytest.raises(NotFound):
        watch.subscribe(["KZZZ"])


def test_a_watch_of_no_station_is_refused(service: WeatherService) -> None:
    with pytest.raises(InvalidArgument) as caught:
        service.watch([])
    assert caught.value.details() == ("INVALID_ARGUMENT", ("station_ids",))


def test_concurrent_first_starts_seed_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / "fresh.sqlite3"
    code = "import sys; from services.store import open_store; open_store(sys.argv[1]).close()"
    starts = [subprocess.Popen([sys.executable, "-c", code, str(db)]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in starts] == [0, 0, 0]
    with open_store(db) as repository:
        assert repository.counts() == (5, 43_633)


def test_reseeding_restores_the_real_data(seeded_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy.sqlite3"
    result = subprocess.run([sys.executable, "-m", "services.cli", "seed", "--db", str(copy)],
                            capture_output=True, text=True, check=True)
    assert "5 stations, 43633 observations" in result.stdout
    with SqliteRepository(copy) as repository:
        assert repository.counts() == (5, 43_633)
