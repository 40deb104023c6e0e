"""The h2load measurements of ``fourcast bench``, in interleaved rounds.

A :class:`Subject` is one request measured against one address (a server, or nginx in front of
REST): the four protocols' ceilings, their ``latest``, ``page`` and ``write`` calls, and REST's
two cache rows. Every round measures every subject once, protocol after protocol, ceiling just
before the real call, so a machine that gets busy slows them all alike; the figures are the
rounds' medians. Around each run the server's own accounting is read (its CPU seconds), and a
short separate pass through a wire recorder counts the bytes each way per call.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from services.bench import h2load
from services.bench.requests import BenchRequest
from services.bench.usage import UsageUnavailable, read_usage
from services.evidence.decode import decode_all
from services.evidence.wire import WireRecorder
from services.progress import Step

# The bytes pass: this many calls on one connection, through the recorder (every answer of a
# call is the same size, so a few suffice; a page of 500 is slow in some protocols)
BYTES_CALLS = 100
BYTES_CALLS_PAGE = 10


@dataclass(frozen=True, slots=True)
class Run:
    requests_per_second: float
    done: int
    p50: float
    p90: float
    p99: float
    cpu_ms_per_1000_calls: float | None


@dataclass
class Subject:
    row: str  # the result's "protocol": rest, rest+origin-cache, rest+http-cache, graphql, ...
    request: BenchRequest
    host: str  # where h2load sends it
    port: int
    usage_at: tuple[str, str, int]  # whose accounting: protocol, host, port of its server
    runs: list[Run] = field(default_factory=list)
    bytes_per_call: dict[str, int] | None = None
    error: str | None = None

    @property
    def operation(self) -> str:
        return self.request.operation

    @property
    def label(self) -> str:
        return f"{self.row} {self.operation}"

    def rates(self) -> list[float]:
        return [run.requests_per_second for run in self.runs]

    def median_run(self) -> Run:
        """The round whose rate is the median (the lower middle one for an even count)."""
        ordered = sorted(self.runs, key=lambda run: run.requests_per_second)
        return ordered[(len(ordered) - 1) // 2]


def _cpu_seconds(subject: Subject) -> float | None:
    protocol, host, port = subject.usage_at
    try:
        return read_usage(protocol, host, port).cpu_seconds
    except UsageUnavailable:
        return None


def measure_once(subject: Subject, seconds: int, connections: int) -> None:
    before = _cpu_seconds(subject)
    result = h2load.run(subject.request, subject.host, subject.port, seconds, connections)
    after = _cpu_seconds(subject)
    cpu = None
    if before is not None and after is not None and result.done:
        # the usage reads themselves cost a little CPU too: counted, and negligible
        cpu = (after - before) / result.done * 1e6
    subject.runs.append(Run(result.requests_per_second, result.done,
                            result.percentile_ms(0.50), result.percentile_ms(0.90),
                            result.percentile_ms(0.99), cpu))


def measure_bytes(subject: Subject) -> None:
    """Bytes each way per call on the wire, as ``compare`` counts them (HTTP/1.1 start line,
    headers and body; HTTP/2 the stream's frames), averaged over a few calls."""
    calls = BYTES_CALLS_PAGE if subject.operation == "page" else BYTES_CALLS
    with WireRecorder(subject.host, subject.port) as recorder:
        h2load.run_count(subject.request, recorder.host, recorder.port, calls)
        exchanges = [x for x in decode_all(recorder.snapshot()) if x.status is not None]
    if not exchanges:
        raise h2load.LoadFailed(f"{subject.label}: no exchange was recorded in the bytes pass")
    subject.bytes_per_call = {
        "sent": round(statistics.fmean(x.request_bytes for x in exchanges)),
        "received": round(statistics.fmean(x.response_bytes for x in exchanges))}


def measure_rounds(subjects: list[Subject], rounds: int, seconds: int, connections: int,
                   step: Step) -> None:
    """The bytes pass of every subject first (which also warms every endpoint up before it is
    timed), then every subject once per round: in the order given in odd rounds, reversed in
    even ones, so that neither a ceiling nor its real call is always the one that follows
    another server's run (whose last requests may still be finishing). A subject that fails
    keeps the reason and leaves the later rounds; the others go on."""
    for subject in subjects:
        step(f"bytes per call: {subject.label} (calls through a recorder)")
        try:
            measure_bytes(subject)
        except (h2load.LoadFailed, OSError) as error:
            subject.error = str(error)
    for number in range(1, rounds + 1):
        for subject in subjects if number % 2 else subjects[::-1]:
            if subject.error is not None:
                continue
            step(f"round {number}/{rounds}: {subject.label} ({seconds} s, "
                 f"{connections} connections)")
            try:
                measure_once(subject, seconds, connections)
            except (h2load.LoadFailed, OSError) as error:
                subject.error = str(error)
