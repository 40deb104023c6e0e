"""HTTP method semantics: safe reads, idempotent writes, create/replace/delete statuses, and
what the server says about methods and media types it does not serve."""

from __future__ import annotations

import select
import socket
from collections.abc import Iterator
from typing import BinaryIO

import httpx

from services.supervisor import ServerProcess
from tests.rest.conftest import (
    HAL,
    WRITER,
    assert_problem,
    fresh_station_id,
    station_body,
)
from tests.servers import HOST

AT = "2020-05-01T12:00:00Z"
READINGS = {"temperature": 21.5, "relative_humidity": 55.0, "wind_speed": 3.2}


def test_get_and_head_change_nothing_and_head_has_the_headers_of_get(
        http: httpx.Client) -> None:
    for href in ("/", "/stations", "/stations/KJFK", "/stations/KJFK/observations/latest",
                 "/stations/KJFK/forecast", "/alerts?station=KSEA"):
        before = http.get(href)
        head = http.head(href)
        after = http.get(href)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == before.headers["etag"] == after.headers["etag"]
        assert head.headers["content-type"] == before.headers["content-type"]
        assert head.headers["content-length"] == str(len(before.content))
        assert after.content == before.content


def test_putting_a_new_station_is_201_with_its_location_and_again_200(
        http: httpx.Client) -> None:
    station_id = fresh_station_id()
    try:
        created = http.put(f"/stations/{station_id}", json=station_body(), headers=WRITER)
        assert created.status_code == 201
        assert created.headers["location"] == f"/stations/{station_id}"
        assert created.json()["_links"]["self"]["href"] == f"/stations/{station_id}"
        replaced = http.put(f"/stations/{station_id}", json=station_body("Renamed"),
                            headers=WRITER)
        assert replaced.status_code == 200 and "location" not in replaced.headers
        assert http.get(f"/stations/{station_id}").json()["name"] == "Renamed"
    finally:
        http.delete(f"/stations/{station_id}", headers=WRITER)


def test_repeating_a_put_leaves_the_same_state(http: httpx.Client, station: str) -> None:
    first = http.put(f"/stations/{station}", json=station_body("Same"), headers=WRITER)
    state = http.get(f"/stations/{station}")
    second = http.put(f"/stations/{station}", json=station_body("Same"), headers=WRITER)
    assert first.status_code == second.status_code == 200
    assert first.headers["etag"] == second.headers["etag"] == state.headers["etag"]
    assert http.get(f"/stations/{station}").content == state.content


def test_repeating_a_delete_leaves_the_same_state_and_204_has_no_body(
        http: httpx.Client, station: str) -> None:
    deleted = http.delete(f"/stations/{station}", headers=WRITER)
    assert deleted.status_code == 204
    assert deleted.content == b"" and "content-type" not in deleted.headers
    assert_problem(http.get(f"/stations/{station}"), 404)
    again = http.delete(f"/stations/{station}", headers=WRITER)
    assert_problem(again, 404, "/problems/not-found")  # gone already: the same state
    assert_problem(http.get(f"/stations/{station}"), 404)


def test_an_observation_is_created_replaced_and_deleted_at_its_own_url(
        http: httpx.Client, station: str) -> None:
    href = f"/stations/{station}/observations/{AT}"
    created = http.put(href, json=READINGS, headers=WRITER)
    assert created.status_code == 201 and created.headers["location"] == href
    read = http.get(href)
    assert read.json()["temperature"] == {"value": 21.5, "unitCode": "degC"}
    assert read.json()["dewpoint"] == {"value": None, "unitCode": "degC"}  # missing stays null
    assert read.headers["etag"] == created.headers["etag"]
    assert http.put(href, json=READINGS, headers=WRITER).status_code == 200
    assert http.get(href).headers["etag"] == read.headers["etag"]
    assert http.delete(href, headers=WRITER).status_code == 204
    assert_problem(http.get(href), 404, "/problems/not-found")


def test_a_representation_read_can_be_written_back_unchanged(
        http: httpx.Client, station: str) -> None:
    href = f"/stations/{station}/observations/{AT}"
    http.put(href, json=READINGS, headers=WRITER)
    read = http.get(href)
    written = http.put(href, json=read.json(), headers=WRITER)
    assert written.status_code == 200
    assert written.headers["etag"] == read.headers["etag"]


def test_a_batch_of_observations_is_stored_all_or_nothing(
        http: httpx.Client, station: str) -> None:
    good = {"observations": [
        {"observed_at": "2020-05-01T00:00:00Z", "temperature": 10.0},
        {"observed_at": "2020-05-01T01:00:00Z", "temperature": {"value": 11.0,
                                                                 "unitCode": "degC"}}]}
    bad = {"observations": [
        {"observed_at": "2020-06-01T00:00:00Z", "temperature": 10.0},
        {"observed_at": "2020-06-01T01:00:00Z", "temperature": 999.0}]}
    refused = http.post(f"/stations/{station}/observations", json=bad, headers=WRITER)
    problem = assert_problem(refused, 400, "/problems/invalid-argument")
    assert [v["field"] for v in problem["violations"]] == ["observations[1].temperature"]
    assert_problem(http.get(f"/stations/{station}/observations/2020-06-01T00:00:00Z"), 404)

    stored = http.post(f"/stations/{station}/observations", json=good, headers=WRITER)
    assert stored.status_code == 200
    summary = stored.json()
    assert (summary["imported"], summary["created"], summary["replaced"]) == (2, 2, 0)
    listed = http.get(summary["_links"]["observations"]["href"]).json()
    assert [o["temperature"]["value"] for o in listed["_embedded"]["observations"]] == [
        10.0, 11.0]
    again = http.post(f"/stations/{station}/observations", json=good, headers=WRITER)
    assert (again.json()["created"], again.json()["replaced"]) == (0, 2)


def test_a_batch_naming_another_station_is_refused(http: httpx.Client, station: str) -> None:
    body = {"observations": [{"station_id": "KJFK", "observed_at": AT, "temperature": 1.0}]}
    problem = assert_problem(
        http.post(f"/stations/{station}/observations", json=body, headers=WRITER), 400)
    assert problem["violations"][0]["field"] == "observations[0].station_id"


def test_a_batch_of_several_stations_is_posted_to_observations_all_or_nothing(
        http: httpx.Client, station: str) -> None:
    other = fresh_station_id()
    assert http.put(f"/stations/{other}", json=station_body(), headers=WRITER).status_code == 201
    try:
        entry = http.get("/").json()["_links"]["batch"]["href"]
        assert http.get(entry).json()["_links"]["self"]["href"] == entry
        items = [{"station_id": station, "observed_at": AT, "temperature": 1.0},
                 {"station_id": other, "observed_at": AT, "temperature": 2.0}]
        unnamed = http.post(entry, json={"observations": [*items, {"observed_at": AT}]},
                            headers=WRITER)
        problem = assert_problem(unnamed, 400)
        assert [v["field"] for v in problem["violations"]] == ["observations[2].station_id"]
        assert_problem(http.get(f"/stations/{other}/observations/{AT}"), 404)
        stored = http.post(entry, json={"observations": items}, headers=WRITER).json()
        assert stored["station_ids"] == sorted([station, other])
        assert {link["href"] for link in stored["_links"]["station"]} == {
            f"/stations/{station}", f"/stations/{other}"}
        empty = http.post(entry, json={"observations": []}, headers=WRITER).json()
        assert (empty["imported"], empty["station_ids"]) == (0, [])
    finally:
        http.delete(f"/stations/{other}", headers=WRITER)


def test_a_method_a_resource_does_not_serve_is_405_with_allow(http: httpx.Client) -> None:
    cases = {"/stations/KJFK": ("PATCH", {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}),
             "/stations": ("POST", {"GET", "HEAD", "OPTIONS"}),
             "/stations/KJFK/observations": ("DELETE", {"GET", "HEAD", "POST", "OPTIONS"}),
             "/alerts/KJFK-HEAT-20130706T1600Z": ("PUT", {"GET", "HEAD", "OPTIONS"}),
             "/stations/KJFK/observations/latest": ("PUT", {"GET", "HEAD", "OPTIONS"}),
             "/stations/KJFK/observations/live": ("DELETE", {"GET", "HEAD", "OPTIONS"}),
             "/": ("DELETE", {"GET", "HEAD", "OPTIONS"})}
    for href, (method, allowed) in cases.items():
        response = http.request(method, href, headers=WRITER)
        assert_problem(response, 405)
        assert set(response.headers["allow"].replace(" ", "").split(",")) == allowed, href
    # in one fixed order, whatever the process's hash seed
    assert http.options("/stations/KJFK").headers["allow"] == "GET, HEAD, PUT, DELETE, OPTIONS"


def test_options_answers_with_allow_and_no_body(http: httpx.Client) -> None:
    response = http.options("/stations/KJFK/observations/2013-07-01T12:00:00Z")
    assert response.status_code == 204 and response.content == b""
    assert "content-type" not in response.headers
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {
        "GET", "HEAD", "PUT", "DELETE", "OPTIONS"}


def test_hal_and_plain_json_are_offered_and_anything_else_is_406(
        http: httpx.Client) -> None:
    assert http.get("/stations/KJFK").headers["content-type"] == HAL
    assert http.get("/stations/KJFK", headers={"Accept": "*/*"}).headers["content-type"] == HAL
    plain = http.get("/stations/KJFK", headers={"Accept": "application/json"})
    assert plain.headers["content-type"] == "application/json"
    preferred = http.get("/stations/KJFK", headers={
        "Accept": "application/json;q=0.5, application/hal+json"})
    assert preferred.headers["content-type"] == HAL
    for accept in ("text/html", "application/xml", "application/hal+json;q=0"):
        refused = http.get("/stations/KJFK", headers={"Accept": accept})
        assert "application/hal+json" in assert_problem(refused, 406)["detail"]


def test_a_body_that_is_not_json_is_415(http: httpx.Client, station: str) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded",
                         "application/xml"):
        response = http.put(f"/stations/{station}", content=b"name=x",
                            headers={**WRITER, "Content-Type": content_type})
        assert_problem(response, 415)
    no_type = http.put(f"/stations/{station}", content=b"{}", headers=WRITER)
    assert_problem(no_type, 415)


def test_a_body_over_the_limit_is_413_whether_its_length_is_declared_or_chunked(
        http: httpx.Client, station: str) -> None:
    limit = 16 * 1024 * 1024
    body = b'{"observations": [' + b" " * limit + b"]}"
    headers = {**WRITER, "Content-Type": "application/json"}
    declared = http.post(f"/stations/{station}/observations", content=body, headers=headers)
    assert_problem(declared, 413, "/problems/resource-exhausted")

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 1024 * 1024):
            yield body[start:start + 1024 * 1024]

    chunked = http.post(f"/stations/{station}/observations", content=chunks(),
                        headers=headers)
    assert "content-length" not in chunked.request.headers
    assert_problem(chunked, 413, "/problems/resource-exhausted")
    # the same chunked transfer under the limit is read whole
    small = http.post(f"/stations/{station}/observations", headers=headers,
                      content=iter([b'{"observations": [', b" " * 1000, b"]}"]))
    assert small.status_code == 200 and small.json()["imported"] == 0


def read_response(stream: BinaryIO) -> tuple[int, bytes]:
    """One HTTP/1.1 response (status, body) from a connection; fails if it was dropped."""
    status_line = stream.readline()
    assert status_line, "the server dropped the connection"
    length = 0
    while (line := stream.readline()) not in (b"\r\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return int(status_line.split()[1]), stream.read(length)


def test_an_answer_given_before_the_body_arrived_keeps_the_connection_usable(
        rest_server: ServerProcess) -> None:
    """A slow client: the request head first, the body later. The server must not answer
    and then drop the connection (the next request on it would be reset): it reads the
    body it has no use for and keeps the connection open."""
    heads = {b"PUT /stations/ZR__ HTTP/1.1\r\nContent-Type: text/plain\r\n": 401,
             b"PATCH /stations/KJFK HTTP/1.1\r\n": 405,
             b"POST /nowhere HTTP/1.1\r\n": 404}
    for head, status in heads.items():
        with socket.create_connection((HOST, rest_server.port), timeout=10) as sock, \
                sock.makefile("rb") as stream:
            sock.sendall(head + b"Host: test\r\nContent-Length: 6\r\n\r\n")
            # give an eager server the time to answer first (select returns as soon as it
            # does), then send the body and a second request on the same connection
            select.select([sock], [], [], 0.3)
            sock.sendall(b"name=xGET /stations/KJFK HTTP/1.1\r\nHost: test\r\n\r\n")
            assert read_response(stream)[0] == status
            assert read_response(stream)[0] == 200
