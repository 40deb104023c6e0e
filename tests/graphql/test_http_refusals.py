"""Requests HTTP cannot serve are request errors (4xx, a JSON GraphQL error body), never a 500
or a traceback in the server's log: a subscription sent over HTTP, a body that is not valid
HTTP/1.1, a client that leaves mid-body, a document whose operation is ambiguous."""

from __future__ import annotations

import socket

import httpx
import pytest

from services.graphql_api.media import GRAPHQL_RESPONSE
from services.supervisor import ServerProcess
from tests.graphql.conftest import codes
from tests.servers import HOST

SUBSCRIPTION = "subscription { observationRecorded(stationIds: [\"KJFK\"]) { sequence } }"
WAIT = 10  # seconds: bounds a hang only


def _raw(port: int, request: bytes) -> bytes:
    """Send ``request`` as is and read the answer until the server closes or it is whole."""
    with socket.create_connection((HOST, port), timeout=WAIT) as raw:
        raw.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = raw.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


@pytest.mark.usefixtures("quiet_log")
def test_a_subscription_over_http_is_a_400_pointing_to_websockets(http: httpx.Client) -> None:
    for accept in (GRAPHQL_RESPONSE, "application/json", "multipart/mixed",
                   "text/event-stream"):
        response = http.post("/graphql", json={"query": SUBSCRIPTION},
                             headers={"Accept": accept})
        assert response.status_code == 400, accept
        assert codes(response) == ["BAD_REQUEST"] and "data" not in response.json()
        assert "graphql-transport-ws" in response.json()["errors"][0]["message"]
    over_get = http.get("/graphql", params={"query": SUBSCRIPTION})
    assert over_get.status_code == 400 and codes(over_get) == ["BAD_REQUEST"]
    # a query and a mutation are still served as before
    assert http.get("/graphql", params={"query": "{ changeSequence }"}).status_code == 200
    assert http.get("/graphql", params={"query": "mutation { deleteStation(id: \"KJFK\") "
                                                 "{ id } }"}).status_code == 405


@pytest.mark.usefixtures("quiet_log")
def test_a_malformed_chunked_body_is_a_json_400(graphql_server: ServerProcess) -> None:
    answer = _raw(graphql_server.port, b"POST /graphql HTTP/1.1\r\nHost: fourcast\r\n"
                  b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                  b"zz\r\n{}\r\n0\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer
    assert b"content-type: application/json" in head.lower()
    assert b'"code":"BAD_REQUEST"' in body.replace(b" ", b"")


@pytest.mark.usefixtures("quiet_log")
def test_a_client_that_leaves_mid_body_leaves_no_trace(graphql_server: ServerProcess) -> None:
    for framing in (b"Content-Length: 100\r\n\r\n{\"query", b"Transfer-Encoding: chunked"
                    b"\r\n\r\n20\r\n{\"query"):
        with socket.create_connection((HOST, graphql_server.port), timeout=WAIT) as raw:
            raw.sendall(b"POST /graphql HTTP/1.1\r\nHost: fourcast\r\n"
                        b"Content-Type: application/json\r\n" + framing)


def test_several_operations_without_an_operation_name_are_a_request_error(
        http: httpx.Client) -> None:
    document = "query First { changeSequence } query Second { __typename }"
    unnamed = http.post("/graphql", json={"query": document},
                        headers={"Accept": GRAPHQL_RESPONSE})
    assert unnamed.status_code == 400 and "data" not in unnamed.json()
    assert codes(unnamed) == ["BAD_REQUEST"]
    assert "operationName" in unnamed.json()["errors"][0]["message"]
    named = http.post("/graphql", json={"query": document, "operationName": "Second"},
                      headers={"Accept": GRAPHQL_RESPONSE})
    assert named.status_code == 200 and named.json() == {"data": {"__typename": "Query"}}
    unknown = http.post("/graphql", json={"query": document, "operationName": "Third"},
                        headers={"Accept": GRAPHQL_RESPONSE})
    assert unknown.status_code == 400 and codes(unknown) == ["BAD_REQUEST"]
