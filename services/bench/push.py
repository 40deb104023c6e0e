"""``fourcast bench push``: from a write's acknowledgement to its arrival at a live watcher.

For each pushing protocol (REST: Server-Sent Events, GraphQL: a graphql-transport-ws
subscription, gRPC: a server stream) the protocol's own real client opens a watch of KJFK
(``watch_observations``), and the same protocol's real client writes (``put_observation``) the
latest KJFK observation again with a new temperature, one write at a time, each waited for. The
latency of a write is its arrival at the watcher minus the write's acknowledgement, floored at
0 (the watcher may be told before the writer); ``latency_from_send_ms`` counts from the send.
SOAP has no push: a poller (``GetObservationsSince`` every :data:`POLL_INTERVAL_S` seconds,
the way ``docs/soap.md`` tells an integrator to poll) reports its delivery delay instead.
The original value is written back at the end.

While measuring, ``others`` other watchers of KJFK stay open on the pushing server and are
drained in a child process (:mod:`services.bench.watchers`), so every write fans out to all
of them; each write is waited for until all of them have it, before the next is sent. A server's
live-stream budget refuses more than it admits per client; :data:`STARTED_SERVER_ENV` raises
the budgets of servers bench starts itself. ``other_watchers`` is how many of them received a
first (warm-up) write, i.e. were really open. The timed watch is opened before them (so a
budget never refuses it), which may put it first in a server's fan-out:
``all_watchers_reached_ms`` is the time until the last of them has the write.

Keys of each result beside the common shape (a "call" is one write and its delivery):
``delivery`` (``push`` or ``poll``), ``samples``, ``other_watchers`` (and
``other_watchers_requested``), ``latency_from_send_ms`` {p50, p90, p99},
``all_watchers_reached_ms`` {p50, p90, p99} (from the acknowledgement until the timed watcher
and every other one have the write), ``poll_interval_s`` (SOAP), ``mean_cycle_ms``.
``bytes_per_call`` is what crossed the writer's and the watcher's connections per write;
``cpu_ms_per_1000_calls`` the server's CPU per 1,000 writes, fan-out to the others included.
``requests_per_second`` is writes delivered per second, one at a time: one over the median
write-to-delivery cycle (its range from the slowest and quickest cycles).
"""

from __future__ import annotations

import dataclasses
import queue
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from clients import WeatherClient, connect
from services.bench.usage import read_usage
from services.bench.watchers import CrowdProcess
from services.bench.year import latency_ms, wire_bytes
from services.core.domain import Observation
from services.evidence.targets import Target
from services.progress import Step

STATION = "KJFK"
POLL_INTERVAL_S = 1.0
PHASE_JITTER_S = 0.25
ARRIVAL_TIMEOUT = 30.0  # generous: a write that never arrives ends the measurement
# Enough live streams for bench's 1,000 other watchers plus its own, from one client; REST holds
# a thread per stream, so its threads are raised with them (its streams may hold half).
STARTED_SERVER_ENV: dict[str, str] = {
    "FOURCAST_MAX_STREAMS": "1100", "FOURCAST_MAX_STREAMS_PER_CLIENT": "1100",
    "FOURCAST_REST_THREADS": "2304"}

Arrival = tuple[float, Observation]


def _push_arrivals(client: WeatherClient, arrivals: queue.Queue[Arrival]) -> Callable[[], None]:
    """A live watch of STATION whose observations are timed as they arrive; returns its
    closer."""
    watcher = client.watch_observations([STATION])
    stop = threading.Event()

    def read() -> None:
        # a closed watch does not always end a waiting next() (GraphQL's is cancelled
        # silently), so the reader checks for the end between short waits
        while not stop.is_set():
            try:
                observation = watcher.next(0.25)
            except TimeoutError:
                continue
            except Exception:  # broken: the waiting sample times out and says so
                return
            arrivals.put((time.perf_counter(), observation))

    reader = threading.Thread(target=read, name="bench-push-watch", daemon=True)
    reader.start()

    def close() -> None:
        stop.set()
        watcher.close()
        reader.join(ARRIVAL_TIMEOUT)
    return close


def _poll_arrivals(client: WeatherClient, arrivals: queue.Queue[Arrival]) -> Callable[[], None]:
    """SOAP's polling: observations since the last sequence seen, every POLL_INTERVAL_S."""
    stop = threading.Event()
    sequence = client.current_sequence()  # type: ignore[attr-defined]

    def poll() -> None:
        nonlocal sequence
        while not stop.wait(POLL_INTERVAL_S):
            try:
                recorded = client.observations_since(sequence, [STATION])
            except Exception:  # the server went away: the waiting sample times out
                return
            now = time.perf_counter()
            for item in recorded:
                sequence = max(sequence, item.sequence)
                arrivals.put((now, item.observation))

    poller = threading.Thread(target=poll, name="bench-soap-poll", daemon=True)
    poller.start()

    def close() -> None:
        stop.set()
        poller.join(ARRIVAL_TIMEOUT)
    return close


def _arrival(arrivals: queue.Queue[Arrival], expected: Observation) -> float:
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT
    while True:
        try:
            at, observation = arrivals.get(timeout=max(0.0, deadline - time.perf_counter()))
        except queue.Empty:
            raise TimeoutError(f"a write of {STATION} did not arrive within "
                               f"{ARRIVAL_TIMEOUT} s") from None
        if (observation.observed_at == expected.observed_at
                and observation.temperature == expected.temperature):
            return at


def _temperature(index: int) -> float:
    # distinct, valid and plainly not weather; the original is written back afterwards
    return round(-60.0 + index * 0.1, 1)


def _measure_one(target: Target, api_key: str | None, samples: int, others: int,
                 step: Step) -> dict[str, Any]:
    pushing = target.protocol != "soap"
    recorder = target.wire()
    writer = connect(target.protocol, recorder.host, recorder.port, api_key)
    reader = connect(target.protocol, recorder.host, recorder.port, None)
    original = writer.get_latest_observation(STATION)
    arrivals: queue.Queue[Arrival] = queue.Queue()
    crowd = (CrowdProcess(target.protocol, target.host, target.port, STATION)
             if pushing and others else None)
    close_watch: Callable[[], None] | None = None
    try:
        # the timed watch first: against a running server, the others then take what the
        # budget has left (all_watchers_reached_ms times the last of them)
        close_watch = (_push_arrivals if pushing else _poll_arrivals)(reader, arrivals)
        if crowd is not None:
            step(f"push: opening {others} other watchers on {target.title}")
            crowd.open(others)
        step(f"push: {target.title}, a first write to every watcher")
        warm_up = dataclasses.replace(original, temperature=_temperature(0))
        writer.put_observation(warm_up)
        _arrival(arrivals, warm_up)
        reached = crowd.wait_delivered(1, ARRIVAL_TIMEOUT)[0] if crowd is not None else 0
        from_ack: list[float] = []
        from_send: list[float] = []
        fan_out: list[float] = []
        cycles: list[float] = []
        before = read_usage(target.protocol, target.host, target.port)
        since = time.perf_counter()
        for index in range(1, samples + 1):
            step(f"push: {target.title}, write {index}/{samples}")
            # a server may notice writes on a clock of its own (a store poll): writes spaced
            # only by their own round trips would lock onto its phase and see one latency
            time.sleep(random.uniform(0, PHASE_JITTER_S))
            written = dataclasses.replace(original, temperature=_temperature(index))
            sent = time.perf_counter()
            writer.put_observation(written)
            acknowledged = time.perf_counter()
            arrived = _arrival(arrivals, written)
            from_ack.append(max(0.0, arrived - acknowledged))
            from_send.append(arrived - sent)
            if crowd is not None:  # every write reaches them all before the next is sent
                _, last = crowd.wait_delivered(index + 1, ARRIVAL_TIMEOUT)
                fan_out.append(max(0.0, max(last, arrived) - acknowledged))
            cycles.append(time.perf_counter() - sent)
        until = time.perf_counter()
        after = read_usage(target.protocol, target.host, target.port)
    finally:
        if close_watch is not None:
            close_watch()
        if crowd is not None:
            crowd.close()
        try:
            writer.put_observation(original)
        finally:
            writer.close()
            reader.close()
    sent_bytes, received_bytes = wire_bytes(recorder, since, until)
    row: dict[str, Any] = {
        "protocol": target.protocol, "operation": "push",
        "requests_per_second": round(1 / statistics.median(cycles), 2),
        "requests_per_second_range": [round(1 / max(cycles), 2), round(1 / min(cycles), 2)],
        "latency_ms": latency_ms(from_ack),
        "bytes_per_call": {"sent": sent_bytes // samples, "received": received_bytes // samples},
        "cpu_ms_per_1000_calls": round((after.cpu_seconds - before.cpu_seconds) * 1e6 / samples,
                                       1),
        "delivery": "push" if pushing else "poll", "samples": samples,
        "other_watchers": reached, "other_watchers_requested": others if pushing else 0,
        "latency_from_send_ms": latency_ms(from_send),
        "mean_cycle_ms": round(statistics.mean(cycles) * 1000, 3),
    }
    if fan_out:
        row["all_watchers_reached_ms"] = latency_ms(fan_out)
    if not pushing:
        row["poll_interval_s"] = POLL_INTERVAL_S
    return row


def measure_push(targets: list[Target], api_key: str | None, samples: int, others: int,
                 step: Step) -> list[dict[str, Any]]:
    samples = max(1, samples)
    return [_measure_one(target, api_key or target.api_key, samples, others, step)
            for target in targets]
