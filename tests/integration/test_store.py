"""The store contract, over SQLite and PostgreSQL alike: transactions, seeding, concurrent
writers in several processes, race-free conditional writes, and a gap-free change sequence.
SQLite's own layout (WAL, its query plan) is checked at the end."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.core import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    Observation,
    Station,
    WeatherService,
    ports,
    version_of,
)
from services.core.auth import KeyChecker
from services.store import SqliteRepository, Store, connect, open_store
from services.store.sqlite import SCHEMA_VERSION
from tests.integration.conftest import ALPHA
from tests.integration.writer import EPOCH, KEY


def writer(db: str | Path, station: str, first: int, count: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "tests.integration.writer", str(db), station,
                             str(first), str(count)], stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes]) -> None:
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()


def test_a_failed_import_writes_nothing(service: WeatherService, store: Store) -> None:
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
    assert store.counts() == (1, 0)


def test_an_import_reports_what_it_created_and_replaced(service: WeatherService) -> None:
    first = [Observation("KAAA", EPOCH + timedelta(hours=h), temperature=1.0) for h in range(3)]
    assert service.import_observations(first, credential=KEY).created == 3
    again = [Observation("KAAA", EPOCH + timedelta(hours=h), temperature=2.0) for h in range(2, 5)]
    summary = service.import_observations(again, credential=KEY)
    assert (summary.created, summary.replaced) == (2, 1)
    assert service.repository.get_observation("KAAA", EPOCH + timedelta(hours=2)) == again[0]


def test_a_transaction_that_raises_rolls_back(store: Store) -> None:
    before = store.current_sequence()
    with pytest.raises(RuntimeError), store.write() as tx:
        tx.put_observations([Observation("KAAA", EPOCH, temperature=1.0)])
        raise RuntimeError("boom")
    assert store.get_observation("KAAA", EPOCH) is None
    assert store.current_sequence() == before


def test_several_processes_writing_at_once_lose_no_write(store_target: str | Path,
                                                         store: Store) -> None:
    processes, per_process = 4, 150
    writers = [writer(store_target, "KAAA", i * per_process, per_process)
               for i in range(processes)]
    for process in writers:
        finish(process)
    assert store.counts() == (1, processes * per_process)
    recorded = store.observations_after(0, None, 10_000)
    sequences = [r.sequence for r in recorded]
    assert len(sequences) == processes * per_process == len(set(sequences))
    assert sequences == sorted(sequences)


def test_a_watcher_resuming_during_concurrent_writes_misses_nothing(
        store_target: str | Path, store: Store) -> None:
    # The trap: sequence numbers that commit out of order. A watcher that resumes after the
    # highest number it has seen must still get every observation, in sequence order.
    processes, per_process = 4, 60
    writers = [writer(store_target, "KAAA", i * per_process, per_process)
               for i in range(processes)]
    seen: list[int] = []
    position = 0
    while any(p.poll() is None for p in writers) or len(seen) < processes * per_process:
        batch = store.observations_after(position, ["KAAA"], 7)  # small pages: many resumes
        seen.extend(r.sequence for r in batch)
        position = batch[-1].sequence if batch else position
        if not batch and all(p.poll() is not None for p in writers):
            break
    for process in writers:
        finish(process)
    everything = [r.sequence for r in store.observations_after(0, None, 10_000)]
    assert seen == everything
    assert len(seen) == processes * per_process


def race(store_target: str | Path, version: str, names: list[str]) -> list[str]:
    """Each name written as KAAA's name by its own thread and connection, all released at
    once, each carrying ``version``; returns each write's outcome."""
    barrier = threading.Barrier(len(names))
    outcomes: list[str] = []

    def write(name: str) -> None:
        with connect(store_target) as repository:
            service = WeatherService(repository, KeyChecker([KEY]))
            barrier.wait(timeout=60)
            try:
                service.put_station(Station("KAAA", name, 40.0, -74.0, 10.0, "America/New_York"),
                                    credential=KEY, if_match=version)
                outcomes.append("won")
            except FailedPrecondition:
                outcomes.append("refused")

    threads = [threading.Thread(target=write, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_two_writes_with_the_same_version_at_once_exactly_one_wins(
        store_target: str | Path, store: Store) -> None:
    writers = 6
    for round_ in range(10):
        version = version_of(store.get_station("KAAA"))
        outcomes = race(store_target, version, [f"Alpha {round_}.{i}" for i in range(writers)])
        assert sorted(outcomes) == ["refused"] * (writers - 1) + ["won"], f"round {round_}"


def test_a_watch_sees_what_another_process_records(service: WeatherService,
                                                   store_target: str | Path) -> None:
    watch = service.watch(["KAAA"])
    process = writer(store_target, "KAAA", 0, 3)
    seen: list[Observation] = []
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    for recorded in watch.iter(stop=lambda: len(seen) >= 3 or datetime.now(UTC) > deadline,
                               poll_interval=0.05):
        seen.append(recorded.observation)
    finish(process)
    assert [o.observed_at for o in seen] == [EPOCH + timedelta(hours=h) for h in range(3)]


def test_waiting_for_a_change_wakes_on_a_write_from_another_process(store: Store,
                                                                    store_target: str | Path
                                                                    ) -> None:
    after = store.current_sequence()
    woke: list[int] = []
    waiters = [threading.Thread(target=lambda: woke.append(store.wait_for_change(after, 60)))
               for _ in range(5)]
    for waiter in waiters:
        waiter.start()
    finish(writer(store_target, "KAAA", 0, 1))
    for waiter in waiters:
        waiter.join(timeout=90)
    assert woke == [after + 1] * 5


def test_waiting_for_a_change_wakes_at_once_on_a_write_of_this_process(
        service: WeatherService, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    # With the poll for other processes' commits an hour apart, only a wake by the write
    # itself can end the wait before the join gives up.
    monkeypatch.setattr(ports, "CHANGE_POLL_INTERVAL", 3600.0)
    after = store.current_sequence()
    woke: list[int] = []
    waiter = threading.Thread(target=lambda: woke.append(store.wait_for_change(after, 60)),
                              daemon=True)
    waiter.start()
    service.put_observation(Observation("KAAA", EPOCH, temperature=1.0), credential=KEY)
    waiter.join(timeout=30)
    assert woke == [after + 1]


def test_changes_after_a_sequence_can_be_asked_for_any_number_of_stations(
        service: WeatherService, store: Store) -> None:
    service.put_observation(Observation("KAAA", EPOCH, temperature=1.0), credential=KEY)
    many = [f"K{i:03d}" for i in range(40_000)] + ["KAAA"]  # past SQLite's variable limit
    assert [r.observation.station_id for r in store.observations_after(0, many, 10)] == ["KAAA"]


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


def test_stations_page_in_byte_order_and_a_deleted_station_takes_its_observations(
        service: WeatherService, store: Store) -> None:
    for station_id in ("KB0A", "K0B1", "KB01"):
        service.put_station(Station(station_id, "x", 0.0, 0.0, 0.0, "UTC"), credential=KEY)
    ids = [s.id for s in store.list_stations(after=None, before=None, limit=10)]
    assert ids == sorted(ids) == ["K0B1", "KAAA", "KB01", "KB0A"]
    service.put_observation(Observation("KB01", EPOCH, temperature=1.0), credential=KEY)
    service.delete_station("KB01", credential=KEY)
    assert store.counts() == (3, 0)
    assert store.get_stations(["KAAA", "KB01", "KZZZ"]) == {"KAAA": ALPHA}


def test_concurrent_first_starts_seed_exactly_once(tmp_path: Path,
                                                   request: pytest.FixtureRequest,
                                                   store_target: str | Path) -> None:
    fresh: str | Path = (tmp_path / "fresh.sqlite3" if isinstance(store_target, Path)
                         else request.getfixturevalue("postgres_cluster").create_database())
    code = "import sys; from services.store import open_store; open_store(sys.argv[1]).close()"
    starts = [subprocess.Popen([sys.executable, "-c", code, str(fresh)]) for _ in range(3)]
    assert [p.wait(timeout=120) for p in starts] == [0, 0, 0]
    with open_store(fresh) as repository:
        assert repository.counts() == (5, 43_633)
        assert repository.changes_since_seed() == 0


def test_reseeding_restores_the_real_data(tmp_path: Path, request: pytest.FixtureRequest,
                                          store_target: str | Path) -> None:
    copy: str | Path = (tmp_path / "copy.sqlite3" if isinstance(store_target, Path)
                        else request.getfixturevalue("postgres_cluster").create_database())
    result = subprocess.run([sys.executable, "-m", "services.cli", "seed", "--db", str(copy)],
                            capture_output=True, text=True, check=True)
    assert "5 stations, 43633 observations" in result.stdout
    with connect(copy) as repository:
        assert repository.counts() == (5, 43_633)


# -- SQLite's own layout ---------------------------------------------------------------------

def test_the_sqlite_store_is_in_wal_mode_with_a_schema_version(db_path: Path) -> None:
    with SqliteRepository(db_path) as repository:
        db = repository._db
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_a_sqlite_time_range_query_is_an_index_range(db_path: Path) -> None:
    with SqliteRepository(db_path) as repository:
        plan = repository._db.execute(
            "EXPLAIN QUERY PLAN SELECT * FROM observations WHERE station_id = ? AND "
            "observed_at >= ? AND observed_at < ? ORDER BY observed_at",
            ("KAAA", 0, 1)).fetchall()
    assert "USING PRIMARY KEY (station_id=? AND observed_at>? AND observed_at<?)" in str(plan)


CLAIM = ("import sys, time; from services.store import connect\n"
         "with connect(sys.argv[1]) as store:\n"
         "    print(store.claim_once('nonce', b'once', time.time() + 60))")


def test_a_one_time_token_is_claimed_once_across_processes(store_target: str | Path) -> None:
    # replicas share the store: a Nonce replayed to any of them is refused by the claim
    claims = [subprocess.Popen([sys.executable, "-c", CLAIM, str(store_target)],
                               stdout=subprocess.PIPE, text=True) for _ in range(4)]
    answers = [p.communicate(timeout=120)[0].strip() for p in claims]
    assert sorted(answers) == ["False", "False", "False", "True"], answers


def test_a_claim_is_per_scope_expires_and_is_not_a_change(store: Store) -> None:
    import time

    before = store.current_sequence()
    assert store.claim_once("nonce", b"a", time.time() + 60)
    assert not store.claim_once("nonce", b"a", time.time() + 60)
    assert store.claim_once("other", b"a", time.time() + 60)
    assert store.claim_once("nonce", b"gone", time.time() - 1)  # already expired
    assert store.claim_once("nonce", b"gone", time.time() + 60)  # so it may be claimed again
    assert store.current_sequence() == before
