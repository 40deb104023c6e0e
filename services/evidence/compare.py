"""``fourcast compare``: one operation through the four clients, the results and the wire.

Each client talks to its server through a :class:`~services.evidence.wire.WireRecorder`; the
exchanges of the call (not of the client's set-up, such as a WSDL download) are decoded and
summarised. The four agree when their normalised results are equal, or when all four raised the
same core error (equal ``FourcastError.details()``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from clients import connect
from services.core.errors import FourcastError
from services.evidence.decode import Exchange, decode_all
from services.evidence.operations import OPERATIONS, normalise, unit_names
from services.evidence.payload import error_signal, media_type
from services.evidence.targets import Target
from services.progress import Step, quiet


@dataclass
class Wire:
    """The wire facts of one call: its exchanges, and their bytes (decode.BYTES_DEFINITION)."""

    exchanges: list[Exchange]
    setup: list[Exchange]
    new_connections: int
    request_bytes: int
    response_bytes: int
    latency_ms: float

    @property
    def round_trips(self) -> int:
        """Request/response exchanges, plus one TCP handshake per connection opened."""
        return len(self.exchanges) + self.new_connections

    def facts(self) -> dict[str, Any]:
        return {
            "exchanges": [exchange_facts(x) for x in self.exchanges],
            "setup_exchanges": [f"{x.method} {x.path} → {x.status}" for x in self.setup],
            "new_connections": self.new_connections,
            "round_trips": self.round_trips,
            "request_bytes": self.request_bytes,
            "response_bytes": self.response_bytes,
            "latency_ms": round(self.latency_ms, 2),
        }


def exchange_facts(x: Exchange) -> dict[str, Any]:
    return {
        "http_version": x.http_version, "method": x.method, "path": x.path,
        "status": x.status, "content_type": x.content_type,
        "grpc_status": x.header("grpc-status", "trailers"),
        "request_bytes": x.request_bytes, "response_bytes": x.response_bytes,
        "latency_ms": round(x.latency_ms, 2), "error_signal": error_signal(x),
    }


@dataclass
class Outcome:
    protocol: str
    title: str
    result: Any = None
    error: FourcastError | None = None
    failure: str | None = None  # not a core error: the client or the connection broke
    wire: Wire | None = None
    units: dict[str, str] = field(default_factory=dict)  # measured field → unit code

    @property
    def key(self) -> Any:
        """What must be equal across the four for them to agree."""
        if self.error is not None:
            return ("error", type(self.error).__name__, list(map(str, self.error.details())))
        if self.failure is not None:
            return ("failure", self.failure)
        return ("result", self.result)

    def as_json(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol,
            "result": self.result,
            "units": self.units,
            "error": None if self.error is None else {
                "class": type(self.error).__name__, "code": self.error.code,
                "message": self.error.message,
                "details": _plain(self.error.details())},
            "failure": self.failure,
            "wire": self.wire.facts() if self.wire else None,
        }


def _plain(value: Any) -> Any:
    """Error details as JSON values (tuples become lists; anything else its text)."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


@dataclass
class Comparison:
    call: str
    outcomes: list[Outcome]

    @property
    def agree(self) -> bool:
        keys = [o.key for o in self.outcomes]
        return bool(keys) and all(k == keys[0] for k in keys) and keys[0][0] != "failure"

    def as_json(self) -> dict[str, Any]:
        return {"call": self.call, "agree": self.agree,
                "outcomes": [o.as_json() for o in self.outcomes]}


def _window(target: Target, since: float, until: float, opened_before: int) -> Wire:
    connections = target.wire().snapshot()
    exchanges = decode_all(connections)
    during = [x for x in exchanges if since <= x.started <= until]
    setup = [x for x in exchanges if x.started < since and x.connection > opened_before]
    # the same count as each exchange's (decode.MESSAGE_FRAMES), so the summary, --show-wire
    # and the README table agree and do not change from run to run
    return Wire(
        exchanges=during, setup=setup,
        new_connections=sum(1 for c in connections[opened_before:] if c.opened_at >= since),
        request_bytes=sum(x.request_bytes for x in during),
        response_bytes=sum(x.response_bytes for x in during),
        latency_ms=(until - since) * 1000)


def run_one(target: Target, args: argparse.Namespace) -> Outcome:
    operation = OPERATIONS[args.operation]
    outcome = Outcome(target.protocol, target.title)
    recorder = target.wire()
    opened_before = len(recorder.snapshot())
    try:
        # reads are open: no credential goes on the wire
        client = connect(target.protocol, recorder.host, recorder.port, None)
    except Exception as error:  # a client that cannot even connect is a result to show
        outcome.failure = f"connect: {type(error).__name__}: {error}"
        return outcome
    try:
        since = time.perf_counter()
        try:
            raw = operation.call(client, args)
            outcome.result, outcome.units = normalise(raw), unit_names(raw)
        except FourcastError as error:
            outcome.error = error
        except Exception as error:  # anything else means this client or server misbehaved
            outcome.failure = f"{type(error).__name__}: {error}"
        until = time.perf_counter()
    finally:
        client.close()
    outcome.wire = _window(target, since, until, opened_before)
    return outcome


def compare(targets: Sequence[Target], args: argparse.Namespace,
            step: Step = quiet) -> Comparison:
    from services.evidence.operations import describe_call

    outcomes = []
    for i, target in enumerate(targets):
        step(f"calling {target.title} ({i + 1}/{len(targets)})")
        outcomes.append(run_one(target, args))
    return Comparison(describe_call(args), outcomes)


def summary_line(x: Exchange) -> str:
    return f"{x.http_version} {x.method} {x.path}"


def status_line(x: Exchange) -> str:
    grpc = x.header("grpc-status", "trailers")
    status = f"{x.status}" + (f", trailer grpc-status {grpc}" if grpc is not None else "")
    return f"→ {status} · {media_type(x.content_type) or 'no content type'}"
