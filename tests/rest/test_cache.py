"""The origin's representation cache: repeated GETs from memory, never a stale answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from services.core import Observation, Station, WeatherService
from services.core.auth import KeyChecker
from services.rest_api import create_app
from services.rest_api.app import CACHE_KEY
from services.rest_api.cache import RepresentationCache
from services.store import SqliteRepository
from tests.rest.conftest import HAL, fresh_station_id
from tests.servers import API_KEY

JSON = "application/json"


def test_a_write_by_another_process_is_seen_by_the_next_get(
        http: httpx.Client, seeded_db: Path) -> None:
    """The served process caches the latest observation; the core in *this* process then
    records a newer one in the same store: the next GET shows it, with a new ETag."""
    writer = WeatherService(SqliteRepository(seeded_db), KeyChecker([API_KEY]))
    station_id = fresh_station_id()
    writer.put_station(Station(station_id, "Cache", 1.0, 2.0, 3.0, "UTC"), credential=API_KEY)
    try:
        first_at = datetime(2020, 1, 1, tzinfo=UTC)
        writer.put_observation(Observation(station_id, first_at, temperature=1.0),
                               credential=API_KEY)
        url = f"/stations/{station_id}/observations/latest"
        before = [http.get(url, headers={"Accept": HAL}) for _ in range(3)]
        assert len({r.content for r in before}) == 1
        writer.put_observation(Observation(station_id, first_at.replace(hour=1),
                                           temperature=2.0), credential=API_KEY)
        after = http.get(url, headers={"Accept": HAL})
        assert after.json()["temperature"]["value"] == 2.0
        assert after.headers["etag"] != before[0].headers["etag"]
    finally:
        writer.delete_station(station_id, credential=API_KEY)


class _Counting:
    """A WSGI app that counts its calls and answers what it is told."""

    def __init__(self, headers: list[tuple[str, str]], status: str = "200 OK") -> None:
        self.calls = 0
        self.status, self.headers = status, headers

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, self.headers)
        return iter([b"call %d" % self.calls])


def _get(app: Any, path: str = "/x", **extra: str) -> tuple[str, bytes]:
    seen: list[str] = []
    body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": path, **extra},
                        lambda status, headers, *exc: seen.append(status)))
    return seen[0], body


TAGGED = [("ETag", '"v1"'), ("Content-Type", HAL)]


def test_a_get_is_rendered_once_per_store_change() -> None:
    sequence = [1]
    inner = _Counting(TAGGED)
    cache = RepresentationCache(inner, lambda: sequence[0])
    assert _get(cache)[1] == _get(cache)[1] == b"call 1"
    sequence[0] = 2
    assert _get(cache)[1] == b"call 2"
    assert _get(cache, QUERY_STRING="units=us")[1] == b"call 3"  # another request


def test_conditional_requests_and_answers_without_a_validator_are_not_served_from_memory(
        ) -> None:
    cache = RepresentationCache(_Counting(TAGGED), lambda: 1)
    _get(cache)
    assert _get(cache, HTTP_IF_NONE_MATCH='"v1"')[1] == b"call 2"
    for headers, status in (([("Content-Type", HAL)], "200 OK"),
                            ([("ETag", '"e"'), ("Cache-Control", "no-store")], "200 OK"),
                            ([("Content-Type", "text/event-stream")], "200 OK"),
                            (TAGGED, "404 NOT FOUND")):
        inner = _Counting(headers, status)
        uncached = RepresentationCache(inner, lambda: 1)
        _get(uncached), _get(uncached)
        assert inner.calls == 2, headers


def test_the_cache_keeps_a_bounded_number_of_entries() -> None:
    inner = _Counting(TAGGED)
    cache = RepresentationCache(inner, lambda: 1, max_entries=2)
    for path in ("/a", "/b", "/c", "/a"):
        _get(cache, path)
    assert inner.calls == 4  # /a was the least recently used, and went


def test_accept_headers_that_negotiate_the_same_type_share_one_entry(seeded_db: Path) -> None:
    """600 ways of writing Accept on one large page are two representations (HAL and JSON),
    so two entries, not 600 copies of the same bytes."""
    with SqliteRepository(seeded_db) as repository:
        app = create_app(WeatherService(repository, KeyChecker([])))
        cache = app.extensions[CACHE_KEY]
        assert isinstance(cache, RepresentationCache)
        client = app.test_client()
        page = ("/stations/KJFK/observations?start=2013-07-01T00:00:00Z"
                "&end=2013-07-11T00:00:00Z&page_size=500")  # 240 observations, 160 kB
        bodies = {HAL: set(), JSON: set()}
        for i in range(300):
            for media in (HAL, JSON):
                response = client.get(page, headers={
                    "Accept": f"{media}, text/x-variant-{i};q=0.{i % 9 + 1}"})
                assert response.status_code == 200 and response.content_type == media
                bodies[media].add(response.data)
        assert len(bodies[HAL]) == len(bodies[JSON]) == 1
        assert len(cache) == 2


def test_the_cache_holds_at_most_its_byte_budget_and_keeps_the_most_recent() -> None:
    inner = _Sized(1000)
    cache = RepresentationCache(inner, lambda: 1, max_bytes=5_000)
    for n in range(20):
        _get(cache, f"/page/{n}")
        assert 0 < cache.bytes_held <= 5_000
    calls = inner.calls
    _get(cache, "/page/19")
    assert inner.calls == calls  # the most recent is still held
    _get(cache, "/page/0")
    assert inner.calls == calls + 1  # the oldest went
    _get(RepresentationCache(_Sized(10_000), lambda: 1, max_bytes=5_000), "/big")


class _Sized(_Counting):
    """Answers ``size`` bytes (with an ETag, so each answer may be kept)."""

    def __init__(self, size: int) -> None:
        super().__init__(TAGGED)
        self.size = size

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, self.headers)
        return [b"x" * self.size]


def test_answers_from_memory_are_in_the_media_type_each_request_negotiates(
        http: httpx.Client) -> None:
    """The cache keys on what Accept negotiates: each request still gets its own type,
    however the requests before it were written."""
    cases = [({}, HAL), ({"Accept": "*/*"}, HAL), ({"Accept": JSON}, JSON),
             ({"Accept": "application/json;q=0.9, application/hal+json;q=0.1"}, JSON),
             ({"Accept": "application/*;q=0.5, application/json"}, JSON),
             ({"Accept": "application/*"}, HAL)]
    for _ in range(2):
        for headers, media in cases:
            response = http.get("/stations/KJFK", headers=headers)
            assert response.headers["content-type"] == media, headers
    openapi = "application/vnd.oai.openapi+json"
    for _ in range(2):
        for accept, media in ((openapi, openapi), (JSON, JSON), ("*/*", JSON)):
            response = http.get("/openapi.json", headers={"Accept": accept})
            assert response.headers["content-type"] == media, accept
    assert http.get("/stations/KJFK", headers={"Accept": openapi}).status_code == 406


def test_a_no_cache_request_is_rendered_afresh_and_not_kept() -> None:
    """``Cache-Control: no-cache`` (or ``no-store``): the cache is neither read nor written."""
    inner = _Counting(TAGGED)
    cache = RepresentationCache(inner, lambda: 1)
    assert _get(cache)[1] == b"call 1"
    assert (cache.hits, cache.stores, len(cache)) == (0, 1, 1)
    for header in ("no-cache", "max-age=0, No-Cache", "no-store", 'no-cache="x"'):
        assert _get(cache, HTTP_CACHE_CONTROL=header)[1] == b"call %d" % inner.calls
    assert inner.calls == 5 and (cache.hits, cache.stores) == (0, 1)
    assert _get(cache)[1] == b"call 1"  # the kept entry, not a fresher render
    assert cache.hits == 1


def test_a_no_cache_request_to_an_empty_cache_leaves_it_empty() -> None:
    cache = RepresentationCache(_Counting(TAGGED), lambda: 1)
    _get(cache, HTTP_CACHE_CONTROL="no-cache")
    assert (len(cache), cache.stores) == (0, 0)
    assert _get(cache)[1] == b"call 2"
    assert _get(cache, HTTP_CACHE_CONTROL="max-age=60")[1] == b"call 2"  # not a bypass
    assert cache.hits == 1


def test_the_application_renders_a_no_cache_get_without_touching_its_cache(
        seeded_db: Path) -> None:
    """What ``fourcast bench`` relies on to measure the renderer against a running server."""
    with SqliteRepository(seeded_db) as repository:
        app = create_app(WeatherService(repository, KeyChecker([])))
        cache = app.extensions[CACHE_KEY]
        client = app.test_client()
        url = "/stations/KJFK/observations/latest"
        fresh = [client.get(url, headers={"Accept": HAL, "Cache-Control": "no-cache"})
                 for _ in range(3)]
        assert {r.status_code for r in fresh} == {200}
        assert (cache.hits, cache.stores, len(cache)) == (0, 0, 0)
        kept = [client.get(url, headers={"Accept": HAL}) for _ in range(2)]
        assert (cache.hits, cache.stores, len(cache)) == (1, 1, 1)
        again = client.get(url, headers={"Accept": HAL, "Cache-Control": "no-cache"})
        assert (cache.hits, cache.stores) == (1, 1)
        assert {r.data for r in [*fresh, *kept, again]} == {kept[0].data}
