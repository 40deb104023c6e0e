"""CORS on the served REST API: the web app's origin may call it from a page, no other may.

The session's server is started as ``fourcast serve`` starts it, so the allowed origins are
``Settings.web_origins()`` for its settings: the web app's origin on both loopback spellings
(or ``FOURCAST_CORS_ORIGINS``, whose own server is started below). Each check is what the
browser reads: a preflight's answer, the headers of an actual answer, and ``Vary`` for the
caches in between.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from werkzeug.test import Client

from services.config import DEFAULT_PORTS, Settings
from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.cors import REQUEST_HEADERS
from services.rest_api import create_app
from services.rest_api.app import CACHE_KEY
from services.store import SqliteRepository
from tests.rest.conftest import HAL, WRITER, assert_problem
from tests.servers import HOST, served

ALLOWED = Settings(HOST, DEFAULT_PORTS, "unused").web_origins()
WEB_ORIGIN = ALLOWED[0]
REFUSED = "http://127.0.0.1:9"  # loopback, but not the web app's port
EXPOSED = {"etag", "location", "link", "cache-control", "retry-after", "content-location"}
CORS_HEADERS = ("access-control-allow-origin", "access-control-allow-methods",
                "access-control-allow-headers", "access-control-expose-headers",
                "access-control-max-age", "timing-allow-origin")


def tokens(value: str) -> set[str]:
    return {token.strip().lower() for token in value.split(",") if token.strip()}


def preflight(http: httpx.Client, href: str, origin: str, method: str,
              headers: str = "authorization, content-type") -> httpx.Response:
    return http.options(href, headers={"Origin": origin, "Access-Control-Request-Method": method,
                                       "Access-Control-Request-Headers": headers})


def assert_allowed(response: httpx.Response, origin: str) -> None:
    """The answer lets a page of ``origin`` read it, its validators and its timing."""
    assert response.headers["access-control-allow-origin"] == origin
    assert response.headers["timing-allow-origin"] == origin
    assert tokens(response.headers["access-control-expose-headers"]) == EXPOSED
    assert "origin" in tokens(response.headers["vary"])
    assert "access-control-allow-credentials" not in response.headers  # no cookies, ever


def assert_no_cors(response: httpx.Response) -> None:
    found = [name for name in CORS_HEADERS if name in response.headers]
    assert found == [], found
    assert "origin" in tokens(response.headers["vary"])  # for the caches in between


def test_the_web_apps_origin_is_allowed_on_both_loopback_spellings() -> None:
    assert set(Settings(HOST, DEFAULT_PORTS, "unused").web_origins({})) == {f"http://127.0.0.1:{DEFAULT_PORTS['web']}",
                            f"http://localhost:{DEFAULT_PORTS['web']}"}


def test_a_preflight_from_the_web_app_is_answered_with_what_the_resource_allows(
        http: httpx.Client) -> None:
    for origin in ALLOWED:
        response = preflight(http, "/stations/KJFK", origin, "PUT")
        assert response.status_code == 204 and response.content == b""
        assert response.headers["access-control-allow-origin"] == origin
        # the resource's own methods, as a plain OPTIONS lists them in Allow
        allow = http.options("/stations/KJFK").headers["allow"]
        assert response.headers["access-control-allow-methods"] == allow
        assert tokens(response.headers["access-control-allow-headers"]) == {
            h.lower() for h in REQUEST_HEADERS}
        assert {"authorization", "if-match", "if-none-match", "last-event-id"} <= tokens(
            response.headers["access-control-allow-headers"])
        assert int(response.headers["access-control-max-age"]) > 0
        assert "origin" in tokens(response.headers["vary"])
    batch = preflight(http, "/observations", WEB_ORIGIN, "POST")
    assert tokens(batch.headers["access-control-allow-methods"]) >= {"post"}
    assert "put" not in tokens(batch.headers["access-control-allow-methods"])


def test_a_preflight_for_a_path_that_is_no_resource_lets_the_page_read_the_404(
        http: httpx.Client) -> None:
    response = preflight(http, "/no/such/thing", WEB_ORIGIN, "GET", "authorization")
    assert response.status_code == 204
    assert "get" in tokens(response.headers["access-control-allow-methods"])
    actual = http.get("/no/such/thing", headers={"Origin": WEB_ORIGIN})
    assert_problem(actual, 404)
    assert_allowed(actual, WEB_ORIGIN)


def test_a_preflight_from_another_origin_gets_no_cors_headers(http: httpx.Client) -> None:
    for origin in (REFUSED, "null", "http://localhost:8080.example", WEB_ORIGIN + "/"):
        response = preflight(http, "/stations/KJFK", origin, "PUT")
        assert_no_cors(response)
        # what any OPTIONS gets: the application's own answer
        assert response.status_code == 204
        assert response.headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"


def test_a_plain_options_still_reaches_the_application(http: httpx.Client) -> None:
    response = http.options("/stations/KJFK")
    assert response.status_code == 204
    assert response.headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"
    assert_no_cors(response)


def test_an_actual_get_from_the_web_app_is_readable_with_its_etag(http: httpx.Client) -> None:
    for origin in ALLOWED:
        response = http.get("/stations/KJFK", headers={"Origin": origin, "Accept": HAL})
        assert response.status_code == 200 and response.json()["id"] == "KJFK"
        assert_allowed(response, origin)
        assert tokens(response.headers["vary"]) == {"accept", "origin"}  # merged, one field
        assert response.headers.get_list("vary") == ["Accept, Origin"]


def test_an_answer_without_origin_still_varies_on_it(http: httpx.Client) -> None:
    response = http.get("/stations/KJFK")
    assert response.status_code == 200
    assert_no_cors(response)
    assert response.headers.get_list("vary") == ["Accept, Origin"]


def test_a_cached_answer_carries_the_headers_of_each_origin_that_asks(
        http: httpx.Client) -> None:
    """The origin cache keeps answers by path and negotiated type, not by Origin: asked by the
    web app, then by another origin, then by the web app's other spelling, each answer is the
    same representation with the headers of the origin that asked."""
    href = "/stations/KSEA/observations/latest"
    first = http.get(href, headers={"Origin": WEB_ORIGIN})
    refused = http.get(href, headers={"Origin": REFUSED})
    other = http.get(href, headers={"Origin": ALLOWED[1]})
    plain = http.get(href)
    assert {r.headers["etag"] for r in (first, refused, other, plain)} == {first.headers["etag"]}
    assert first.content == refused.content == other.content == plain.content
    assert_allowed(first, WEB_ORIGIN)
    assert_no_cors(refused)
    assert_allowed(other, ALLOWED[1])
    assert_no_cors(plain)


def test_the_origin_cache_keeps_no_origins_headers(seeded_db: Path) -> None:
    """In process, where the cache's own counters show the later answers came from memory."""
    repository = SqliteRepository(seeded_db)
    try:
        app = create_app(WeatherService(repository, KeyChecker([])), {"CORS_ORIGINS": ALLOWED})
        client = Client(app)
        cache = app.extensions[CACHE_KEY]
        asked = [client.get("/stations/KJFK", headers={"Origin": origin})
                 for origin in (WEB_ORIGIN, REFUSED, ALLOWED[1], WEB_ORIGIN)]
        assert cache.hits >= 3
        assert [r.headers.get("Access-Control-Allow-Origin") for r in asked] == [
            WEB_ORIGIN, None, ALLOWED[1], WEB_ORIGIN]
        assert [r.headers.get("Timing-Allow-Origin") for r in asked] == [
            WEB_ORIGIN, None, ALLOWED[1], WEB_ORIGIN]
        assert {r.headers["Vary"] for r in asked} == {"Accept, Origin"}
    finally:
        repository.close()


def test_a_304_keeps_the_cors_headers(http: httpx.Client) -> None:
    tag = http.get("/stations/KJFK").headers["etag"]
    response = http.get("/stations/KJFK", headers={"Origin": WEB_ORIGIN, "If-None-Match": tag})
    assert response.status_code == 304
    assert_allowed(response, WEB_ORIGIN)
    assert response.headers["etag"] == tag


def test_errors_and_writes_are_readable_by_the_page(http: httpx.Client, station: str) -> None:
    missing = http.get("/stations/ZZZZ", headers={"Origin": WEB_ORIGIN})
    assert_problem(missing, 404)
    assert_allowed(missing, WEB_ORIGIN)
    created = http.put(f"/stations/{station}/observations/2013-07-01T12:00:00Z",
                       json={"temperature": 21.5}, headers={**WRITER, "Origin": WEB_ORIGIN})
    assert created.status_code == 201, created.text
    assert_allowed(created, WEB_ORIGIN)
    assert created.headers["location"]


def test_a_live_stream_carries_the_cors_headers(http: httpx.Client) -> None:
    """EventSource from the page: the stream's headers let it read the events."""
    headers = {"Accept": "text/event-stream", "Origin": WEB_ORIGIN}
    with http.stream("GET", "/stations/KJFK/observations/live", headers=headers) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert_allowed(response, WEB_ORIGIN)
        first = next(response.iter_lines())  # the stream is open and flowing
        assert first.startswith("retry:")


@pytest.fixture(scope="module")
def configured(seeded_db: Path, server_logs: Path) -> Iterator[str]:
    """A REST server of its own whose allowed origins come from FOURCAST_CORS_ORIGINS."""
    env = {"FOURCAST_CORS_ORIGINS": "https://weather.example, http://127.0.0.1:18080"}
    with served("rest", seeded_db, server_logs, extra_env=env) as server:
        yield f"http://{HOST}:{server.port}"


def test_fourcast_cors_origins_decides_which_pages_are_allowed(configured: str) -> None:
    with httpx.Client(base_url=configured, timeout=10) as http:
        for origin in ("https://weather.example", "http://127.0.0.1:18080"):
            assert_allowed(http.get("/", headers={"Origin": origin}), origin)
            answer = preflight(http, "/stations/KJFK", origin, "DELETE")
            assert answer.headers["access-control-allow-origin"] == origin
        for origin in ALLOWED:  # the web app's default origins are no longer in the list
            assert_no_cors(http.get("/", headers={"Origin": origin}))
            assert_no_cors(preflight(http, "/stations/KJFK", origin, "DELETE"))
