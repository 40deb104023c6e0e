"""A browser page may call the GraphQL server from the web app's origin and from no other: CORS
over HTTP (with Timing-Allow-Origin), the ``Origin`` check on the websocket handshake. Against
the served process."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin, Subprotocol

from services.config import CORS_ORIGINS_ENV
from services.supervisor import ServerProcess
from tests.graphql.recorded import recorded_after
from tests.servers import HOST, served

WAIT = 10  # seconds: bounds a hang only
STATION = "ZCR1"
FOREIGN = "http://elsewhere.example"
SUBSCRIBE = ("subscription($ids: [String!]!, $after: Int) { observationRecorded("
             "stationIds: $ids, afterSequence: $after) { sequence observation { stationId } } }")


def web_origins(server: ServerProcess) -> tuple[str, ...]:
    """The origins the served process allows, by the one rule (Settings.web_origins)."""
    return server.settings.web_origins({**os.environ, **server.env})


@pytest.fixture(scope="module")
def web_origin(graphql_server: ServerProcess) -> str:
    origins = web_origins(graphql_server)
    assert FOREIGN not in origins
    return origins[0]


def preflight(http: httpx.Client, origin: str) -> httpx.Response:
    return http.options("/graphql", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type"})


def listed(response: httpx.Response, name: str) -> set[str]:
    return {x.strip().lower() for x in response.headers.get(name, "").split(",") if x.strip()}


def test_a_preflight_from_the_web_app_is_allowed(http: httpx.Client, web_origin: str) -> None:
    response = preflight(http, web_origin)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == web_origin
    assert {"get", "post"} <= listed(response, "access-control-allow-methods")
    assert {"authorization", "content-type", "accept"} <= listed(
        response, "access-control-allow-headers")
    assert int(response.headers["access-control-max-age"]) > 0
    assert "origin" in listed(response, "vary")


def test_a_preflight_from_another_origin_is_not(http: httpx.Client) -> None:
    response = preflight(http, FOREIGN)
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_an_answer_to_the_web_app_may_be_read_and_timed(http: httpx.Client,
                                                         web_origin: str) -> None:
    response = http.post("/graphql", json={"query": "{ changeSequence }"},
                         headers={"Origin": web_origin})
    assert response.status_code == 200 and "changeSequence" in response.json()["data"]
    assert response.headers["access-control-allow-origin"] == web_origin
    assert response.headers["timing-allow-origin"] == web_origin
    assert "origin" in listed(response, "vary")


def test_an_error_answer_to_the_web_app_may_be_read_too(http: httpx.Client,
                                                        web_origin: str) -> None:
    response = http.post("/graphql", content=b"query=x", headers={
        "Origin": web_origin, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.headers["access-control-allow-origin"] == web_origin


def test_an_answer_to_another_origin_carries_no_permission(http: httpx.Client) -> None:
    response = http.post("/graphql", json={"query": "{ changeSequence }"},
                         headers={"Origin": FOREIGN})
    assert response.status_code == 200  # answered: the browser is the one that refuses it
    assert "access-control-allow-origin" not in response.headers
    assert "timing-allow-origin" not in response.headers
    assert "origin" in listed(response, "vary")


@pytest.fixture(scope="module")
def replayable(graphql_server: ServerProcess) -> int:
    """A sequence after which one observation of :data:`STATION` is recorded: a subscription
    from it gets that event at once."""
    return recorded_after(graphql_server.port, STATION, "CORS", [
        {"temperature": 1.5, "observedAt": "2021-06-01T12:00:00+00:00"}], timeout=WAIT)


@contextmanager
def websocket(server: ServerProcess, origin: str | None) -> Iterator[ClientConnection]:
    with connect(f"ws://{HOST}:{server.port}/graphql", open_timeout=WAIT,
                 subprotocols=[Subprotocol("graphql-transport-ws")],
                 origin=Origin(origin) if origin else None) as ws:
        yield ws


def first_event(ws: ClientConnection, after: int) -> dict[str, Any]:
    ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(ws.recv(timeout=WAIT))["type"] == "connection_ack"
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {
        "query": SUBSCRIBE, "variables": {"ids": [STATION], "after": after}}}))
    message: dict[str, Any] = json.loads(ws.recv(timeout=WAIT))
    assert message["type"] == "next", message
    event: dict[str, Any] = message["payload"]["data"]["observationRecorded"]
    return event


def test_a_websocket_from_another_origin_is_refused_before_the_upgrade(
        graphql_server: ServerProcess) -> None:
    with pytest.raises(InvalidStatus) as refused, websocket(graphql_server, FOREIGN):
        pass
    assert refused.value.response.status_code == 403


@pytest.mark.parametrize("whose", ["web app", "GraphQL server (GraphiQL)", "no Origin"])
def test_a_websocket_from_an_allowed_page_or_a_program_subscribes(
        graphql_server: ServerProcess, web_origin: str, replayable: int, whose: str) -> None:
    origin = {"web app": web_origin, "GraphQL server (GraphiQL)": f"http://{HOST}:"
              f"{graphql_server.port}", "no Origin": None}[whose]
    with websocket(graphql_server, origin) as ws:
        event = first_event(ws, replayable)
    assert event["sequence"] > replayable
    assert event["observation"]["stationId"] == STATION


@pytest.fixture(scope="module")
def configured_server(seeded_db: Path, server_logs: Path) -> Iterator[ServerProcess]:
    """A GraphQL server told to allow one other origin (FOURCAST_CORS_ORIGINS)."""
    with served("graphql", seeded_db, server_logs,
                extra_env={CORS_ORIGINS_ENV: "https://app.example.org"}) as server:
        yield server


def test_the_configured_origins_replace_the_web_apps(configured_server: ServerProcess) -> None:
    assert web_origins(configured_server) == ("https://app.example.org",)
    web_app = configured_server.settings.web_origins({})[0]  # what it allows when not told
    with httpx.Client(base_url=f"http://{HOST}:{configured_server.port}", timeout=WAIT) as http:
        allowed = preflight(http, "https://app.example.org")
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
        assert "access-control-allow-origin" not in preflight(http, web_app).headers
    with websocket(configured_server, "https://app.example.org"):
        pass
    with pytest.raises(InvalidStatus) as refused, websocket(configured_server, web_app):
        pass
    assert refused.value.response.status_code == 403
