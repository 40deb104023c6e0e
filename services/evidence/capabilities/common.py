"""What every capability measurement shares: its result types, the station and year it uses,
and a window on the recorder."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from clients import connect
from clients.base import WeatherClient
from services.evidence.decode import Exchange, decode_all
from services.evidence.payload import media_type
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


class Window:
    """The exchanges a recorder sees from now on, on old connections too (clients keep theirs
    alive, and HTTP/2 puts every call on one connection)."""

    def __init__(self, recorder: WireRecorder) -> None:
        self.recorder = recorder
        self.since = time.perf_counter()

    def exchanges(self) -> list[Exchange]:
        until = time.perf_counter()
        return [x for x in decode_all(self.recorder.snapshot())
                if self.since <= x.started <= until]


def line(x: Exchange) -> str:
    return (f"{x.http_version} {x.method} {x.path} → {x.status} "
            f"{media_type(x.content_type) or 'no content type'}")


def client_for(target: Target, api_key: str | None) -> WeatherClient:
    recorder = target.wire()
    return connect(target.protocol, recorder.host, recorder.port, api_key)


def reflect(target: Target, use: Callable[[Any], T]) -> tuple[T, list[str]]:
    """``use`` applied to the gRPC service's descriptor, read by server reflection through the
    recorder (no .proto and no generated code), and the reflection exchanges."""
    import grpc
    from google.protobuf import descriptor_pool
    from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
        ProtoReflectionDescriptorDatabase,
    )

    recorder = target.wire()
    window = Window(recorder)
    with grpc.insecure_channel(f"{recorder.host}:{recorder.port}") as channel:
        pool = descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))
        result = use(pool.FindServiceByName(GRPC_SERVICE))
    return result, [line(x) for x in window.exchanges()]
