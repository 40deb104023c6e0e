"""Push, field selection and a long read, measured on each server's wire (never declared).

Each measurement does what a user of the protocol would do — with the protocol's own client, or
by sending its natural request by hand — through the target's wire recorder, and reads the
outcome off the wire:

- **push**: a live watch on a station made for the occasion (deleted afterwards), then one
  observation recorded. The exchange that was open before the write and carried the
  observation after it is what pushed it. A client with no watch polls instead; its polls are
  counted.
- **field selection**: one station asked for with one field, ``name``, by the protocol's own
  means: a GraphQL selection set, a REST query parameter, a ``FieldMask`` in the gRPC request
  (looked up by server reflection), a field-choosing element in the SOAP WSDL.
- **a year of observations**: where the contract offers a server-streaming read (gRPC, seen by
  reflection) the year is streamed and the messages on the wire counted; otherwise it is paged
  with the largest page and the requests counted.

A cell holds only what is the same on every run: no timings, no generated ids.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import string
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from lxml import etree

from clients import connect
from clients.base import WeatherClient
from services.core.domain import Observation, Station
from services.core.errors import FourcastError, NotFound
from services.core.validation import MAX_PAGE_SIZE
from services.evidence.decode import Exchange, decode_all, websocket_frames
from services.evidence.http import Requester
from services.evidence.payload import json_body, length_prefixed, media_type
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder

PUSH = "push (live observations)"
FIELDS = "field selection"
YEAR = "a year of observations"

STATION = "KJFK"  # seeded: its 2013 is a whole year of hourly observations
YEAR_RANGE = (datetime(2013, 1, 1, tzinfo=UTC), datetime(2014, 1, 1, tzinfo=UTC))
OBSERVED_AT = datetime(2024, 1, 1, tzinfo=UTC)
DELIVERY_TIMEOUT = 10.0  # seconds a pushed observation may take to arrive
MAX_POLLS = 10
GRPC_SERVICE = "fourcast.weather.v1.WeatherService"
FIELD_MASK = "google.protobuf.FieldMask"
FIELD_CHOOSERS = ("field", "mask", "select", "projection", "include")
XS = "http://www.w3.org/2001/XMLSchema"
T = TypeVar("T")


@dataclass
class Capability:
    name: str
    passed: bool | None  # None: could not be measured here (the evidence says why)
    summary: str
    evidence: list[str] = field(default_factory=list)

    @property
    def cell(self) -> str:
        mark = {True: "✅", False: "❌", None: "n/a"}[self.passed]
        return f"{mark} {self.summary}"

    def as_json(self) -> dict[str, Any]:
        return {"capability": self.name, "passed": self.passed, "summary": self.summary,
                "evidence": self.evidence}


@dataclass
class ServerCapabilities:
    protocol: str
    capabilities: list[Capability]

    def get(self, name: str) -> Capability:
        return next(c for c in self.capabilities if c.name == name)

    def as_json(self) -> dict[str, Any]:
        return {"protocol": self.protocol,
                "capabilities": [c.as_json() for c in self.capabilities]}


class _Window:
    """The exchanges a recorder sees from now on, on old connections too (clients keep theirs
    alive, and HTTP/2 puts every call on one connection)."""

    def __init__(self, recorder: WireRecorder) -> None:
        self.recorder = recorder
        self.since = time.perf_counter()

    def exchanges(self) -> list[Exchange]:
        until = time.perf_counter()
        return [x for x in decode_all(self.recorder.snapshot())
                if self.since <= x.started <= until]


def _line(x: Exchange) -> str:
    return (f"{x.http_version} {x.method} {x.path} → {x.status} "
            f"{media_type(x.content_type) or 'no content type'}")


def _client(target: Target, api_key: str | None) -> WeatherClient:
    recorder = target.wire()
    return connect(target.protocol, recorder.host, recorder.port, api_key)


# push -----------------------------------------------------------------------------------------

def _fresh_station(client: WeatherClient) -> Station:
    alphabet = string.ascii_uppercase + string.digits
    for _ in range(20):
        station_id = "Q" + "".join(secrets.choice(alphabet) for _ in range(3))
        try:
            client.get_station(station_id)
        except NotFound:
            return Station(station_id, "Fourcast capability probe", 0.5, 0.5, 1.0, "UTC")
    raise RuntimeError("found no free station id")


def _carrier(x: Exchange) -> str:
    if x.status == 101:
        return f"{x.header('upgrade')} `{x.header('sec-websocket-protocol')}`"
    kind = media_type(x.content_type)
    if kind == "text/event-stream":
        return f"`{kind}` (SSE) over {x.http_version}"
    return f"{x.http_version} response stream (`{kind}`)"


def _messages(x: Exchange) -> str:
    if x.status == 101:
        kinds = []
        for opcode, payload in websocket_frames(x.response_body):
            try:
                kinds.append(str(json.loads(payload).get("type")) if opcode == 1
                             else f"opcode {opcode}")
            except (ValueError, AttributeError):
                kinds.append("text")
        return f"websocket messages from the server: {', '.join(kinds) or 'none'}"
    kind = media_type(x.content_type)
    if kind == "text/event-stream":
        lines = x.response_body.decode("utf-8", "replace").splitlines()
        events = [line.partition(":")[2].strip() for line in lines if line.startswith("event:")]
        return f"events on the stream: {', '.join(events) or 'none'}"
    if kind.startswith("application/grpc"):
        return f"{len(length_prefixed(x.response_body))} message(s) on the stream"
    return f"{len(x.response_body)} B of response body"


def measure_push(target: Target) -> Capability:
    client = _client(target, target.api_key)
    try:
        station = _fresh_station(client)
        client.put_station(station)
    except FourcastError as error:
        client.close()
        return Capability(PUSH, None, f"not measured: no station could be made ({error.code})",
                          [str(error)])
    try:
        return _watched(client, target.wire(), station.id)
    finally:
        with contextlib.suppress(Exception):  # cleaning up: the measurement stands anyway
            client.delete_station(station.id)
        client.close()


def _watched(client: WeatherClient, recorder: WireRecorder, station_id: str) -> Capability:
    window = _Window(recorder)
    try:
        watcher = client.watch_observations([station_id])
    except NotImplementedError:
        return _polled(client, recorder, station_id)
    with watcher:
        written = time.perf_counter()
        client.put_observation(Observation(station_id, OBSERVED_AT, temperature=1.5))
        try:
            delivered = watcher.next(DELIVERY_TIMEOUT)
        except TimeoutError:
            delivered = None
        exchanges = window.exchanges()  # before closing: the watch is still open
    evidence = [_line(x) for x in exchanges]
    if delivered is None or delivered.station_id != station_id:
        return Capability(PUSH, False, f"a watch opened, but nothing arrived within "
                                       f"{DELIVERY_TIMEOUT:g} s", evidence)
    carriers = [x for x in exchanges if x.started < written <= x.finished
                and station_id.encode() in x.response_body]
    if not carriers:
        return Capability(PUSH, None, "delivered, but no exchange open before the write "
                                      "carried it", evidence)
    carrier = carriers[-1]
    evidence.append(f"carried by {_line(carrier)}, opened before the write: "
                    f"{_messages(carrier)}")
    return Capability(PUSH, True, f"server push: {_carrier(carrier)}", evidence)


def _polled(client: WeatherClient, recorder: WireRecorder, station_id: str) -> Capability:
    """No watch: poll ``observations_since`` once before the write and until it shows up."""
    before = _Window(recorder)
    try:
        client.observations_since(0, [station_id])
    except NotImplementedError:
        return Capability(PUSH, False, "no push and no polling operation")
    polled_before = before.exchanges()
    client.put_observation(Observation(station_id, OBSERVED_AT, temperature=1.5))
    after = _Window(recorder)
    found = []
    for _ in range(MAX_POLLS):  # each poll is a full round trip; no wait in between
        found = client.observations_since(0, [station_id])
        if found:
            break
    polled_after = after.exchanges()
    polls = polled_before + polled_after
    evidence = [_line(x) for x in polls]
    evidence.append(f"{len(polled_before)} poll(s) before the write (nothing new), "
                    f"{len(polled_after)} after it")
    if not found:
        return Capability(PUSH, False, f"no push: {len(polls)} polls did not see the "
                                       f"observation", evidence)
    return Capability(PUSH, False, f"no push: polled with {len(polls)} request(s)", evidence)


# field selection ------------------------------------------------------------------------------

def _fields_by_query_parameter(target: Target) -> Capability:
    sent = Requester(target.wire(), http2=False).send(
        "GET", f"/stations/{STATION}?fields=name", [("Accept", "application/hal+json")])
    x = sent.exchange
    if x is None:
        return Capability(FIELDS, None, "not measured: no answer", [sent.show()])
    data = json_body(x)
    if x.status == 200 and isinstance(data, dict):
        names = sorted(k for k in data if not k.startswith("_"))  # HAL's _links are not data
        if names == ["name"]:
            return Capability(FIELDS, True, "`?fields=name` → only `name` came back",
                              [sent.show()])
        return Capability(FIELDS, False, f"no field choice: `?fields=name` ignored, "
                                         f"{len(names)} fields came back", [sent.show()])
    detail = data.get("detail") if isinstance(data, dict) else None
    return Capability(FIELDS, False, f"no field choice: `?fields=name` → {x.status}"
                                     + (f" ({detail})" if detail else ""), [sent.show()])


def _fields_by_selection_set(target: Target) -> Capability:
    query = f'{{ station(id: "{STATION}") {{ name }} }}'
    sent = Requester(target.wire(), http2=False).send(
        "POST", "/graphql", [("Content-Type", "application/json")],
        json.dumps({"query": query}).encode())
    x = sent.exchange
    data = json_body(x) if x is not None else None
    evidence = [sent.show(), f"query: {query}"]
    station = (data.get("data") or {}).get("station") if isinstance(data, dict) else None
    if not isinstance(station, dict):
        return Capability(FIELDS, False, "`{ station { name } }` was not answered with a "
                                         "station", evidence)
    names = sorted(station)
    evidence.append(f"data.station keys: {', '.join(names)}")
    if names == ["name"]:
        return Capability(FIELDS, True, "`{ station { name } }` → only `name` came back",
                          evidence)
    return Capability(FIELDS, False, f"`{{ station {{ name }} }}` → {len(names)} fields came "
                                     "back", evidence)


def _reflect(target: Target, use: Callable[[Any], T]) -> tuple[T, list[str]]:
    """``use`` applied to the gRPC service's descriptor, read by server reflection through the
    recorder (no .proto and no generated code), and the reflection exchanges."""
    import grpc
    from google.protobuf import descriptor_pool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )

    recorder = target.wire()
    window = _Window(recorder)
    with grpc.insecure_channel(f"{recorder.host}:{recorder.port}") as channel:
        pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        result = use(pool.FindServiceByName(GRPC_SERVICE))
    return result, [_line(x) for x in window.exchanges()]


def _fields_by_field_mask(target: Target) -> Capability:
    def request_fields(service: Any) -> tuple[str, list[tuple[str, str]]]:
        request = service.methods_by_name["GetStation"].input_type
        return request.name, [(f.name, f.message_type.full_name if f.message_type else "scalar")
                              for f in request.fields]

    (request, fields), evidence = _reflect(target, request_fields)
    evidence.append(f"{request} fields (by reflection): "
                    + ", ".join(f"{name} ({kind})" for name, kind in fields))
    masks = [name for name, kind in fields if kind == FIELD_MASK]
    if masks:
        return Capability(FIELDS, True, f"`{request}` takes a `FieldMask` (`{masks[0]}`)",
                          evidence)
    names = ", ".join(f"`{name}`" for name, _ in fields)
    return Capability(FIELDS, False, f"no field choice: `{request}` has no `FieldMask` "
                                     f"(only {names})", evidence)


def _fields_in_wsdl(target: Target) -> Capability:
    sent = Requester(target.wire(), http2=False).send("GET", "/soap?wsdl")
    x = sent.exchange
    if x is None or x.status != 200:
        return Capability(FIELDS, None, "not measured: no WSDL", [sent.show()])
    root = etree.fromstring(x.response_body,
                            etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"xs": XS}
    element = next(iter(root.xpath("//xs:schema/xs:element[@name='GetStation']",
                                   namespaces=ns)), None)
    if element is None:
        return Capability(FIELDS, None, "not measured: no `GetStation` in the WSDL",
                          [sent.show()])
    kind = (element.get("type") or "").rpartition(":")[2]
    types = element.xpath("xs:complexType", namespaces=ns) or root.xpath(
        f"//xs:schema/xs:complexType[@name='{kind}']", namespaces=ns)
    names = [str(e.get("name")) for t in types for e in t.xpath(".//xs:element",
                                                                namespaces=ns)]
    evidence = [sent.show(), f"GetStation elements: {', '.join(names) or 'none'}"]
    choosers = [n for n in names if any(word in n.lower() for word in FIELD_CHOOSERS)]
    if choosers:
        return Capability(FIELDS, True, f"WSDL `GetStation` takes `{choosers[0]}`", evidence)
    listed = ", ".join(f"`{n}`" for n in names)
    return Capability(FIELDS, False, f"no field choice: WSDL `GetStation` takes only {listed}",
                      evidence)


FIELD_SELECTION: dict[str, Callable[[Target], Capability]] = {
    "rest": _fields_by_query_parameter,
    "graphql": _fields_by_selection_set,
    "grpc": _fields_by_field_mask,
    "soap": _fields_in_wsdl,
}


def measure_field_selection(target: Target) -> Capability:
    return FIELD_SELECTION[target.protocol](target)


# a year of observations -----------------------------------------------------------------------

def _streaming_read(target: Target) -> tuple[str, list[str]] | None:
    """The contract's server-streaming read of a time range, where reflection shows one."""
    if target.protocol != "grpc":
        return None

    def streaming(service: Any) -> bool:
        method = service.methods_by_name.get("StreamObservations")
        return bool(method is not None and method.server_streaming
                    and not method.client_streaming)

    found, evidence = _reflect(target, streaming)
    evidence.append(f"StreamObservations server-streaming (by reflection): {found}")
    return ("StreamObservations", evidence) if found else None


def measure_year(target: Target) -> Capability:
    stream = _streaming_read(target)
    client = _client(target, None)
    try:
        client.get_station(STATION)  # the client's set-up (entry point, WSDL) is not counted
        stream_observations = getattr(client, "stream_observations", None)
        if stream is not None and stream_observations is not None:
            return _streamed(stream_observations, target.wire(), *stream)
        return _paged(client, target.wire())
    finally:
        client.close()


def _streamed(stream_observations: Callable[..., Any], recorder: WireRecorder, method: str,
              evidence: list[str]) -> Capability:
    window = _Window(recorder)
    received = sum(1 for _ in stream_observations(STATION, *YEAR_RANGE))
    exchanges = window.exchanges()
    messages = sum(len(length_prefixed(x.response_body)) for x in exchanges)
    evidence = [*evidence, *(_line(x) for x in exchanges),
                f"{messages:,} messages on the wire, {received:,} observations read"]
    return Capability(YEAR, len(exchanges) == 1,
                      f"one stream: {len(exchanges)} request, {messages:,} messages "
                      f"(server-streaming `{method}`)", evidence)


def _paged(client: WeatherClient, recorder: WireRecorder) -> Capability:
    window = _Window(recorder)
    total, token = 0, None
    while True:
        page = client.list_observations(STATION, *YEAR_RANGE, page_size=MAX_PAGE_SIZE,
                                        page_token=token)
        total += len(page.items)
        token = page.next_page_token
        if not token:
            break
    exchanges = window.exchanges()
    evidence = [_line(x) for x in exchanges[:1]]
    if len(exchanges) > 1:
        evidence += [f"… {len(exchanges) - 2} more …" if len(exchanges) > 2 else "",
                     _line(exchanges[-1])]
    return Capability(YEAR, False, f"paged: {len(exchanges)} requests for {total:,} "
                                   f"observations ({MAX_PAGE_SIZE} a page)",
                      [e for e in evidence if e])


# all of them ----------------------------------------------------------------------------------

def _guarded(name: str, measure: Callable[[Target], Capability], target: Target) -> Capability:
    try:
        return measure(target)
    except Exception as error:  # a client or server that breaks is a result to show
        return Capability(name, None, f"not measured: {type(error).__name__}",
                          [f"{type(error).__name__}: {error}"])


def measure(target: Target) -> ServerCapabilities:
    return ServerCapabilities(target.protocol, [
        _guarded(PUSH, measure_push, target),
        _guarded(FIELDS, measure_field_selection, target),
        _guarded(YEAR, measure_year, target)])


def measure_all(targets: Sequence[Target]) -> list[ServerCapabilities]:
    return [measure(t) for t in targets]
