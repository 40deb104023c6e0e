"""Reads are open, writes need a Bearer key; and the size limits of a request."""

from __future__ import annotations

import httpx

from tests.rest.conftest import READER, WRITER, assert_problem, fresh_station_id, station_body
from tests.servers import API_KEY


def test_reads_need_no_key(http: httpx.Client) -> None:
    for href in ("/", "/stations", "/stations/KSEA", "/stations/KSEA/observations/latest",
                 "/stations/KSEA/forecast", "/alerts?station=KSEA"):
        assert http.get(href).status_code == 200, href


def test_a_write_without_a_key_is_401_with_a_bearer_challenge(http: httpx.Client) -> None:
    station_id = fresh_station_id()
    writes = [http.put(f"/stations/{station_id}", json=station_body()),
              http.delete("/stations/KSEA"),
              http.put("/stations/KSEA/observations/2010-06-01T00:00:00Z",
                       json={"temperature": 1.0}),
              http.delete("/stations/KSEA/observations/2010-06-01T00:00:00Z"),
              http.post("/stations/KSEA/observations", json={"observations": []})]
    for response in writes:
        problem = assert_problem(response, 401, "/problems/unauthenticated")
        assert problem["code"] == "UNAUTHENTICATED"
        assert response.headers["www-authenticate"] == 'Bearer realm="fourcast"'
    assert_problem(http.get(f"/stations/{station_id}"), 404)
    assert http.get("/stations/KSEA").status_code == 200


def test_an_unknown_key_is_401_naming_an_invalid_token(http: httpx.Client) -> None:
    response = http.delete("/stations/KSEA", headers={"Authorization": "Bearer not-a-key"})
    assert_problem(response, 401)
    assert response.headers["www-authenticate"] == (
        'Bearer realm="fourcast", error="invalid_token"')


def test_a_key_in_another_scheme_is_no_key(http: httpx.Client) -> None:
    for header in (f"Basic {API_KEY}", API_KEY, "Bearer", f"Token {API_KEY}"):
        response = http.delete("/stations/KSEA", headers={"Authorization": header})
        assert_problem(response, 401)
    assert http.get("/stations/KSEA").status_code == 200


def test_the_bearer_scheme_is_case_insensitive(http: httpx.Client, station: str) -> None:
    response = http.put(f"/stations/{station}", json=station_body(),
                        headers={"Authorization": f"bearer {API_KEY}"})
    assert response.status_code == 200


def test_a_read_only_key_may_not_write(http: httpx.Client) -> None:
    station_id = fresh_station_id()
    response = http.put(f"/stations/{station_id}", json=station_body(), headers=READER)
    problem = assert_problem(response, 403, "/problems/permission-denied")
    assert problem["code"] == "PERMISSION_DENIED"
    assert "www-authenticate" not in response.headers
    assert_problem(http.get(f"/stations/{station_id}"), 404)


def test_an_anonymous_write_is_refused_before_its_body_is_judged(http: httpx.Client) -> None:
    """Without a key the answer is 401, whatever the body: an anonymous caller learns
    nothing about validation, and the server reads no more than it must."""
    for body, content_type in ((b"{not json", "application/json"), (b"x", "text/plain"),
                               (b'{"name": ""}', "application/json")):
        response = http.put(f"/stations/{fresh_station_id()}", content=body,
                            headers={"Content-Type": content_type})
        assert_problem(response, 401)


def test_pages_are_at_most_500_items_and_zero_means_the_default_50(
        http: httpx.Client) -> None:
    params = {"start": "2013-01-01T00:00:00Z", "end": "2013-03-01T00:00:00Z"}
    biggest = http.get("/stations/KJFK/observations", params={**params, "page_size": 500})
    assert biggest.json()["count"] == 500
    default = http.get("/stations/KJFK/observations", params={**params, "page_size": 0})
    assert default.json()["count"] == 50
    for size in (501, -1, 10**12):
        refused = http.get("/stations/KJFK/observations", params={**params, "page_size": size})
        problem = assert_problem(refused, 400, "/problems/invalid-argument")
        assert problem["violations"][0]["field"] == "page_size"


def test_an_import_over_the_batch_limit_is_413_and_stores_nothing(
        http: httpx.Client, station: str) -> None:
    batch = [{"observed_at": f"2022-01-01T00:00:{n % 60:02d}Z"} for n in range(50_001)]
    response = http.post(f"/stations/{station}/observations", json={"observations": batch},
                         headers=WRITER)
    problem = assert_problem(response, 413, "/problems/resource-exhausted")
    assert "50000" in problem["detail"]
    listed = http.get(f"/stations/{station}/observations",
                      params={"start": "2022-01-01T00:00:00Z", "end": "2022-01-02T00:00:00Z"})
    assert listed.json()["count"] == 0
