"""The origin's representation cache: repeated GETs from memory, never a stale answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from services.core import Observation, Station, WeatherService
from services.core.auth import KeyChecker
from services.rest_api.cache import RepresentationCache
from services.store import SqliteRepository
from tests.rest.conftest import HAL, fresh_station_id
from tests.servers import API_KEY


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
