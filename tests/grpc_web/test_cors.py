"""CORS at the proxy: the web app's origin may call it from a page, and no other origin."""

from __future__ import annotations

import httpx
import pytest

from fourcast.weather.v1 import weather_pb2 as pb
from tests.grpc_web.conftest import SERVICE, Stack, call

URL = f"{SERVICE}/GetStation"
KJFK = pb.GetStationRequest(name="stations/KJFK")
OTHER_ORIGIN = "http://evil.example:8080"


def preflight(http: httpx.Client, stack: Stack, origin: str) -> httpx.Response:
    """What a browser sends before a gRPC-Web call from a page of ``origin``."""
    return http.options(f"{stack.url}{URL}", headers={
        "origin": origin, "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-grpc-web,x-user-agent,grpc-timeout"})


def test_a_preflight_from_the_web_apps_origin_is_allowed(
        http: httpx.Client, stack: Stack) -> None:
    for origin in stack.proxy.settings.web_origins():  # 127.0.0.1 and localhost spellings
        response = preflight(http, stack, origin)

        assert response.status_code in (200, 204)
        assert response.headers["access-control-allow-origin"] == origin
        assert set(response.headers["access-control-allow-methods"].split(", ")) == {
            "POST", "OPTIONS"}
        assert set(response.headers["access-control-allow-headers"].split(", ")) == {
            "content-type", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization"}


@pytest.mark.parametrize("origin", [OTHER_ORIGIN, "http://127.0.0.1:1", "null"])
def test_a_preflight_from_another_origin_gets_no_allow_origin(
        http: httpx.Client, stack: Stack, origin: str) -> None:
    response = preflight(http, stack, origin)

    assert response.status_code == 403
    assert not [name for name in response.headers if name.startswith("access-control-")]


def test_answers_to_the_web_app_expose_the_grpc_status_and_their_timing(
        http: httpx.Client, stack: Stack) -> None:
    answer = call(http, stack, "GetStation", pb.GetStationRequest(name="stations/ZZZZ"),
                  origin=stack.origin)

    headers = answer.response.headers
    assert headers["access-control-allow-origin"] == stack.origin
    assert set(headers["access-control-expose-headers"].split(", ")) == {
        "grpc-status", "grpc-message", "grpc-status-details-bin"}
    assert headers["timing-allow-origin"] == stack.origin


def test_answers_to_another_origin_carry_no_cors_or_timing_header(
        http: httpx.Client, stack: Stack) -> None:
    answer = call(http, stack, "GetStation", KJFK, origin=OTHER_ORIGIN)

    assert answer.code == 0  # answered (CORS is the browser's to enforce), but not shared
    assert not [name for name in answer.response.headers
                if name.startswith("access-control-") or name == "timing-allow-origin"]
