"""Over the websocket (graphql-transport-ws), errors carry the same ``extensions.code`` as over
HTTP, and the protocol's own closes (4409 for a duplicate id) leave no traceback in the log.
Against the served process."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from services.supervisor import ServerProcess
from tests.graphql.recorded import recorded_after
from tests.servers import HOST

WAIT = 10  # seconds: bounds a hang only
GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
STATION = "ZWE1"
REPLAYED = 2000


@contextlib.contextmanager
def websocket(server: ServerProcess) -> Iterator[ClientConnection]:
    with connect(f"ws://{HOST}:{server.port}/graphql", subprotocols=[GRAPHQL_TRANSPORT_WS],
                 open_timeout=WAIT) as ws:
        ws.send(json.dumps({"type": "connection_init"}))
        assert receive(ws)["type"] == "connection_ack"
        yield ws


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
    return message


def run(ws: ClientConnection, operation: str, query: str,
        variables: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The errors of one operation, from its ``next`` or its ``error`` message."""
    ws.send(json.dumps({"id": operation, "type": "subscribe",
                        "payload": {"query": query, "variables": variables or {}}}))
    message = receive(ws)
    assert message["id"] == operation
    if message["type"] == "error":
        errors: list[dict[str, Any]] = message["payload"]
        return errors
    assert message["type"] == "next" and receive(ws)["type"] == "complete"
    errors = message["payload"]["errors"]
    return errors


def test_query_and_mutation_errors_carry_their_codes(graphql_server: ServerProcess) -> None:
    with websocket(graphql_server) as ws:
        missing = run(ws, "1", "{ station(id: \"KZZZ\") { id } }")
        assert missing[0]["extensions"] == {"code": "NOT_FOUND", "resourceType": "station",
                                            "resourceName": "KZZZ"}
        anonymous = run(ws, "2", "mutation { deleteStation(id: \"KJFK\") { id } }")
        assert anonymous[0]["extensions"]["code"] == "UNAUTHENTICATED"
        too_big = run(ws, "3", "query($f: Int) { stations(first: $f) { edges { cursor } } }",
                      {"f": 501})
        assert too_big[0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert too_big[0]["extensions"]["violations"][0]["field"] == "page_size"
        unknown = run(ws, "4", "{ station(id: \"KJFK\") { colour } }")
        assert unknown[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        unnamed = run(ws, "5", "query A { changeSequence } query B { __typename }")
        assert unnamed[0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.fixture
def replayable(graphql_server: ServerProcess) -> int:
    """A station with :data:`REPLAYED` observations recorded after the sequence returned: a
    subscription from it has that many events to send at once."""
    return recorded_after(graphql_server.port, STATION, "Replay", [
        {"temperature": 1.0, "observedAt": f"2022-{1 + n // 672:02d}-{1 + n // 24 % 28:02d}"
                                           f"T{n % 24:02d}:00:00+00:00"}
        for n in range(REPLAYED)])


@pytest.mark.usefixtures("quiet_log")
def test_a_duplicate_subscription_id_closes_4409_quietly(graphql_server: ServerProcess,
                                                         replayable: int) -> None:
    subscribe = json.dumps({"id": "a", "type": "subscribe", "payload": {
        "query": "subscription($ids: [String!]!, $after: Int) { observationRecorded("
                 "stationIds: $ids, afterSequence: $after) { sequence } }",
        "variables": {"ids": [STATION], "after": replayable}}})
    for _ in range(3):  # the first one is still sending its replay when the second arrives
        with websocket(graphql_server) as ws:
            ws.send(subscribe)
            assert receive(ws)["type"] == "next"
            ws.send(subscribe)
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(REPLAYED + 1):
                    receive(ws)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4409
