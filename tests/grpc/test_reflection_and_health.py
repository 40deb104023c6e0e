"""Stock tools work with no .proto at hand: server reflection and the standard health service.

Python's stock reflection client, grpcio-reflection's ``ProtoReflectionDescriptorDatabase``:
the test lists the services, describes every method, and calls every one of them with messages
built from the reflected descriptors alone (a fresh descriptor pool, requests written as JSON,
none of the generated code). grpcurl itself is tested in ``test_grpcurl.py``.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import MethodDescriptor
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from tests.grpc.conftest import WAIT, WRITER

SERVICE = "fourcast.weather.v1.WeatherService"
_station = itertools.count()

# One request per method, as JSON a person would type for grpcurl -d; a list for
# client-streaming methods.
SAMPLE_REQUESTS: dict[str, Any] = {
    "ListStations": {"pageSize": 2},
    "GetStation": {"name": "stations/KJFK"},
    "PutStation": {"station": {"name": "stations/ZPR{n}", "displayName": "Reflected",
                               "timeZone": "UTC"}},
    "DeleteStation": {"name": "stations/ZPR{n}"},
    "GetLatestObservation": {"parent": "stations/KJFK", "units": "UNITS_US"},
    "GetObservation": {"name": "stations/KJFK/observations/2013-07-01T12:00:00Z"},
    "ListObservations": {"parent": "stations/KJFK", "startTime": "2013-07-01T00:00:00Z",
                         "endTime": "2013-07-02T00:00:00Z", "pageSize": 5},
    "StreamObservations": {"parent": "stations/KJFK", "startTime": "2013-07-01T00:00:00Z",
                           "endTime": "2013-07-02T00:00:00Z"},
    "PutObservation": {"observation": {"station": "stations/ZPR{n}",
                                       "observeTime": "2024-01-01T00:00:00Z",
                                       "temperature": 1.5}},
    "DeleteObservation": {"name": "stations/ZPR{n}/observations/2024-01-01T00:00:00Z"},
    "ImportObservations": [{"observation": {"station": "stations/ZPR{n}",
                                            "observeTime": "2024-01-01T01:00:00Z"}},
                           {"finishImport": True}],
    "ListDailySummaries": {"parent": "stations/KSEA", "startDate": {"year": 2010, "month": 3,
                                                                    "day": 13}},
    "GetForecast": {"name": "stations/KJFK/forecast", "days": 2},
    "ListAlerts": {"parent": "stations/KJFK", "pageSize": 1},
    "GetAlert": {"name": "{alert}"},  # the alert ListAlerts returned
    "WatchObservations": {"stations": ["stations/KJFK"]},
    "SubscribeObservations": [{"subscribe": {"stations": ["stations/KJFK"]}}],
}


@pytest.fixture(scope="module")
def reflected(channel: grpc.Channel) -> descriptor_pool.DescriptorPool:
    return descriptor_pool.DescriptorPool(ProtoReflectionDescriptorDatabase(channel))


def test_the_health_service_answers_serving(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for name in ("", SERVICE):
        reply = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=WAIT)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_weather_health_and_reflection_services(
        channel: grpc.Channel) -> None:
    services = set(ProtoReflectionDescriptorDatabase(channel).get_services())
    assert {SERVICE, "grpc.health.v1.Health",
            "grpc.reflection.v1alpha.ServerReflection"} <= services


def test_reflection_describes_every_method_with_its_kind_and_messages(
        reflected: descriptor_pool.DescriptorPool) -> None:
    service = reflected.FindServiceByName(SERVICE)
    kinds = {m.name: (m.client_streaming, m.server_streaming) for m in service.methods}
    assert set(kinds) == set(SAMPLE_REQUESTS)
    assert kinds["GetLatestObservation"] == (False, False)
    assert kinds["StreamObservations"] == kinds["WatchObservations"] == (False, True)
    assert kinds["ImportObservations"] == (True, False)
    assert kinds["SubscribeObservations"] == (True, True)
    observation = reflected.FindMessageTypeByName("fourcast.weather.v1.Observation")
    assert observation.fields_by_name["temperature"].has_presence
    assert observation.fields_by_name["observe_time"].message_type.full_name == \
        "google.protobuf.Timestamp"


def _message(method: MethodDescriptor, sample: dict[str, Any], values: dict[str, str]) -> Any:
    text = json_format.json.dumps(sample)
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    cls = message_factory.GetMessageClass(method.input_type)
    return json_format.Parse(text, cls())


def _call(channel: grpc.Channel, method: MethodDescriptor, values: dict[str, str]) -> list[Any]:
    """Call ``method`` from its descriptor alone; return the response(s)."""
    path = f"/{SERVICE}/{method.name}"
    response_type = message_factory.GetMessageClass(method.output_type)
    sample = SAMPLE_REQUESTS[method.name]
    kinds = {(False, False): channel.unary_unary, (False, True): channel.unary_stream,
             (True, False): channel.stream_unary, (True, True): channel.stream_stream}
    callable_ = kinds[(method.client_streaming, method.server_streaming)](
        path, request_serializer=lambda msg: msg.SerializeToString(),
        response_deserializer=response_type.FromString)
    if method.client_streaming:
        request: Any = [_message(method, s, values) for s in sample]
    else:
        request = _message(method, sample, values)
    if not method.server_streaming:
        return [callable_(iter(request) if method.client_streaming else request,
                          metadata=WRITER, timeout=10)]
    if method.name in ("WatchObservations", "SubscribeObservations"):
        return _first_of_live_stream(callable_, request, method.name)
    return list(callable_(request, metadata=WRITER, timeout=10))


def _first_of_live_stream(callable_: Any, request: Any, name: str) -> list[Any]:
    """A live stream never ends: check it opens (and, bidi, acknowledges), then cancel."""
    if name == "SubscribeObservations":
        done = threading.Event()

        def requests() -> Iterator[Any]:
            yield from request
            done.wait(10)  # keep the request side open until the answer is in

        call = callable_(requests(), metadata=WRITER)
        first = next(call)
        done.set()
        call.cancel()
        return [first]
    call = callable_(request, metadata=WRITER)
    metadata = dict(call.initial_metadata())
    call.cancel()
    return [metadata]


def test_every_method_can_be_called_from_the_reflected_descriptors_alone(
        channel: grpc.Channel, reflected: descriptor_pool.DescriptorPool) -> None:
    service = reflected.FindServiceByName(SERVICE)
    n = next(_station)
    order = ["PutStation", *[m.name for m in service.methods
                             if m.name not in ("PutStation", "DeleteStation",
                                               "DeleteObservation")],
             "DeleteObservation", "DeleteStation"]
    values = {"{n}": str(n)}
    results: dict[str, list[Any]] = {}
    for name in order:
        results[name] = _call(channel, service.methods_by_name[name], values)
        if name == "ListAlerts":
            values["{alert}"] = results[name][0].alerts[0].name
    assert results["GetStation"][0].display_name == "John F Kennedy Intl"
    assert len(results["StreamObservations"]) == 24
    assert results["ImportObservations"][0].imported == 1
    assert results["WatchObservations"][0]["fourcast-watch"] == "open"
    assert list(results["SubscribeObservations"][0].subscription.stations) == ["stations/KJFK"]
    assert json_format.MessageToDict(results["GetLatestObservation"][0])["units"] == "UNITS_US"
