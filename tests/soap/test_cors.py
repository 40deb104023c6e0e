"""CORS on the served SOAP endpoint: a page of the web app may fetch the WSDL and POST an
envelope (``Content-Type: text/xml`` and ``SOAPAction`` make the browser ask first); a page
of any other origin gets no CORS header, so its browser keeps the answer from it.

The rule is REST's (``services/cors.py``); what differs is the methods (GET for the WSDL,
POST for a call) and that a page needs no header beyond the safelisted ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from services.config import DEFAULT_PORTS, Settings
from services.cors import REQUEST_HEADERS
from tests.servers import HOST, served
from tests.soap.conftest import ENVELOPE, fault_code

ALLOWED = Settings(HOST, DEFAULT_PORTS, "unused").web_origins()
WEB_ORIGIN = ALLOWED[0]
REFUSED = "http://127.0.0.1:9"  # loopback, but not the web app's port
GET_KJFK = ENVELOPE.format(header="", body="<f:GetStation><f:stationId>KJFK</f:stationId>"
                                           "</f:GetStation>")
CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-methods",
                "access-control-allow-headers", "access-control-expose-headers",
                "access-control-max-age", "timing-allow-origin")


def tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def preflight(endpoint: str, origin: str) -> httpx.Response:
    """What a browser sends before a page's POST of an envelope with SOAPAction."""
    return httpx.options(endpoint, timeout=10, headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,soapaction"})


def call(endpoint: str, origin: str, document: str = GET_KJFK) -> httpx.Response:
    return httpx.post(endpoint, content=document, timeout=10, headers={
        "Origin": origin, "Content-Type": "text/xml; charset=utf-8",
        "SOAPAction": '"GetStation"'})


def assert_allowed(response: httpx.Response, origin: str) -> None:
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["timing-allow-origin"] == origin
    assert "origin" in tokens(response.headers["vary"])
    assert "access-control-allow-credentials" not in response.headers


def assert_no_cors(response: httpx.Response) -> None:
    found = [name for name in CORS_HEADERS if name in response.headers]
    assert found == [], found
    assert "origin" in tokens(response.headers["vary"])


def test_a_preflight_from_the_web_app_allows_posting_an_envelope(endpoint: str) -> None:
    for origin in ALLOWED:
        response = preflight(endpoint, origin)
        assert response.status_code == 204 and response.content == b""
        assert response.headers["access-control-allow-origin"] == origin
        assert tokens(response.headers["access-control-allow-methods"]) == {"get", "post"}
        allowed = tokens(response.headers["access-control-allow-headers"])
        assert {"content-type", "soapaction"} <= allowed
        assert allowed == {h.lower() for h in REQUEST_HEADERS}  # one rule for every server
        assert int(response.headers["access-control-max-age"]) > 0


def test_a_preflight_from_another_origin_gets_no_cors_headers(endpoint: str) -> None:
    for origin in (REFUSED, "null", "https://weather.example"):
        response = preflight(endpoint, origin)
        assert_no_cors(response)
        # the endpoint's own answer to an OPTIONS: it serves GET ?wsdl and POST only
        assert response.status_code == 405


def test_a_page_of_the_web_app_can_read_a_call_and_its_timing(endpoint: str) -> None:
    for origin in ALLOWED:
        response = call(endpoint, origin)
        assert response.status_code == 200 and "John F Kennedy" in response.text
        assert_allowed(response, origin)
        # a page reads nothing beyond the safelisted headers (Content-Type, Content-Length)
        assert "access-control-expose-headers" not in response.headers


def test_a_page_of_the_web_app_can_read_a_fault(endpoint: str) -> None:
    missing = call(endpoint, WEB_ORIGIN, GET_KJFK.replace("KJFK", "ZZZZ"))
    assert fault_code(missing) == "Client.NotFound"
    assert_allowed(missing, WEB_ORIGIN)


def test_a_page_of_the_web_app_can_read_the_wsdl(endpoint: str) -> None:
    response = httpx.get(f"{endpoint}?wsdl", timeout=10, headers={"Origin": WEB_ORIGIN})
    assert response.status_code == 200 and b"definitions" in response.content
    assert_allowed(response, WEB_ORIGIN)


def test_a_call_from_another_origin_is_answered_without_cors_headers(endpoint: str) -> None:
    """The server still answers (a page's browser keeps it from the page; a program without
    a browser is no page, and is served as ever)."""
    for response in (call(endpoint, REFUSED), httpx.post(
            endpoint, content=GET_KJFK, timeout=10,
            headers={"Content-Type": "text/xml; charset=utf-8"})):
        assert response.status_code == 200
        assert_no_cors(response)


@pytest.fixture(scope="module")
def configured(seeded_db: Path, server_logs: Path) -> Iterator[str]:
    """A SOAP server of its own whose allowed origins come from FOURCAST_CORS_ORIGINS."""
    env = {"FOURCAST_CORS_ORIGINS": "https://weather.example http://127.0.0.1:18080"}
    with served("soap", seeded_db, server_logs, extra_env=env) as server:
        yield f"http://{HOST}:{server.port}/soap"


def test_fourcast_cors_origins_decides_which_pages_are_allowed(configured: str) -> None:
    for origin in ("https://weather.example", "http://127.0.0.1:18080"):
        assert preflight(configured, origin).headers["access-control-allow-origin"] == origin
        assert_allowed(call(configured, origin), origin)
    for origin in ALLOWED:
        assert_no_cors(preflight(configured, origin))
        assert_no_cors(call(configured, origin))
