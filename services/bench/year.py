"""``fourcast bench year``: a year of one station's observations through each real client.

REST, GraphQL and SOAP page through the year (pages of the largest size, 500); gRPC reads it
as one server stream (``StreamObservations``, the client's ``stream_observations``). Every row
is decoded into a core Observation, as an application would. Rounds are interleaved (every
protocol once per round), so a machine that gets busier slows all four alike.

Per protocol and round: the server's peak memory is reset (``read_usage(reset_peak=True)``),
the whole year is fetched, and the server's own accounting is read again. Each fetch goes
through the target's wire recorder, which counts its bytes (a proxy in this process: one more
loopback hop for every protocol alike; the client's first connection falls in round 1).

Keys of each result, beside the common shape (one "call" is one whole year here):
``station``, ``year``, ``rows`` (observations in the year: the same in all four, or
``rows_agree`` is false), ``calls_per_year`` and ``call_kind`` (``requests`` for the paging
protocols, ``messages`` for gRPC's stream), ``years_per_second``, ``seconds_per_year``,
``cpu_ms_per_year`` and ``rss_growth_mb`` (the largest over the rounds of: peak resident memory
during the fetch minus resident memory before it, MiB; the issue's target is < 20).
"""

from __future__ import annotations

import functools
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from clients import WeatherClient, connect
from services.bench.usage import read_usage
from services.core.validation import MAX_PAGE_SIZE
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder
from services.progress import Step

STATION = "KJFK"


@functools.cache
def fullest_year(station: str = STATION) -> int:
    """The calendar year (UTC) with most of ``station``'s observations in the packaged seed
    (for KJFK: 2013, 8,706 hours)."""
    from services.store.seed import load_observations

    years = Counter(o.observed_at.year for o in load_observations() if o.station_id == station)
    return years.most_common(1)[0][0]


def fetch_year(client: WeatherClient, station: str, start: datetime,
               end: datetime) -> tuple[int, int]:
    """Every observation of ``station`` in [start, end), decoded: (rows, requests or
    messages)."""
    stream = getattr(client, "stream_observations", None)
    if stream is not None:  # gRPC: one server stream, a message per row
        rows = sum(1 for _ in stream(station, start, end))
        return rows, rows
    rows = calls = 0
    token: str | None = None
    while True:
        page = client.list_observations(station, start, end, page_size=MAX_PAGE_SIZE,
                                        page_token=token)
        calls += 1
        rows += len(page.items)
        token = page.next_page_token
        if token is None:
            return rows, calls


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100), interpolated between the nearest ranks."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_ms(seconds: Sequence[float]) -> dict[str, float]:
    return {f"p{q}": round(percentile(seconds, q) * 1000, 3) for q in (50, 90, 99)}


def wire_bytes(recorder: WireRecorder, since: float, until: float) -> tuple[int, int]:
    """Bytes client -> server and server -> client that the recorder read in [since, until]."""
    sent = received = 0
    for connection in recorder.snapshot():
        for chunk in connection.chunks:
            if since <= chunk.at <= until:
                if chunk.direction == "request":
                    sent += len(chunk.data)
                else:
                    received += len(chunk.data)
    return sent, received


def measure_year(targets: list[Target], rounds: int, step: Step, *,
                 days: int | None = None) -> list[dict[str, Any]]:
    """``days``: only the first days of the year (tests); the whole year by default."""
    station, year = STATION, fullest_year()
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = start + timedelta(days=days) if days else datetime(year + 1, 1, 1, tzinfo=UTC)
    clients = {}
    for target in targets:
        recorder = target.wire()
        clients[target.protocol] = connect(target.protocol, recorder.host, recorder.port, None)
    runs: dict[str, list[_Run]] = {t.protocol: [] for t in targets}
    try:
        for number in range(1, max(1, rounds) + 1):
            for target in targets:
                step(f"year: round {number}/{rounds}, {target.title} ({station} {year})")
                runs[target.protocol].append(
                    _one_year(target, clients[target.protocol], station, start, end))
    finally:
        for client in clients.values():
            client.close()
    agree = len({run.rows for done in runs.values() for run in done}) <= 1
    return [_result(target.protocol, runs[target.protocol], station, year, agree)
            for target in targets]


@dataclass(frozen=True)
class _Run:
    seconds: float
    rows: int
    calls: int
    sent: int
    received: int
    cpu_seconds: float
    rss_growth_bytes: int


def _one_year(target: Target, client: WeatherClient, station: str, start: datetime,
              end: datetime) -> _Run:
    before = read_usage(target.protocol, target.host, target.port, reset_peak=True)
    since = time.perf_counter()
    rows, calls = fetch_year(client, station, start, end)
    until = time.perf_counter()
    after = read_usage(target.protocol, target.host, target.port)
    # the recorder records a chunk before forwarding it: all of this year's are in by now
    sent, received = wire_bytes(target.wire(), since, until)
    return _Run(until - since, rows, calls, sent, received, after.cpu_seconds - before.cpu_seconds,
                after.peak_rss_bytes - before.rss_bytes)


def _result(protocol: str, runs: list[_Run], station: str, year: int,
            agree: bool) -> dict[str, Any]:
    times = [run.seconds for run in runs]
    median = statistics.median(times)
    cpu_ms = statistics.median(run.cpu_seconds for run in runs) * 1000
    return {
        "protocol": protocol, "operation": "year",
        "requests_per_second": round(1 / median, 4),
        "requests_per_second_range": [round(1 / max(times), 4), round(1 / min(times), 4)],
        "latency_ms": latency_ms(times),
        "bytes_per_call": {"sent": int(statistics.median(run.sent for run in runs)),
                           "received": int(statistics.median(run.received for run in runs))},
        "cpu_ms_per_1000_calls": round(cpu_ms * 1000, 1),
        "station": station, "year": year, "rows": runs[0].rows, "rows_agree": agree,
        "calls_per_year": runs[0].calls,
        "call_kind": "messages" if protocol == "grpc" else "requests",
        "years_per_second": round(1 / median, 4), "seconds_per_year": round(median, 3),
        "cpu_ms_per_year": round(cpu_ms, 1),
        "rss_growth_mb": round(max(run.rss_growth_bytes for run in runs) / 2**20, 2),
    }
