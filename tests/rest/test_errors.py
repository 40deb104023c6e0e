"""Errors are RFC 9457 problem documents with the status of the error contract
(docs/errors.md), whatever went wrong: a core error, an unknown route, a hostile request."""

from __future__ import annotations

import socket

import httpx

from services.supervisor import ServerProcess
from tests.rest.conftest import PROBLEM, WRITER, assert_problem, fresh_station_id
from tests.servers import HOST


def test_a_missing_station_is_a_not_found_problem_naming_the_resource(
        http: httpx.Client) -> None:
    problem = assert_problem(http.get("/stations/KZZZ"), 404, "/problems/not-found")
    assert problem["code"] == "NOT_FOUND"
    assert (problem["resource_type"], problem["resource_name"]) == ("station", "KZZZ")
    for href in ("/stations/KZZZ/observations", "/stations/KZZZ/observations/latest",
                 "/stations/KZZZ/daily", "/stations/KZZZ/forecast", "/alerts?station=KZZZ"):
        assert assert_problem(http.get(href), 404)["resource_name"] == "KZZZ", href
    missing = http.get("/stations/KJFK/observations/1999-01-01T00:00:00Z")
    assert assert_problem(missing, 404)["resource_type"] == "observation"


def test_invalid_arguments_are_400_problems_listing_each_violation(
        http: httpx.Client) -> None:
    problem = assert_problem(http.get("/stations/KJFK/observations", params={
        "page_size": "many"}), 400, "/problems/invalid-argument")
    assert problem["code"] == "INVALID_ARGUMENT"
    assert [v["field"] for v in problem["violations"]] == ["page_size"]
    body = {"name": "", "latitude": 91.0, "longitude": 0.0, "elevation": 0.0,
            "timezone": "Mars/Olympus_Mons"}
    station_id = fresh_station_id()
    problem = assert_problem(http.put(f"/stations/{station_id}", json=body, headers=WRITER),
                             400)
    assert {v["field"] for v in problem["violations"]} == {"name", "latitude", "timezone"}
    assert_problem(http.get(f"/stations/{station_id}"), 404)


def test_each_core_error_has_the_status_and_code_of_the_contract(http: httpx.Client) -> None:
    contract = {
        404: (http.get("/alerts/KJFK-WIND-19990101T0000Z"), "NOT_FOUND", "not-found"),
        400: (http.get("/stations/KJFK/forecast?days=8"), "INVALID_ARGUMENT",
              "invalid-argument"),
        412: (http.delete("/stations/KJFK", headers={**WRITER, "If-Match": '"stale"'}),
              "FAILED_PRECONDITION", "failed-precondition"),
        401: (http.delete("/stations/KJFK"), "UNAUTHENTICATED", "unauthenticated"),
        413: (http.post("/stations/KJFK/observations", headers=WRITER, json={
            "observations": [{"observed_at": "2013-01-01T00:00:00Z"}] * 50_001}),
            "RESOURCE_EXHAUSTED", "resource-exhausted"),
    }
    for status, (response, code, slug) in contract.items():
        problem = assert_problem(response, status, f"/problems/{slug}")
        assert problem["code"] == code
    assert http.get("/stations/KJFK").status_code == 200  # the stale delete changed nothing


def test_every_problem_type_dereferences_to_its_explanation(http: httpx.Client) -> None:
    for slug, status in {"not-found": 404, "invalid-argument": 400, "failed-precondition": 412,
                         "unauthenticated": 401, "permission-denied": 403,
                         "resource-exhausted": 413, "internal": 500}.items():
        explained = http.get(f"/problems/{slug}").json()
        assert (explained["slug"], explained["status"]) == (slug, status)
        assert explained["description"] and explained["code"]
    assert_problem(http.get("/problems/no-such-problem"), 404)


def test_unknown_routes_are_404_problems_not_html_pages(http: httpx.Client) -> None:
    for method, href in (("GET", "/nowhere"), ("GET", "/stations/KJFK/nothing"),
                         ("GET", "/static/app.js"), ("POST", "/nowhere"),
                         ("DELETE", "/stations/KJFK/observations/latest/x"),
                         ("GET", "/stations/KJFK/"), ("GET", "/index.html")):
        response = http.request(method, href)
        if href == "/stations/KJFK/":  # no redirect for a trailing slash: the same resource
            assert response.status_code == 200
            continue
        assert_problem(response, 404, "/problems/not-found")
        assert "<" not in response.text


def test_malformed_json_and_invalid_utf8_bodies_are_400_problems(
        http: httpx.Client, station: str) -> None:
    for body in (b"{not json", b'{"name": "x"', b"", b"null", b"[]", b'"a string"',
                 b'{"name": "\xff\xfe"}', b"\xef\xbb\xbf{}", b'{"latitude": NaN}'):
        response = http.put(f"/stations/{station}", content=body,
                            headers={**WRITER, "Content-Type": "application/json"})
        assert_problem(response, 400, "/problems/invalid-argument")
    typed_wrongly = http.put(f"/stations/{station}", headers=WRITER, json={
        "name": "x", "latitude": "40.5", "longitude": -73.5, "elevation": 3.0,
        "timezone": "UTC"})
    assert [v["field"] for v in assert_problem(typed_wrongly, 400)["violations"]] == [
        "latitude"]


def test_unknown_or_repeated_query_parameters_are_refused_not_ignored(
        http: httpx.Client) -> None:
    """``?unit=us`` (a typo) must not quietly answer in SI units."""
    typo = assert_problem(http.get("/stations/KJFK/observations/latest?unit=us"), 400)
    assert typo["violations"] == [{"field": "unit",
                                   "description": "is not a parameter of this operation"}]
    assert_problem(http.get("/stations/KJFK?verbose=1"), 400)
    twice = assert_problem(http.get("/stations?page_size=1&page_size=2"), 400)
    assert twice["violations"][0]["field"] == "page_size"
    several = http.get("/live?station=KJFK&station=KLGA")  # a parameter meant to repeat
    assert several.json()["station_ids"] == ["KJFK", "KLGA"]


def test_bad_percent_encoding_is_a_problem_not_a_crash(http: httpx.Client) -> None:
    for href in ("/stations/%ZZ", "/stations/%FF%FE", "/stations/K%00FK",
                 "/stations?page_size=%ZZ", "/stations?page_token=%FF%FE",
                 "/alerts?station=%E2%82", "/stations/KJFK/observations/2013-07-01T12%3A00"):
        response = http.get(href)
        assert_problem(response, 400, "/problems/invalid-argument")


def test_a_huge_query_string_is_refused_without_html_or_a_traceback(
        http: httpx.Client, rest_server: ServerProcess) -> None:
    long_token = http.get("/stations", params={"page_token": "x" * 32_000})
    assert_problem(long_token, 400, "/problems/invalid-argument")
    # beyond the HTTP server's own limit (64 KiB request line) granian answers by itself:
    # a bare 414, no body — still neither HTML nor a traceback
    with socket.create_connection((HOST, rest_server.port), timeout=10) as sock:
        sock.sendall(b"GET /stations?x=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: t\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            assert chunk
            answer += chunk
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414")
    assert b"content-length: 0" in head.lower() and rest == b""


def test_a_huge_header_or_path_is_refused_cleanly(http: httpx.Client) -> None:
    long_path = http.get("/stations/" + "K" * 20_000)
    assert_problem(long_path, 400, "/problems/invalid-argument")
    huge_key = http.delete("/stations/KJFK", headers={"Authorization": "Bearer " + "k" * 20_000})
    assert_problem(huge_key, 401)


def test_no_error_answer_is_html_or_carries_a_traceback(
        http: httpx.Client, station: str) -> None:
    hostile = [http.get("/stations", headers={"Accept": "text/html"}),
               http.request("BREW", "/stations"),
               http.get("/stations/KJFK/observations/not-a-time"),
               http.get("/stations/KJFK/observations?start=2013-02-30T00:00:00Z"),
               http.get("/stations/KJFK/daily?start=2013-07-03&end=2013-07-01"),
               http.get("/alerts?start=2013-07-02T00:00:00Z&end=2013-07-01T00:00:00Z"),
               http.put(f"/stations/{station}", content=b"\x00" * 100,
                        headers={**WRITER, "Content-Type": "application/json"}),
               http.put(f"/stations/{station}", content=b'{"a":' * 10_000,
                        headers={**WRITER, "Content-Type": "application/json"}),
               http.post(f"/stations/{station}/observations", headers=WRITER,
                         json={"observations": "all of them"})]
    for response in hostile:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == PROBLEM, response.request.url
        assert "Traceback" not in response.text and "<html" not in response.text.lower()


def test_a_misspelt_or_malformed_measurement_is_refused_not_dropped(
        http: httpx.Client, station: str) -> None:
    href = f"/stations/{station}/observations/2020-01-01T00:00:00Z"
    for body, field in (({"temprature": 20.0}, "temprature"),
                        ({"temperature": {"unitCode": "degC"}}, "temperature"),
                        ({"temperature": {"value": 68.0, "unitCode": "degF"}}, "temperature"),
                        ({"units": "us", "temperature": 20.0}, "units")):
        problem = assert_problem(http.put(href, json=body, headers=WRITER), 400)
        assert [v["field"] for v in problem["violations"]] == [field], body
    assert_problem(http.get(href), 404)


def test_a_number_is_not_a_timestamp(http: httpx.Client) -> None:
    """Unix times are not RFC 3339: /observations/1372636800 is not 2013-07-01T00:00Z."""
    for href, field in (("/stations/KJFK/observations/1372636800", "observed_at"),
                        ("/stations/KJFK/observations?start=0", "start"),
                        ("/alerts?end=1372636800", "end"),
                        ("/stations/KJFK/daily?start=0", "start")):
        problem = assert_problem(http.get(href), 400, "/problems/invalid-argument")
        assert problem["violations"][0]["field"] == field, href


def test_a_batch_over_the_limit_is_413_even_when_its_items_are_invalid(
        http: httpx.Client, station: str) -> None:
    batch = {"observations": [{"observed_at": "not a time"}] * 50_001}
    response = http.post(f"/stations/{station}/observations", json=batch, headers=WRITER)
    assert_problem(response, 413, "/problems/resource-exhausted")
    assert len(response.content) < 1000


def test_a_long_list_of_violations_is_cut_short(http: httpx.Client, station: str) -> None:
    batch = {"observations": [{"observed_at": "not a time"}] * 1_000}
    response = http.post(f"/stations/{station}/observations", json=batch, headers=WRITER)
    assert len(assert_problem(response, 400)["violations"]) == 100


def test_a_query_with_too_many_wrong_parameters_lists_a_hundred_and_counts_the_rest(
        http: httpx.Client, station: str) -> None:
    unknown = http.get("/stations", params={f"p{i}": "1" for i in range(1_000)})
    problem = assert_problem(unknown, 400)
    assert len(problem["violations"]) == 100
    assert "900 more" in problem["detail"]
    batch = {"observations": [{"observed_at": "not a time"}] * 1_000}
    invalid = http.post(f"/stations/{station}/observations", json=batch, headers=WRITER)
    assert "900 more" in assert_problem(invalid, 400)["detail"]
