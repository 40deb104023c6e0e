"""Unary calls through the proxy, spoken by hand: frames, the trailers frame, errors with their
rich details, and what is not gRPC-Web answered in plain HTTP before it reaches the server."""

from __future__ import annotations

import base64

import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2

from fourcast.weather.v1 import weather_pb2 as pb
from tests.grpc_web.conftest import BINARY, SERVICE, TEXT, Stack, call, headers_for

KJFK = pb.GetStationRequest(name="stations/KJFK")


@pytest.mark.parametrize("text", [False, True], ids=["binary", "text"])
def test_get_station_answers_one_message_frame_then_a_trailers_frame(
        http: httpx.Client, stack: Stack, text: bool) -> None:
    answer = call(http, stack, "GetStation", KJFK, text=text)

    assert answer.response.status_code == 200
    assert answer.response.headers["content-type"] == (f"{TEXT}+proto" if text else BINARY)
    assert [f.is_trailers for f in answer.frames] == [False, True]
    station = pb.Station.FromString(answer.messages[0])
    assert (station.name, station.display_name) == ("stations/KJFK", "John F Kennedy Intl")
    assert answer.status["grpc-status"] == "0"
    assert "grpc-status" not in answer.response.headers  # it came in the body, not a header


def test_an_unknown_station_is_not_found_with_its_resource_info(
        http: httpx.Client, stack: Stack) -> None:
    answer = call(http, stack, "GetStation", pb.GetStationRequest(name="stations/ZZZZ"))

    assert answer.code == 5  # NOT_FOUND
    assert answer.messages == []
    assert answer.status["grpc-message"] == "station 'ZZZZ' not found"
    encoded = answer.status["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(base64.b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert status.code == 5
    resource = error_details_pb2.ResourceInfo()
    assert any(detail.Unpack(resource) for detail in status.details)
    assert (resource.resource_type, resource.resource_name) == ("station", "ZZZZ")


def test_a_bad_argument_is_invalid_argument_in_the_protocols_idiom(
        http: httpx.Client, stack: Stack) -> None:
    answer = call(http, stack, "GetStation", pb.GetStationRequest(name="not a station name"))

    assert answer.response.status_code == 200
    assert answer.code == 3  # INVALID_ARGUMENT


def test_the_clients_deadline_reaches_the_server_through_the_proxy(
        http: httpx.Client, stack: Stack) -> None:
    """A frame cut short leaves the gRPC server waiting for the rest (grpc-core's behaviour,
    the same without the proxy): the call's ``grpc-timeout`` ends it."""
    response = http.post(f"{stack.url}{SERVICE}/GetStation", content=b"\x00\x00\x00\x00\x09abc",
                         headers=headers_for(**{"grpc-timeout": "1S"}))

    assert response.status_code == 200
    assert response.headers["grpc-status"] == "4"  # DEADLINE_EXCEEDED


@pytest.mark.parametrize(("method", "content_type", "status", "says"), [
    ("GET", None, 405, "POST"),
    ("PUT", None, 405, "POST"),
    ("POST", "application/json", 415, "application/grpc-web"),
    ("OPTIONS", None, 403, "CORS preflights"),
])
def test_what_is_not_grpc_web_is_answered_in_plain_http(
        http: httpx.Client, stack: Stack, method: str, content_type: str | None, status: int,
        says: str) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = http.request(method, f"{stack.url}{SERVICE}/GetStation", headers=headers,
                            content=b"{}" if content_type else None)

    assert response.status_code == status
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert says in response.text
    if status == 405:
        assert response.headers["allow"] == "POST, OPTIONS"


def test_a_method_the_server_lacks_is_its_unimplemented_through_the_proxy(
        http: httpx.Client, stack: Stack) -> None:
    response = http.post(f"{stack.url}/fourcast.weather.v1.WeatherService/NoSuchMethod",
                         content=b"\x00\x00\x00\x00\x00", headers=headers_for())

    assert response.status_code == 200
    assert response.headers["grpc-status"] == "12"  # UNIMPLEMENTED


def test_a_grpc_web_request_with_another_method_gets_the_reason_as_its_grpc_message(
        http: httpx.Client, stack: Stack) -> None:
    response = http.put(f"{stack.url}{SERVICE}/GetStation", content=b"\x00\x00\x00\x00\x00",
                        headers=headers_for())

    assert response.status_code == 405
    assert response.headers["grpc-status"] == "2"  # UNKNOWN: Envoy's mapping of a 405
    assert response.headers["grpc-message"] == "gRPC-Web calls are POST requests"
