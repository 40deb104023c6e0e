"""The exact requests h2load sends: taken from the real clients' own calls, then checked once.

Each request is captured, not written out by hand: the protocol's real client (``clients/``)
makes the call through a fresh wire recorder, and the last exchange it recorded (after a REST
entry point or a WSDL read) gives the method, path, headers and body. So the bench measures the
very bytes a Fourcast client sends, and a change in a client changes the bench with it.

Two adjustments, both named here: connection headers (Host, Content-Length, ...) are h2load's
own; and SOAP's write drops its UsernameToken's ``Nonce`` and ``Created``, because the server
refuses a replayed nonce and h2load replays one body (a token without them is accepted, as
SoapUI sends it: ``services/soap_api/replay.py``).

Before anything is measured, :func:`check` makes each request once more with an ordinary client
of the same bytes: HTTP status 2xx and a body that carries the record; for gRPC a channel call
whose status is OK, since h2load counts a failed gRPC call (HTTP 200, error in the trailers) as a
success.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx

from clients import connect
from services.evidence.decode import decode_all
from services.evidence.http import HOP_BY_HOP
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder

STATION = "KJFK"
PAGE_SIZE = 500
# January 2013 at KJFK: 744 hours, so a page of 500 is full
PAGE_RANGE = (datetime(2013, 1, 1, tzinfo=UTC), datetime(2013, 2, 1, tzinfo=UTC))
# the ceiling's own hour (every measurement set): the write stores it again, unchanged
WRITE_AT = datetime(2013, 12, 30, 23, tzinfo=UTC)
HTTP_OPERATIONS = ("latest", "page", "write")
CEILING_PATHS = {"rest": "/bench/ceiling", "graphql": "/bench/graphql",
                 "grpc": "/fourcast.bench.v1.BenchService/GetCeilingObservation",
                 "soap": "/bench/soap"}
# h2load sets these itself (and HTTP/2's pseudo-headers come from the URL and method)
_H2LOAD_OWN = HOP_BY_HOP | {"user-agent"}
_REPLAY_FIELDS = re.compile(rb"<(\w+:)?(Nonce|Created)\b[^>]*>[^<]*</(\w+:)?(Nonce|Created)>")


class RequestRefused(RuntimeError):
    """The request h2load would send does not succeed as a real call: nothing is measured."""


@dataclass(frozen=True, slots=True)
class BenchRequest:
    protocol: str
    operation: str  # latest, page, write, or ceiling
    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    http2: bool
    records: int = 1  # how many records a successful answer carries at least

    @property
    def label(self) -> str:
        return f"{self.protocol} {self.operation}"

    def with_header(self, name: str, value: str) -> BenchRequest:
        return replace(self, headers=(*self.headers, (name, value)))


def _call(client: Any, operation: str) -> None:
    if operation == "latest":
        client.get_latest_observation(STATION)
    elif operation == "page":
        page = client.list_observations(STATION, *PAGE_RANGE, page_size=PAGE_SIZE)
        if len(page.items) < PAGE_SIZE:
            raise RequestRefused(f"{client.protocol} page: {len(page.items)} observations, "
                                 f"not {PAGE_SIZE}")
    elif operation == "write":
        client.put_observation(client.get_observation(STATION, WRITE_AT))
    else:
        raise ValueError(operation)


def capture(target: Target, operation: str, api_key: str | None = None) -> BenchRequest:
    """The request the protocol's real client sends for ``operation``, as recorded (reads
    as an anonymous client: reads are open, and only a write carries the key)."""
    key = api_key if operation == "write" else None
    with WireRecorder(target.host, target.port) as recorder:
        client = connect(target.protocol, recorder.host, recorder.port, key)
        try:
            _call(client, operation)
        except Exception as error:  # a core error or a broken connection: say which call
            raise RequestRefused(f"{target.protocol} {operation}: the real client failed: "
                                 f"{type(error).__name__}: {error}") from None
        finally:
            client.close()
        exchange = decode_all(recorder.snapshot())[-1]
    headers = tuple((name, value) for name, value in exchange.request_headers
                    if not name.startswith(":") and name.lower() not in _H2LOAD_OWN)
    body = exchange.request_body
    if target.protocol == "soap":
        body = _REPLAY_FIELDS.sub(b"", body)
    return BenchRequest(target.protocol, operation, exchange.method, exchange.path, headers,
                        body, exchange.http_version == "HTTP/2",
                        PAGE_SIZE if operation == "page" else 1)


def ceiling_of(latest: BenchRequest) -> BenchRequest:
    """The framework's hello-world, sent the same request bytes as the real latest call."""
    return replace(latest, operation="ceiling", path=CEILING_PATHS[latest.protocol])


def check(request: BenchRequest, host: str, port: int) -> None:
    """One real call of exactly these bytes; :class:`RequestRefused` unless it succeeds."""
    if request.http2:
        _check_grpc(request, host, port)
        return
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        response = httpx.request(request.method, f"http://{authority}{request.path}",
                                 headers=list(request.headers), content=request.body or None,
                                 timeout=30)
    except httpx.HTTPError as error:
        raise RequestRefused(f"{request.label}: {error}") from None
    found = response.content.count(STATION.encode())
    if not response.is_success or found < request.records:
        raise RequestRefused(f"{request.label}: {request.method} {request.path} answered "
                             f"{response.status_code} with {found} record(s) of {STATION}: "
                             f"{response.text[:300]!r}")


def _check_grpc(request: BenchRequest, host: str, port: int) -> None:
    metadata = tuple((k, v) for k, v in request.headers
                     if k.lower() not in ("content-type", "te", "grpc-timeout")
                     and not k.lower().startswith("grpc-"))
    message = request.body[5:]  # one uncompressed length-prefixed message
    with grpc.insecure_channel(f"{host}:{port}") as channel:
        call = channel.unary_unary(request.path, request_serializer=lambda b: b,
                                   response_deserializer=lambda b: b)
        try:
            reply: bytes = call(message, timeout=30, metadata=metadata)
        except grpc.RpcError as error:
            raise RequestRefused(f"{request.label}: {request.path}: {error.code()} "
                                 f"{error.details()}") from None
    found = reply.count(STATION.encode())
    if found < request.records:
        raise RequestRefused(f"{request.label}: the reply carries {found} record(s) of "
                             f"{STATION}, not {request.records}")
