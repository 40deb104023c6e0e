"""Hostile client input is a client error with details, never INTERNAL or UNKNOWN (issue 13,
items 7 and 8, for gRPC): values past 64 bits, forged page tokens, huge repeated fields,
invalid UTF-8, NaN, empty names, oversize messages. The server answers a normal call after."""

from __future__ import annotations

import base64
import json
from typing import Any

import grpc
import pytest

from fourcast.weather.v1 import weather_pb2 as pb
from tests.grpc.conftest import WATCH_DEADLINE, WRITER
from tests.grpc.test_errors import Stub, failure

WATCH = "/fourcast.weather.v1.WeatherService/WatchObservations"
GET_STATION = "/fourcast.weather.v1.WeatherService/GetStation"


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _raw(channel: grpc.Channel, method: str, streaming: bool = False) -> Any:
    make = channel.unary_stream if streaming else channel.unary_unary
    return make(method, request_serializer=lambda b: b, response_deserializer=lambda b: b)


def _fields(details: dict[str, Any]) -> list[str]:
    return [v.field for v in details["BadRequest"].field_violations]


def _still_served(stub: Stub) -> None:
    assert stub.GetStation(pb.GetStationRequest(name="stations/KJFK"), timeout=10).name


@pytest.mark.parametrize("sequence", [2**63, 2**64 - 1])
def test_a_sequence_past_int64_is_an_invalid_argument(channel: grpc.Channel, stub: Stub,
                                                      sequence: int) -> None:
    # int64 cannot hold it, so a client sends the raw varint: the server reads it negative
    request = pb.WatchObservationsRequest(stations=["stations/KJFK"]).SerializeToString()
    raw = request + b"\x18" + _varint(sequence)
    code, details = failure(lambda: list(_raw(channel, WATCH, streaming=True)(raw, timeout=10)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(details) == ["sequence"]
    _still_served(stub)


def test_the_largest_sequence_is_accepted(stub: Stub) -> None:
    call = stub.WatchObservations(pb.WatchObservationsRequest(
        stations=["stations/KJFK"], after_sequence=2**63 - 1), timeout=10)
    assert dict(call.initial_metadata())["fourcast-watch"] == "open"
    call.cancel()


@pytest.mark.parametrize("key", [["KJFK", "x"], [10**40], [[[["KJFK"]]]], "not a list"])
def test_a_forged_page_token_is_an_invalid_argument(stub: Stub, key: Any) -> None:
    payload = base64.urlsafe_b64encode(json.dumps(
        {"q": "forged", "d": "after", "k": key}).encode()).decode().rstrip("=")
    for token in (payload, f"{payload}.c2lnbmF0dXJl", "%%%", "a" * 10_000):
        code, details = failure(lambda t=token: stub.ListStations(
            pb.ListStationsRequest(page_token=t), timeout=10))
        assert code is grpc.StatusCode.INVALID_ARGUMENT
        assert _fields(details) == ["page_token"]


def test_too_many_station_ids_are_an_invalid_argument(stub: Stub) -> None:
    request = pb.WatchObservationsRequest(stations=["stations/KJFK"] * 60_000)  # ~900 kB
    code, details = failure(lambda: list(stub.WatchObservations(request, timeout=10)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(details) == ["station_ids"]


def test_300000_station_ids_are_over_the_message_limit(stub: Stub) -> None:
    request = pb.WatchObservationsRequest(stations=["stations/KJFK"] * 300_000)  # ~4.5 MB
    code, _ = failure(lambda: list(stub.WatchObservations(request, timeout=10)))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    _still_served(stub)


def test_invalid_utf8_in_a_string_is_an_invalid_argument(channel: grpc.Channel,
                                                         stub: Stub) -> None:
    # protobuf refuses to parse a string field that is not UTF-8
    code, details = failure(lambda: _raw(channel, GET_STATION)(b"\x0a\x02\xff\xfe", timeout=10))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(details) == ["request"]
    _still_served(stub)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_a_measurement_that_is_not_a_number_is_an_invalid_argument(stub: Stub,
                                                                   value: float) -> None:
    request = pb.PutObservationRequest(observation=pb.Observation(
        station="stations/KJFK", observe_time={"seconds": 1893456000}, temperature=value))
    code, details = failure(lambda: stub.PutObservation(request, metadata=WRITER, timeout=10))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(details) == ["temperature"]


@pytest.mark.parametrize(("call", "field"), [
    (lambda s: s.GetStation(pb.GetStationRequest(name=""), timeout=10), "name"),
    (lambda s: s.GetStation(pb.GetStationRequest(name="stations/"), timeout=10),
     "station_id"),  # the pattern is right, the id is empty: the core's violation
    (lambda s: s.GetForecast(pb.GetForecastRequest(name="stations//forecast"), timeout=10),
     "station_id"),
    (lambda s: s.GetAlert(pb.GetAlertRequest(name="alerts/"), timeout=10), "alert_id"),
    (lambda s: s.GetObservation(pb.GetObservationRequest(name=""), timeout=10), "name"),
    (lambda s: s.GetForecast(pb.GetForecastRequest(name=""), timeout=10), "name"),
    (lambda s: s.GetAlert(pb.GetAlertRequest(name=""), timeout=10), "name"),
    (lambda s: s.ListObservations(pb.ListObservationsRequest(parent=""), timeout=10),
     "parent"),
    (lambda s: s.PutStation(pb.PutStationRequest(), metadata=WRITER, timeout=10),
     "station.name"),
])
def test_an_empty_name_is_an_invalid_argument(stub: Stub, call: Any, field: str) -> None:
    code, details = failure(lambda: call(stub))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(details) == [field]


def test_an_empty_display_name_is_the_cores_invalid_argument(stub: Stub) -> None:
    request = pb.PutStationRequest(station=pb.Station(name="stations/ZPH1", time_zone="UTC"))
    code, details = failure(lambda: stub.PutStation(request, metadata=WRITER, timeout=10))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "name" in _fields(details)


def test_a_deadline_is_honoured_on_a_stream_that_never_ends(stub: Stub) -> None:
    call = stub.WatchObservations(pb.WatchObservationsRequest(stations=["stations/KJFK"]),
                                  timeout=WATCH_DEADLINE)
    # the watch opened before its deadline: the deadline ends an open stream
    assert dict(call.initial_metadata()).get("fourcast-watch") == "open"
    code, _ = failure(lambda: list(call))
    assert code is grpc.StatusCode.DEADLINE_EXCEEDED
    _still_served(stub)
