"""One waiter on the store per process, fanned out to every watch (over the real store).

The store is the real SqliteRepository, wrapped to count the calls made to it; nothing is
mocked. Synchronisation is on conditions and events, never on time: every wait is bounded
generously (30 s) only so that a bug fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from services.core import NotFound, Observation, RecordedObservation, Station, Units
from services.core import watch as watch_module
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.core.watch import ObservationWatch
from services.core.watch_hub import hub_for
from services.store import SqliteRepository
from tests.integration.writer import EPOCH, KEY

LIMIT = 30.0


class CountingRepository(SqliteRepository):
    """The real store, counting the reads made of it (and from which threads)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.calls: Counter[str] = Counter()
        self.threads: set[int] = set()
        self.changed = threading.Condition()

    def _count(self, name: str) -> None:
        with self.changed:
            self.calls[name] += 1
            self.threads.add(threading.get_ident())
            self.changed.notify_all()

    def reset(self) -> None:
        with self.changed:
            self.calls.clear()
            self.threads.clear()

    def wait_for_calls(self, name: str, count: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.calls[name] >= count, LIMIT)

    fail_waits = 0  # how many of the next waits fail, as a dropped connection would

    def wait_for_change(self, after: int, timeout: float) -> int:
        with self.changed:
            failing, self.fail_waits = self.fail_waits > 0, max(0, self.fail_waits - 1)
        if failing:
            raise sqlite3.OperationalError("disk I/O error")
        return super().wait_for_change(after, timeout)

    def current_sequence(self) -> int:
        self._count("current_sequence")
        return super().current_sequence()

    def observations_after(self, sequence: int, station_ids: Sequence[str] | None,
                           limit: int) -> list[RecordedObservation]:
        self._count("observations_after")
        return super().observations_after(sequence, station_ids, limit)

    def get_station(self, station_id: str) -> Station | None:
        self._count("get_station")
        return super().get_station(station_id)

    def get_stations(self, station_ids: Sequence[str]) -> dict[str, Station]:
        self._count("get_stations")
        return super().get_stations(station_ids)


@pytest.fixture
def counted(db_path: Path) -> Iterator[WeatherService]:
    service = WeatherService(CountingRepository(db_path), KeyChecker([KEY]))
    service.put_station(Station("KBBB", "Bravo", 41.0, -73.0, 5.0, "UTC"), credential=KEY)
    yield service
    hub = hub_for(service.repository)
    hub.close_all()  # its thread ends at its next wake: wait for it before closing the store,
    assert hub.wait_stopped(LIMIT)  # so no thread of it opens a connection after close()
    repo(service).close()


def repo(service: WeatherService) -> CountingRepository:
    assert isinstance(service.repository, CountingRepository)
    return service.repository


def put(service: WeatherService, station_id: str, hour: int, temperature: float = 0.0) -> None:
    service.put_observation(Observation(station_id, EPOCH + timedelta(hours=hour),
                                        temperature=temperature), credential=KEY)


def hours(batch: Sequence[RecordedObservation]) -> list[tuple[str, int]]:
    return [(r.observation.station_id, int((r.observation.observed_at - EPOCH).total_seconds())
             // 3600) for r in batch]


def test_a_thousand_idle_watches_cost_the_store_what_one_does(counted: WeatherService) -> None:
    store = repo(counted)
    watches = [counted.watch(["KAAA"]) for _ in range(1000)]
    received: list[list[RecordedObservation]] = [[] for _ in watches]
    all_started, done = threading.Event(), threading.Event()

    async def consume(index: int, watch: ObservationWatch) -> None:
        async for recorded in watch.aiter():
            received[index].append(recorded)
            return

    async def main() -> None:
        tasks = [asyncio.create_task(consume(i, w)) for i, w in enumerate(watches)]
        all_started.set()  # (a consumer that has not run yet reads nothing from the store)
        await asyncio.wait_for(asyncio.gather(*tasks), LIMIT)
        done.set()

    loop_thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    loop_thread.start()
    assert all_started.wait(LIMIT)
    store.reset()
    # While idle, only the hub's own wait touches the store (the default wait polls the
    # change sequence): 20 such polls in, nothing else was read, and from one thread only.
    assert store.wait_for_calls("current_sequence", 20)
    assert set(store.calls) == {"current_sequence"}
    assert len(store.threads) == 1

    store.reset()
    put(counted, "KAAA", 0, 1.5)
    assert done.wait(LIMIT)
    loop_thread.join(LIMIT)
    assert all(hours(r) == [("KAAA", 0)] for r in received)
    # The write was read once for all of them: not once per watch.
    assert store.calls["observations_after"] == 1
    assert store.calls["get_station"] == 0
    assert store.calls["get_stations"] <= 1
    for watch in watches:
        watch.close()


def test_a_write_reaches_blocking_and_async_watchers_on_several_loops(
        counted: WeatherService) -> None:
    threaded = [counted.watch(["KAAA"]) for _ in range(3)]
    looped = [counted.watch(None, Units.US) for _ in range(2)]
    got: dict[int, list[RecordedObservation]] = {}

    def blocking(index: int, watch: ObservationWatch) -> None:
        got[index] = [next(watch.iter())]

    async def first(watch: ObservationWatch) -> RecordedObservation:
        async for recorded in watch.aiter():
            return recorded
        raise AssertionError("the watch ended")

    def on_own_loop(index: int, watch: ObservationWatch) -> None:
        got[index] = [asyncio.run(asyncio.wait_for(first(watch), LIMIT))]

    threads = [threading.Thread(target=blocking, args=(i, w)) for i, w in enumerate(threaded)]
    threads += [threading.Thread(target=on_own_loop, args=(10 + i, w))
                for i, w in enumerate(looped)]
    for thread in threads:
        thread.start()
    put(counted, "KAAA", 1, 10.0)
    for thread in threads:
        thread.join(LIMIT)
    assert sorted(got) == [0, 1, 2, 10, 11]
    assert all(hours(batch) == [("KAAA", 1)] for batch in got.values())
    assert got[10][0].observation.temperature == 50.0  # each watch in its own units
    assert got[0][0].observation.temperature == 10.0


def test_each_watch_gets_the_rows_of_its_stations_in_order(counted: WeatherService) -> None:
    alpha, bravo = counted.watch(["KAAA"]), counted.watch(["KBBB"])
    both, every = counted.watch(["KAAA", "KBBB"]), counted.watch(None)
    for hour, station in enumerate(["KAAA", "KBBB", "KBBB", "KAAA", "KBBB"]):
        put(counted, station, hour)
    assert every.wait(LIMIT) and alpha.wait(LIMIT)
    expected = [("KAAA", 0), ("KBBB", 1), ("KBBB", 2), ("KAAA", 3), ("KBBB", 4)]

    def drain(watch: ObservationWatch, count: int) -> list[RecordedObservation]:
        found: list[RecordedObservation] = []
        while len(found) < count and watch.wait(LIMIT):
            found += watch.poll()
        return found

    everything = drain(every, 5)
    assert hours(everything) == expected
    assert [r.sequence for r in everything] == sorted(r.sequence for r in everything)
    assert hours(drain(both, 5)) == expected
    assert hours(drain(alpha, 2)) == [("KAAA", 0), ("KAAA", 3)]
    assert hours(drain(bravo, 3)) == [("KBBB", 1), ("KBBB", 2), ("KBBB", 4)]
    assert alpha.sequence == everything[3].sequence


def test_a_watch_resumes_from_an_old_sequence_then_follows_the_hub(
        counted: WeatherService) -> None:
    live = counted.watch(["KAAA"])  # keeps the hub running meanwhile
    start = counted.current_sequence()
    put(counted, "KAAA", 0)
    put(counted, "KAAA", 1)
    resumed = counted.watch(["KAAA"], after_sequence=start)
    # catches up by a read of its own, or, if the hub has not reached the writes yet, is fed
    # them by the hub: either way in order, once each (poll never blocks, so keep polling)
    got = resumed.poll()
    put(counted, "KAAA", 2)
    while len(got) < 3 and resumed.wait(LIMIT):
        got += resumed.poll()
    assert hours(got) == [("KAAA", 0), ("KAAA", 1), ("KAAA", 2)]
    live.close()


def test_a_watch_that_falls_far_behind_catches_up_by_its_own_reads(
        counted: WeatherService, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_module, "MAX_PENDING", 3)
    monkeypatch.setattr(watch_module, "POLL_BATCH", 2)
    watch = counted.watch(["KAAA"])
    counted.import_observations([Observation("KAAA", EPOCH + timedelta(hours=h))
                                 for h in range(10)], credential=KEY)
    found: list[RecordedObservation] = []
    while len(found) < 10 and watch.wait(LIMIT):
        found += watch.poll()
    assert hours(found) == [("KAAA", h) for h in range(10)]
    assert len({r.sequence for r in found}) == 10


def test_a_subscription_change_reads_the_new_stations_and_drops_the_old(
        counted: WeatherService) -> None:
    watch = counted.subscription()
    assert watch.poll() == []
    watch.subscribe(["KAAA", "KBBB"])
    put(counted, "KAAA", 0)
    put(counted, "KBBB", 0)
    assert watch.wait(LIMIT)
    watch.unsubscribe(["KAAA"])
    found: list[RecordedObservation] = []
    while len(found) < 1 and watch.wait(LIMIT):
        found += watch.poll()
    assert hours(found) == [("KBBB", 0)]


def test_deleting_a_watched_station_ends_the_watch_with_not_found(
        counted: WeatherService) -> None:
    watch, other = counted.watch(["KBBB"]), counted.watch(["KAAA"])
    assert watch.poll() == []
    counted.delete_station("KBBB", credential=KEY)
    assert watch.wait(LIMIT)
    with pytest.raises(NotFound) as caught:
        watch.poll()
    assert caught.value.details() == ("NOT_FOUND", "station", "KBBB")
    assert other.poll() == []  # the others go on


def test_close_wakes_a_blocked_iterator_and_the_hub_stops_after_the_last_watch(
        counted: WeatherService) -> None:
    watch = counted.watch(["KAAA"])
    hub = hub_for(counted.repository)
    assert hub.running
    seen: list[Any] = []
    thread = threading.Thread(target=lambda: seen.extend(watch.iter()))
    thread.start()
    watch.close()
    thread.join(LIMIT)
    assert not thread.is_alive() and seen == []
    assert hub.wait_stopped(LIMIT)
    again = counted.watch(["KAAA"])  # and a new watch starts it again
    assert hub.running
    put(counted, "KAAA", 5)
    assert again.wait(LIMIT)
    assert hours(again.poll()) == [("KAAA", 5)]
    again.close()


def test_an_open_watch_does_not_keep_the_process_from_exiting(db_path: Path) -> None:
    script = ("from services.core import WeatherService\n"
              "from services.store import SqliteRepository\n"
              f"watch = WeatherService(SqliteRepository({str(db_path)!r})).watch(['KAAA'])\n"
              "print('open', watch.sequence)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=LIMIT, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("open ")


def test_a_station_subscribed_after_watching_none_starts_from_then(
        counted: WeatherService) -> None:
    watch, witness = counted.subscription(), counted.watch(["KBBB"])
    watch.subscribe(["KAAA"])
    assert watch.poll() == []
    watch.unsubscribe(["KAAA"])
    put(counted, "KBBB", 0)  # recorded while the watch watches nothing
    assert witness.wait(LIMIT)  # the hub has fanned it out (to every watch at once)
    watch.subscribe(["KBBB"])
    put(counted, "KBBB", 1)
    found: list[RecordedObservation] = []
    while len(found) < 1 and watch.wait(LIMIT):
        found += watch.poll()
    assert hours(found) == [("KBBB", 1)]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX-only")
def test_a_forked_child_starts_a_hub_of_its_own(counted: WeatherService) -> None:
    parent_watch = counted.watch(["KAAA"])  # the parent's hub thread runs
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: a watch must still be fed, by a hub of the child's own
        try:
            child_watch = counted.watch(["KAAA"])
            store = repo(counted).path
            put(WeatherService(SqliteRepository(store), KeyChecker([KEY])), "KAAA", 7)
            ok = child_watch.wait(LIMIT) and hours(child_watch.poll()) == [("KAAA", 7)]
            os.write(writer, b"ok" if ok else b"no")
        finally:
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as answer:
        assert answer.read() == b"ok"
    os.waitpid(pid, 0)
    parent_watch.close()


def test_the_hub_outlives_a_failing_store_and_loses_nothing(
        counted: WeatherService, caplog: pytest.LogCaptureFixture) -> None:
    store = repo(counted)
    store.fail_waits = 2  # the hub's first two waits (it starts with the watch)
    watch = counted.watch(["KAAA"])
    put(counted, "KAAA", 8)
    found: list[RecordedObservation] = []
    with caplog.at_level(logging.DEBUG, logger="services.core.watch_hub"):
        while len(found) < 1 and watch.wait(LIMIT):
            found += watch.poll()
    assert hours(found) == [("KAAA", 8)]
    assert hub_for(store).running
    assert "the store failed (2 time(s) in a row)" in caplog.text  # retried, backing off
    watch.close()
