"""Validators and freshness: strong ETags, conditional GET (304) and conditional writes
(412), Cache-Control chosen per resource, and Vary."""

from __future__ import annotations

import re

import httpx

from tests.rest.conftest import WRITER, assert_problem, station_body

HISTORICAL = "/stations/KJFK/observations/2013-07-01T12:00:00Z"
READS = ("/", "/openapi.json", "/stations", "/stations/KJFK", "/stations/KJFK/observations",
         "/stations/KJFK/observations/latest", HISTORICAL, "/stations/KJFK/daily",
         "/stations/KJFK/forecast", "/alerts?station=KJFK", "/alerts/KJFK-HEAT-20130706T1600Z",
         "/problems/not-found")


def max_age(response: httpx.Response) -> int:
    found = re.search(r"max-age=(\d+)", response.headers["cache-control"])
    assert found, response.headers["cache-control"]
    return int(found.group(1))


def local_address(response: httpx.Response) -> object:
    """The client side of the connection that carried ``response``."""
    return response.extensions["network_stream"].get_extra_info("client_addr")


def test_every_read_has_a_strong_etag_and_varies_on_accept(http: httpx.Client) -> None:
    for href in READS:
        response = http.get(href)
        assert response.status_code == 200, href
        assert re.fullmatch(r'"[^"]+"', response.headers["etag"]), (href, response.headers)
        # and on Origin: CORS answers an allowed page's origin (tests/rest/test_cors.py)
        assert response.headers["vary"] == "Accept, Origin", href


def test_if_none_match_answers_304_without_a_body_on_the_same_open_connection(
        http: httpx.Client) -> None:
    for href in READS:
        first = http.get(href)
        again = http.get(href, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, href
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["cache-control"] == first.headers["cache-control"]
        assert "close" not in again.headers.get("connection", "")
        after = http.get(href)
        assert local_address(first) == local_address(again) == local_address(after), href


def test_a_list_of_tags_or_a_star_in_if_none_match_also_answers_304(
        http: httpx.Client) -> None:
    tag = http.get("/stations/KJFK").headers["etag"]
    for header in (f'"other", {tag}', f"W/{tag}", "*"):
        assert http.get("/stations/KJFK", headers={"If-None-Match": header}
                        ).status_code == 304, header
    assert http.get("/stations/KJFK", headers={"If-None-Match": '"other"'}).status_code == 200


def test_hal_and_plain_json_are_different_representations_with_different_etags(
        http: httpx.Client) -> None:
    hal = http.get("/stations/KJFK")
    plain = http.get("/stations/KJFK", headers={"Accept": "application/json"})
    assert hal.content == plain.content
    assert hal.headers["etag"] != plain.headers["etag"]
    revalidated = http.get("/stations/KJFK", headers={"Accept": "application/json",
                                                      "If-None-Match": hal.headers["etag"]})
    assert revalidated.status_code == 200  # the HAL tag does not validate the JSON variant


def test_a_change_changes_the_etag(http: httpx.Client, station: str) -> None:
    before = http.get(f"/stations/{station}")
    http.put(f"/stations/{station}", json=station_body("Changed"), headers=WRITER)
    after = http.get(f"/stations/{station}", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["name"] == "Changed"
    assert after.headers["etag"] != before.headers["etag"]


def test_if_match_with_a_stale_etag_is_412_and_changes_nothing(
        http: httpx.Client, station: str) -> None:
    stale = http.get(f"/stations/{station}").headers["etag"]
    http.put(f"/stations/{station}", json=station_body("Second"), headers=WRITER)
    current = http.get(f"/stations/{station}")
    refused = http.put(f"/stations/{station}", json=station_body("Lost update"),
                       headers={**WRITER, "If-Match": stale})
    assert_problem(refused, 412, "/problems/failed-precondition")
    assert_problem(http.delete(f"/stations/{station}", headers={**WRITER, "If-Match": stale}),
                   412)
    assert http.get(f"/stations/{station}").content == current.content
    # a weak tag never matches for a write (strong comparison)
    weak = http.put(f"/stations/{station}", json=station_body("Weak"),
                    headers={**WRITER, "If-Match": f"W/{current.headers['etag']}"})
    assert_problem(weak, 412)
    accepted = http.put(f"/stations/{station}", json=station_body("Third"),
                        headers={**WRITER, "If-Match": current.headers["etag"]})
    assert accepted.status_code == 200
    deleted = http.delete(f"/stations/{station}",
                          headers={**WRITER, "If-Match": accepted.headers["etag"]})
    assert deleted.status_code == 204


def test_if_match_star_requires_the_resource_to_exist(http: httpx.Client, station: str) -> None:
    href = f"/stations/{station}/observations/2021-01-01T00:00:00Z"
    refused = http.put(href, json={"temperature": 1.0}, headers={**WRITER, "If-Match": "*"})
    assert_problem(refused, 412)
    assert_problem(http.get(href), 404)
    http.put(href, json={"temperature": 1.0}, headers=WRITER)
    replaced = http.put(href, json={"temperature": 2.0}, headers={**WRITER, "If-Match": "*"})
    assert replaced.status_code == 200


def test_an_etag_read_in_any_units_or_media_type_names_the_version_for_if_match(
        http: httpx.Client, station: str) -> None:
    href = f"/stations/{station}/observations/2021-01-01T00:00:00Z"
    http.put(href, json={"temperature": 1.0}, headers=WRITER)
    si = http.get(href).headers["etag"]
    us_json = http.get(href, params={"units": "us"}, headers={"Accept": "application/json"})
    assert us_json.json()["temperature"] == {"value": 33.8, "unitCode": "degF"}
    assert us_json.headers["etag"] != si  # another representation…
    replaced = http.put(href, json={"temperature": 2.0},
                        headers={**WRITER, "If-Match": us_json.headers["etag"]})
    assert replaced.status_code == 200  # …of the same version
    assert_problem(http.put(href, json={"temperature": 3.0},
                            headers={**WRITER, "If-Match": us_json.headers["etag"]}), 412)


def test_freshness_follows_how_often_each_resource_changes(http: httpx.Client) -> None:
    station = max_age(http.get("/stations/KJFK"))
    latest = max_age(http.get("/stations/KJFK/observations/latest"))
    historical = max_age(http.get(HISTORICAL))
    assert latest < station < historical
    assert (latest, station, historical) == (30, 300, 86400)
    for derived in ("/stations/KJFK/daily", "/stations/KJFK/forecast"):
        assert http.get(derived).headers["cache-control"] == "public, no-cache"
    for href in READS:
        assert http.get(href).headers["cache-control"].startswith("public"), href


def test_writes_and_errors_are_never_stored(http: httpx.Client, station: str) -> None:
    written = http.put(f"/stations/{station}", json=station_body(), headers=WRITER)
    assert written.headers["cache-control"] == "no-store"
    deleted = http.delete(f"/stations/{station}", headers=WRITER)
    assert deleted.headers["cache-control"] == "no-store"
    for response in (http.get("/stations/KZZZ"), http.get("/stations?page_size=999"),
                     http.get("/nowhere")):
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


def test_a_malformed_if_match_is_a_400_not_a_guess(http: httpx.Client, station: str) -> None:
    for header in ("", "unquoted", '"open', 'W/"a",', '"a" "b"'):
        response = http.put(f"/stations/{station}", json=station_body(),
                            headers={**WRITER, "If-Match": header})
        problem = assert_problem(response, 400, "/problems/invalid-argument")
        assert problem["violations"][0]["field"] == "If-Match", header


def test_if_match_with_several_tags_matches_when_any_strong_one_is_current(
        http: httpx.Client, station: str) -> None:
    observation = f"/stations/{station}/observations/2021-01-01T00:00:00Z"
    # the observation first: deleting the station deletes its observations
    writes = {observation: {"temperature": 1.0}, f"/stations/{station}": station_body()}
    http.put(observation, json=writes[observation], headers=WRITER)
    for href, body in writes.items():
        tag = http.get(href, headers={"Accept": "application/json"}).headers["etag"]
        matched = http.put(href, json=body,
                           headers={**WRITER, "If-Match": f'"stale", W/"weak", {tag}'})
        assert matched.status_code == 200, href
        weak_only = http.put(href, json=body, headers={**WRITER, "If-Match": f'"a", W/{tag}'})
        assert_problem(weak_only, 412)  # a weak tag never matches a write
        deleted = http.delete(href, headers={**WRITER, "If-Match": f'"stale", {tag}'})
        assert deleted.status_code == 204, href
