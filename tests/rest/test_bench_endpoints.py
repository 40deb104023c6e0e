"""The bench endpoints of the served REST process: its Flask ceiling and its own accounting,
absent when ``FOURCAST_BENCH_ENDPOINTS=0``; and the origin cache bypass bench relies on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.rest_client import RestClient
from services.core.ceiling import CEILING_OBSERVATION
from services.core.units import MEASUREMENTS
from services.rest_api.ceiling import ceiling_record
from services.supervisor import ServerProcess
from tests.rest.conftest import HAL, assert_problem
from tests.servers import HOST, served
from tests.year import YEAR_MAX_GROWTH, page_through_the_year

LATEST = "/stations/KJFK/observations/latest"
# the very headers the REST client sends for the latest observation
CLIENT_HEADERS = {"Accept": HAL}


def _usage(http: httpx.Client, method: str = "GET") -> dict[str, Any]:
    response = http.request(method, "/bench/usage")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert set(body) == {"pid", "cpu_seconds", "rss_bytes", "peak_rss_bytes"}
    assert isinstance(body["pid"], int) and isinstance(body["cpu_seconds"], float)
    assert isinstance(body["rss_bytes"], int) and isinstance(body["peak_rss_bytes"], int)
    assert 0 < body["rss_bytes"] <= body["peak_rss_bytes"]
    return body


def test_the_ceiling_answers_the_ten_field_record_to_the_latest_calls_request(
        http: httpx.Client) -> None:
    real = http.get(LATEST, headers=CLIENT_HEADERS)
    ceiling = http.get("/bench/ceiling", headers=CLIENT_HEADERS)
    assert real.status_code == ceiling.status_code == 200, ceiling.text
    assert ceiling.headers["content-type"] == "application/json"
    body = ceiling.json()
    assert body == ceiling_record()
    assert body["station_id"] == "KJFK" and body["observed_at"] == "2013-12-30T23:00:00Z"
    assert set(body) == {"station_id", "observed_at", *MEASUREMENTS}
    assert all(body[name] == getattr(CEILING_OBSERVATION, name) for name in MEASUREMENTS)
    # nothing of Fourcast in its way: no validators, links or negotiation
    assert "etag" not in ceiling.headers and "_links" not in body


def _parent(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ...", comm may hold spaces
    return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])


def test_usage_reports_the_server_process_and_its_cpu_grows(
        http: httpx.Client, rest_server: ServerProcess) -> None:
    before = _usage(http)
    assert before["pid"] != os.getpid()
    # granian's worker: the served process itself or its child
    assert rest_server.process is not None
    assert rest_server.process.pid in (before["pid"], _parent(before["pid"]))
    for _ in range(200):
        assert http.get(LATEST, headers={**CLIENT_HEADERS, "Cache-Control": "no-cache"}
                        ).status_code == 200
    after = _usage(http)
    assert after["pid"] == before["pid"]
    assert after["cpu_seconds"] > before["cpu_seconds"]


# What the usage request itself may allocate after the reset and before its reading (the
# process serves it with the peak just set to its current memory).
REQUEST_SLACK = 256 * 1024


def test_posting_usage_resets_the_peak_to_the_current_memory(http: httpx.Client) -> None:
    _usage(http, "POST")  # its code paths warm: the first call of a path allocates
    before = _usage(http)
    reset = _usage(http, "POST")
    assert reset["pid"] == before["pid"]
    assert reset["peak_rss_bytes"] <= before["peak_rss_bytes"] + REQUEST_SLACK
    assert reset["peak_rss_bytes"] - reset["rss_bytes"] <= REQUEST_SLACK


def test_other_methods_on_the_bench_endpoints_are_405_problems(http: httpx.Client) -> None:
    assert_problem(http.post("/bench/ceiling"), 405)
    assert_problem(http.delete("/bench/usage"), 405)
    assert_problem(http.get("/bench/other"), 404)


def test_paging_through_a_year_grows_the_server_by_less_than_20_mb(
        http: httpx.Client, base_url: str) -> None:
    with RestClient(base_url) as client:
        assert page_through_the_year(client) > 8000  # warm
        before = _usage(http, "POST")  # the peak reset: count only the year
        assert page_through_the_year(client) > 8000
        after = _usage(http)
    assert after["peak_rss_bytes"] - before["rss_bytes"] < YEAR_MAX_GROWTH


@pytest.fixture(scope="module")
def http_without_bench(served_db: str | Path, server_logs: Path) -> Iterator[httpx.Client]:
    with served("rest", served_db, server_logs, {"FOURCAST_BENCH_ENDPOINTS": "0"}) as server, \
            httpx.Client(base_url=f"http://{HOST}:{server.port}", timeout=10) as client:
        yield client


def test_without_bench_endpoints_they_are_404_problems_and_the_api_is_unchanged(
        http_without_bench: httpx.Client, http: httpx.Client) -> None:
    for path in ("/bench/ceiling", "/bench/usage"):
        assert_problem(http_without_bench.get(path), 404, "/problems/not-found")
    assert_problem(http_without_bench.post("/bench/usage"), 404, "/problems/not-found")
    with_bench = http.get(LATEST, headers=CLIENT_HEADERS)
    without = http_without_bench.get(LATEST, headers=CLIENT_HEADERS)
    assert without.status_code == 200
    assert without.content == with_bench.content
    assert without.headers["etag"] == with_bench.headers["etag"]


def test_a_no_cache_request_gets_the_same_representation_rendered_afresh(
        http: httpx.Client) -> None:
    cached = http.get(LATEST, headers=CLIENT_HEADERS)
    fresh = http.get(LATEST, headers={**CLIENT_HEADERS, "Cache-Control": "no-cache"})
    assert fresh.status_code == 200
    assert fresh.content == cached.content
    assert fresh.headers["etag"] == cached.headers["etag"]
    assert fresh.headers["cache-control"] == cached.headers["cache-control"]
