"""Subscriptions have a budget, per server process, per client and per websocket: past it a new
subscription gets RESOURCE_EXHAUSTED at once, the admitted ones keep their events, and queries
stay served. Against served processes, over plain graphql-transport-ws."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from services.graphql_api.subscription import MAX_SUBSCRIPTIONS_PER_CONNECTION
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST, served

SUBSCRIBE = """subscription($ids: [String!]!, $after: Int) {
  observationRecorded(stationIds: $ids, afterSequence: $after) { sequence } }"""
PUT_STATION = "mutation($s: StationInput!) { putStation(station: $s) { version } }"
PUT_OBSERVATION = "mutation($o: ObservationInput!) { putObservation(observation: $o) { version } }"
WAIT = 10  # seconds: bounds a hang only
GRAPHQL_TRANSPORT_WS = Subprotocol("graphql-transport-ws")
_hours = itertools.count()


class Server:
    """Plain HTTP and websockets to one served GraphQL process, writing to one station."""

    def __init__(self, server: ServerProcess, station_id: str) -> None:
        self.base = f"{HOST}:{server.port}/graphql"
        self.station_id = station_id
        self.http = httpx.Client(timeout=WAIT)
        self.post(PUT_STATION, {"s": {"id": station_id, "name": "Budget", "latitude": 1.0,
                                      "longitude": 2.0, "elevation": 3.0, "timezone": "UTC"}})

    def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(f"http://{self.base}", json={
            "query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {API_KEY}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return body

    def record(self) -> None:
        hour = next(_hours)
        self.post(PUT_OBSERVATION, {"o": {
            "stationId": self.station_id, "temperature": 1.0,
            "observedAt": f"2021-{1 + hour // 600:02d}-{1 + hour // 24 % 25:02d}"
                          f"T{hour % 24:02d}:00:00+00:00"}})

    def sequence(self) -> int:
        return int(self.post("{ changeSequence }")["data"]["changeSequence"])

    @contextlib.contextmanager
    def websocket(self, key: str | None = None) -> Iterator[ClientConnection]:
        headers = {"Authorization": f"Bearer {key}"} if key else None
        with connect(f"ws://{self.base}", subprotocols=[GRAPHQL_TRANSPORT_WS],
                     additional_headers=headers, open_timeout=WAIT) as ws:
            ws.send(json.dumps({"type": "connection_init"}))
            assert receive(ws)["type"] == "connection_ack"
            yield ws

    def subscribe(self, ws: ClientConnection, operation: str) -> None:
        ws.send(json.dumps({"id": operation, "type": "subscribe", "payload": {
            "query": SUBSCRIBE,
            "variables": {"ids": [self.station_id], "after": self.sequence()}}}))


def receive(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
    return message


def events(ws: ClientConnection, count: int) -> set[str]:
    """The operation ids of the next ``count`` messages, each of which must be an event."""
    ids = set()
    for _ in range(count):
        message = receive(ws)
        assert message["type"] == "next", message
        ids.add(message["id"])
    return ids


def refusal(ws: ClientConnection, operation: str) -> dict[str, Any]:
    message = receive(ws)
    assert message["id"] == operation, message
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    [error] = errors
    assert error["extensions"]["code"] == "RESOURCE_EXHAUSTED", error
    if message["type"] == "next":  # an error of a started subscription, which then completes
        assert receive(ws) == {"id": operation, "type": "complete"}
    return dict(error["extensions"])


@pytest.fixture
def budgeted(seeded_db: Path, tmp_path: Path) -> Iterator[Server]:
    env = {"FOURCAST_MAX_STREAMS": "3", "FOURCAST_MAX_STREAMS_PER_CLIENT": "2"}
    with served("graphql", seeded_db, tmp_path, extra_env=env) as server:
        client = Server(server, "ZB01")
        yield client
        client.http.close()


def test_subscriptions_are_refused_past_the_client_and_server_budgets(
        budgeted: Server) -> None:
    with budgeted.websocket() as anonymous, budgeted.websocket(API_KEY) as keyed:
        budgeted.subscribe(anonymous, "a1")
        budgeted.subscribe(anonymous, "a2")
        budgeted.record()
        assert events(anonymous, 2) == {"a1", "a2"}
        budgeted.subscribe(anonymous, "a3")  # this client's share (2) is taken
        assert refusal(anonymous, "a3")["perClient"] is True

        budgeted.subscribe(keyed, "k1")  # another client: the server's third and last
        budgeted.record()
        assert events(keyed, 1) == {"k1"} and events(anonymous, 2) == {"a1", "a2"}
        budgeted.subscribe(keyed, "k2")
        assert refusal(keyed, "k2")["perClient"] is False
        assert budgeted.sequence() > 0  # queries are still served

        anonymous.send(json.dumps({"id": "a1", "type": "complete"}))  # frees one place
        budgeted.record()  # delivered after the completion: a1 has ended by then
        assert events(anonymous, 1) == {"a2"} and events(keyed, 1) == {"k1"}
        budgeted.subscribe(keyed, "k3")
        budgeted.record()
        assert events(keyed, 2) == {"k1", "k3"} and events(anonymous, 1) == {"a2"}


def test_one_websocket_carries_a_bounded_number_of_subscriptions(
        serve: Any) -> None:
    server = Server(serve("graphql"), "ZB02")
    with contextlib.closing(server.http), server.websocket() as ws:
        for n in range(MAX_SUBSCRIPTIONS_PER_CONNECTION):
            server.subscribe(ws, f"s{n}")
        server.subscribe(ws, "over")
        assert refusal(ws, "over")["perClient"] is True
        server.record()
        expected = {f"s{n}" for n in range(MAX_SUBSCRIPTIONS_PER_CONNECTION)}
        assert events(ws, MAX_SUBSCRIPTIONS_PER_CONNECTION) == expected
        ws.send(json.dumps({"id": "s0", "type": "complete"}))
        server.subscribe(ws, "again")
        server.record()
        assert events(ws, MAX_SUBSCRIPTIONS_PER_CONNECTION) == expected - {"s0"} | {"again"}


def test_a_websocket_message_nested_too_deeply_closes_with_4400(serve: Any) -> None:
    server = Server(serve("graphql"), "ZB03")
    deep = "[" * 100_000 + "]" * 100_000
    with contextlib.closing(server.http):
        with server.websocket() as ws:
            ws.send('{"id": "1", "type": "subscribe", "payload": {"query": '
                    f'"{{ changeSequence }}", "variables": {{"v": {deep}}}}}}}')
            with pytest.raises(ConnectionClosedError) as closed:
                ws.recv(timeout=WAIT)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400
        assert server.sequence() > 0  # and the server still answers
