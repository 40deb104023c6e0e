"""The bench endpoints of the served GraphQL process: its ceiling and its own accounting."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from clients.graphql_client import GraphQLClient
from services.core.ceiling import CEILING_OBSERVATION
from services.graphql_api.media import GRAPHQL_RESPONSE
from services.supervisor import ServerProcess
from tests.servers import HOST, served
from tests.year import YEAR_MAX_GROWTH, page_through_the_year

FIELDS = ("stationId observedAt temperature dewpoint relativeHumidity windSpeed windDirection "
          "windGust precipitationLastHour seaLevelPressure visibility")
LATEST = f'{{ latestObservation(stationId: "KJFK") {{ {FIELDS} }} }}'
#: the very bytes of the real call, posted unchanged to both endpoints
BODY = json.dumps({"query": LATEST}).encode()
HEADERS = {"content-type": "application/json"}


def ceiling_record() -> dict[str, object]:
    o = CEILING_OBSERVATION
    return {"stationId": o.station_id, "observedAt": o.observed_at.isoformat(),
            "temperature": o.temperature, "dewpoint": o.dewpoint,
            "relativeHumidity": o.relative_humidity, "windSpeed": o.wind_speed,
            "windDirection": o.wind_direction, "windGust": o.wind_gust,
            "precipitationLastHour": o.precipitation_last_hour,
            "seaLevelPressure": o.sea_level_pressure, "visibility": o.visibility}


def usage(http: httpx.Client, reset: bool = False) -> dict[str, object]:
    response = http.post("/bench/usage") if reset else http.get("/bench/usage")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, object] = response.json()
    return body


@pytest.mark.parametrize("accept", [None, GRAPHQL_RESPONSE])
def test_the_ceiling_answers_the_real_calls_bytes_with_the_ceiling_record(
        http: httpx.Client, accept: str | None) -> None:
    headers = HEADERS | ({"accept": accept} if accept else {})
    real = http.post("/graphql", content=BODY, headers=headers)
    ceiling = http.post("/bench/graphql", content=BODY, headers=headers)
    assert real.status_code == ceiling.status_code == 200
    real_record = real.json()["data"]["latestObservation"]
    assert real_record["stationId"] == "KJFK"
    assert ceiling.json() == {"data": {"latestObservation": ceiling_record()}}
    assert set(real_record) == set(ceiling_record())


def test_the_ceiling_takes_units_and_refuses_what_graphql_refuses(http: httpx.Client) -> None:
    us = http.post("/bench/graphql", json={
        "query": "query($u: UnitSystem!) { latestObservation(stationId: \"KJFK\", units: $u) "
                 "{ temperature units } }", "variables": {"u": "US"}})
    assert us.json()["data"]["latestObservation"]["units"] == "SI"  # a constant, unconverted
    unknown = http.post("/bench/graphql", json={"query": "{ station(id: \"KJFK\") { name } }"})
    assert unknown.status_code == 200 and "data" in unknown.json()
    assert unknown.json()["data"] is None and unknown.json()["errors"]


def test_usage_is_the_server_process_own(http: httpx.Client,
                                         graphql_server: ServerProcess) -> None:
    first = usage(http)
    pid = first["pid"]
    assert isinstance(pid, int) and pid != os.getpid()
    assert graphql_server.process is not None
    assert os.getsid(pid) == graphql_server.process.pid  # granian's worker, in its session
    for _ in range(300):
        assert http.post("/graphql", content=BODY, headers=HEADERS).status_code == 200
    second = usage(http)
    assert second["pid"] == pid
    for body in (first, second):
        assert set(body) == {"pid", "cpu_seconds", "rss_bytes", "peak_rss_bytes"}
        assert isinstance(body["cpu_seconds"], float)
        assert isinstance(body["rss_bytes"], int) and isinstance(body["peak_rss_bytes"], int)
        assert body["peak_rss_bytes"] >= body["rss_bytes"] > 0
    assert second["cpu_seconds"] > first["cpu_seconds"]  # type: ignore[operator]


def test_a_post_resets_the_peak_to_the_current_memory(http: httpx.Client) -> None:
    before = usage(http)
    after = usage(http, reset=True)
    assert after["pid"] == before["pid"]
    assert after["peak_rss_bytes"] <= before["peak_rss_bytes"]  # type: ignore[operator]
    assert after["peak_rss_bytes"] >= after["rss_bytes"]  # type: ignore[operator]


def test_usage_takes_get_and_post_only(http: httpx.Client) -> None:
    refused = http.delete("/bench/usage")
    assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD, POST"
    assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


def test_paging_through_a_year_grows_the_server_by_less_than_20_mb(
        http: httpx.Client, graphql_server: ServerProcess) -> None:
    with GraphQLClient.connect(HOST, graphql_server.port) as client:
        assert page_through_the_year(client) > 8000  # warm
        before = usage(http, reset=True)  # the peak reset: count only the year
        assert page_through_the_year(client) > 8000
        after = usage(http)
    assert after["peak_rss_bytes"] - before["rss_bytes"] < YEAR_MAX_GROWTH  # type: ignore[operator]


@pytest.fixture(scope="module")
def without_bench(served_db: str | Path, server_logs: Path) -> Iterator[httpx.Client]:
    with served("graphql", served_db, server_logs,
                extra_env={"FOURCAST_BENCH_ENDPOINTS": "0"}) as server, \
            httpx.Client(base_url=f"http://{HOST}:{server.port}", timeout=10) as client:
        yield client


def test_without_bench_endpoints_they_are_absent_and_the_api_unchanged(
        without_bench: httpx.Client, http: httpx.Client) -> None:
    for method, path in (("POST", "/bench/graphql"), ("GET", "/bench/usage"),
                         ("POST", "/bench/usage")):
        absent = without_bench.request(method, path, content=BODY, headers=HEADERS)
        assert absent.status_code == 404, (method, path)
        assert absent.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    real = without_bench.post("/graphql", content=BODY, headers=HEADERS)
    assert real.status_code == 200
    assert real.json() == http.post("/graphql", content=BODY, headers=HEADERS).json()
