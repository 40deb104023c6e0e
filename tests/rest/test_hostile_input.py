"""Whatever a client sends, the answer is a 4xx problem in HTTP's idiom: never a 5xx, a
traceback or a hang. Forged page tokens (issue 13, item 7) were a 500; the rest of the table
pins the inputs an attacker tried (huge numbers, impossible dates, deep JSON, bytes that are
not UTF-8, huge headers) so that none of them becomes one.
"""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

import httpx
import pytest

from services.core import paging
from services.supervisor import ServerProcess
from tests.rest.conftest import WRITER, assert_problem
from tests.servers import HOST

HUGE = "9" * 5000  # more digits than Python converts to an int by default


def _token_of(next_href: str) -> str:
    token = httpx.URL(next_href).params["page_token"]
    assert token, next_href
    return token


def _resigned(token: str, **changes: Any) -> str:
    """``token`` with its payload changed and signed as the server signs: the signing secret
    may be the public default, so only the server's checks of the contents keep this out."""
    payload = token.partition(".")[0]
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{forged}.{paging._b64(paging._signature(forged))}"


LISTINGS = ("/stations?page_size=2",
            "/stations/KJFK/observations?start=2013-07-01T00:00:00Z"
            "&end=2013-07-02T00:00:00Z&page_size=2",
            "/alerts?start=2013-01-01T00:00:00Z&end=2014-01-01T00:00:00Z&page_size=2")
FORGED_KEYS: tuple[Any, ...] = ([2**70], ["x" * 10_000], [], [None], [[1]], [{"a": 1}],
                                [1.5], [True], ["KJFK", 1, 2, 3], [-(2**70)])


@pytest.mark.parametrize("listing", LISTINGS)
def test_a_forged_page_token_is_a_400_problem_on_page_token(http: httpx.Client,
                                                            listing: str) -> None:
    first = http.get(listing)
    assert first.status_code == 200, first.text
    token = _token_of(first.json()["_links"]["next"]["href"])
    path, _, query = listing.partition("?")
    forgeries = [_resigned(token, k=key) for key in FORGED_KEYS]
    forgeries += [_resigned(token, d="sideways"), _resigned(token, q="another query"),
                  token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
                  "garbage", "e30", "a.b.c", "." * 900, "x" * 5000]
    for forged in forgeries:
        response = http.get(path, params={**dict(httpx.QueryParams(query)),
                                          "page_token": forged})
        problem = assert_problem(response, 400, "/problems/invalid-argument")
        assert [v["field"] for v in problem["violations"]] == ["page_token"], forged[:80]
    assert http.get(path, params={**dict(httpx.QueryParams(query)),
                                  "page_token": token}).status_code == 200


HOSTILE_GETS = (
    f"/stations?page_size={HUGE}", "/stations?page_size=" + "9" * 30,
    f"/stations/KJFK/forecast?days={HUGE}", "/stations/KJFK/forecast?days=-5",
    "/stations/KJFK/observations?start=2013-02-30T00:00:00Z",
    "/stations/KJFK/observations?start=0001-01-01T00:00:00Z&end=0001-01-02T00:00:00Z",
    "/stations/KJFK/observations?start=9999-12-31T23:59:59-23:59",
    "/stations/KJFK/observations?start=2013-07-01T00:00:00%2B99:99",
    "/stations/KJFK/observations?start=2013-07-01T00:00:00." + "1" * 5000 + "Z",
    "/stations/KJFK/observations/0001-01-01T00:00:00%2B01:00",
    "/stations/KJFK/observations/9999-12-31T23:59:59-01:00",
    "/stations/KJFK/daily?start=0001-01-01", "/stations/KJFK/daily?end=9999-12-31",
    "/alerts?start=0001-01-01T00:00:00Z", "/alerts?end=9999-12-31T23:59:59Z",
    "/alerts/KJFK-WIND-99991231T2359Z", "/alerts/" + "K" * 5000, "/stations/K%00FK",
    "/stations?page_token=%FF%FE", "/live?" + "&".join(f"station=S{i:03d}" for i in range(1200)),
)


@pytest.mark.parametrize("href", HOSTILE_GETS, ids=lambda h: h[:60])
def test_hostile_query_and_path_values_are_4xx_problems(http: httpx.Client, href: str) -> None:
    response = http.get(href)
    assert 400 <= response.status_code < 500, response.text
    assert_problem(response, response.status_code)


def test_hostile_headers_are_answered_not_crashed_on(http: httpx.Client) -> None:
    for headers in ({"Accept": "a" * 60_000}, {"Accept": f"application/json;q={HUGE}"},
                    {"Accept": ",".join(["application/json;q=0.5"] * 3000)},
                    {"If-None-Match": '"' + "a" * 30_000 + '"'},
                    {"Authorization": "Bearer " + "x" * 30_000}, {"X-Big": "x" * 100_000}):
        response = http.get("/stations/KJFK", headers=headers)
        assert response.status_code in (200, 406), (list(headers), response.status_code)
        if response.status_code == 406:
            assert_problem(response, 406)
    assert http.get("/stations/KJFK").status_code == 200


DEEP = 100_000
HOSTILE_BODIES = (b"[" * DEEP + b"]" * DEEP,
                  b'{"observations":' + b"[" * DEEP + b"]" * DEEP + b"}",
                  b'{"_links": {"a": ' + b'{"a":' * 20_000 + b"1" + b"}" * 20_000 + b"}}",
                  b'{"temperature": 1e400}', b'{"temperature": ' + HUGE.encode() + b"}",
                  b'{"temperature": NaN}', b'\xff\xfe{"temperature": 1}',
                  b'{"temperature": "\xff"}', b'{"name": "\\ud800"}')


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=lambda b: repr(b[:24]))
def test_hostile_json_bodies_are_400_problems(http: httpx.Client, station: str,
                                              body: bytes) -> None:
    for method, path in (("PUT", f"/stations/{station}/observations/2020-01-01T00:00:00Z"),
                         ("POST", f"/stations/{station}/observations"),
                         ("PUT", f"/stations/{station}"), ("POST", "/observations")):
        response = http.request(method, path, content=body,
                                headers={**WRITER, "Content-Type": "application/json"})
        assert_problem(response, 400, "/problems/invalid-argument")


RAW_REQUESTS = (b"GET /stations/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /stations?page_token=\xff HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /stations/KJFK HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999"
                b"\r\n\r\n",
                b"POST /observations HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")


@pytest.mark.parametrize("raw", RAW_REQUESTS, ids=lambda r: repr(r[:30]))
def test_bytes_no_http_client_would_send_are_a_4xx(rest_server: ServerProcess,
                                                   raw: bytes) -> None:
    """Raw bytes that are not UTF-8 in the request line, or an impossible Content-Length,
    are refused by granian before the application (400, empty body): never a 5xx."""
    with socket.create_connection((HOST, rest_server.port), timeout=10) as connection:
        connection.sendall(raw)
        status_line = connection.makefile("rb").readline()
    assert status_line.startswith(b"HTTP/1.1 4"), status_line
