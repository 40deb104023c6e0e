"""Push, field selection and a year of observations: what each server really did on the wire."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clients import connect
from services.evidence.capabilities import (
    FIELDS,
    PUSH,
    YEAR,
    ServerCapabilities,
    measure_all,
    measure_field_selection,
)
from services.evidence.decode import websocket_frames
from services.evidence.targets import Target


@pytest.fixture(scope="module")
def measured(targets: dict[str, Target]) -> dict[str, ServerCapabilities]:
    return {m.protocol: m for m in measure_all(list(targets.values()))}


def test_rest_graphql_and_grpc_push_a_new_observation_over_their_own_streams(
        measured: dict[str, ServerCapabilities]) -> None:
    carriers = {"rest": "`text/event-stream` (SSE) over HTTP/1.1",
                "graphql": "websocket `graphql-transport-ws`",
                "grpc": "HTTP/2 response stream (`application/grpc`)"}
    for protocol, carrier in carriers.items():
        push = measured[protocol].get(PUSH)
        assert push.passed is True, push.evidence
        assert push.summary == f"server push: {carrier}"
        assert any(line.startswith("carried by") for line in push.evidence)


def test_soap_has_no_push_and_sees_the_new_observation_by_polling(
        measured: dict[str, ServerCapabilities]) -> None:
    push = measured["soap"].get(PUSH)
    assert push.passed is False
    assert push.summary == "no push: polled with 2 request(s)"
    assert "1 poll(s) before the write (nothing new), 1 after it" in push.evidence


def test_the_station_made_for_the_push_measurement_is_gone_afterwards(
        targets: dict[str, Target], measured: dict[str, ServerCapabilities]) -> None:
    rest = targets["rest"]
    with connect("rest", rest.host, rest.port) as client:
        ids = [s.id for s in client.list_stations(page_size=500).items]
    assert ids and not [i for i in ids if i.startswith("Q")]


def test_only_graphql_answers_with_just_the_field_asked_for(
        measured: dict[str, ServerCapabilities]) -> None:
    passed = {p: m.get(FIELDS).passed for p, m in measured.items()}
    assert passed == {"rest": False, "graphql": True, "grpc": False, "soap": False}
    assert measured["graphql"].get(FIELDS).summary == \
        "`{ station { name } }` → only `name` came back"
    assert "`?fields=name` → 400" in measured["rest"].get(FIELDS).summary
    assert "has no `FieldMask`" in measured["grpc"].get(FIELDS).summary
    assert "takes only `stationId`" in measured["soap"].get(FIELDS).summary


def test_only_grpc_streams_a_year_of_observations_in_one_request(
        measured: dict[str, ServerCapabilities]) -> None:
    year = {p: m.get(YEAR) for p, m in measured.items()}
    assert {p: c.passed for p, c in year.items()} == \
        {"rest": False, "graphql": False, "grpc": True, "soap": False}
    assert year["grpc"].summary.startswith("one stream: 1 request, 8,706 messages")
    for protocol in ("rest", "graphql", "soap"):
        assert year[protocol].summary == \
            "paged: 18 requests for 8,706 observations (500 a page)"


STATION = {"id": "KJFK", "name": "John F Kennedy Intl", "latitude": 40.6}


class _HonoursFields(BaseHTTPRequestHandler):
    """A station resource that does honour ``?fields=``: what a REST server could do."""

    protocol_version = "HTTP/1.1"
    def do_GET(self) -> None:
        _, _, query = self.path.partition("?fields=")
        chosen = {k: v for k, v in STATION.items() if not query or k in query.split(",")}
        body = json.dumps(chosen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def honouring_fields() -> Iterator[Target]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _HonoursFields)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    target = Target("rest", "127.0.0.1", server.server_address[1])
    try:
        yield target
    finally:
        target.close()
        server.shutdown()
        server.server_close()


def test_the_field_selection_cell_flips_for_a_server_that_honours_fields(
        measured: dict[str, ServerCapabilities], honouring_fields: Target) -> None:
    honoured = measure_field_selection(honouring_fields)
    assert measured["rest"].get(FIELDS).passed is False
    assert honoured.passed is True
    assert honoured.summary == "`?fields=name` → only `name` came back"


def test_websocket_frames_are_read_whether_masked_or_not() -> None:
    mask = b"\x01\x02\x03\x04"
    text = b'{"type":"next"}'
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(text))
    data = (b"\x81" + bytes([len(text)]) + text
            + b"\x81" + bytes([0x80 | len(text)]) + mask + masked
            + b"\x82\x7e\x01")  # a frame cut short: not read
    assert websocket_frames(data) == [(1, text), (1, text)]
