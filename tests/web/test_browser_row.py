"""The README row "called from a browser page", measured in Chromium against the six servers."""

from __future__ import annotations

from typing import Any

import pytest

from services.evidence.capabilities.browser import BROWSER, measure_from_page
from services.evidence.capabilities.common import Capability
from services.evidence.targets import PageServers, Target
from services.protocols import PROTOCOLS
from services.supervisor import ServerProcess


@pytest.fixture(scope="module")
def row(chromium: Any, web_stack: dict[str, ServerProcess],
        web_url: str) -> dict[str, Capability]:  # no Chromium: skipped before any server starts
    targets = [Target(p, web_stack[p].settings.host, web_stack[p].port) for p in PROTOCOLS]
    page = PageServers(web_url, f"http://{web_stack['grpc-web'].address}")
    return measure_from_page(targets, page, chromium)


def test_rest_is_read_with_fetch_across_origins(row: dict[str, Capability]) -> None:
    rest = row["rest"]
    assert (rest.name, rest.passed, rest.summary) == (BROWSER, True, "yes: fetch (CORS)"), (
        rest.evidence)
    assert rest.evidence[0].startswith("fetch GET ") and "→ 200" in rest.evidence[0]


def test_graphql_takes_a_fetched_query_and_a_graphql_transport_ws_websocket(
        row: dict[str, Capability]) -> None:
    graphql = row["graphql"]
    assert (graphql.passed, graphql.summary) == (True, "yes: fetch + WebSocket"), (
        graphql.evidence)
    assert "connection_ack (subprotocol 'graphql-transport-ws')" in graphql.evidence[1]


def test_soap_takes_an_envelope_posted_by_fetch(row: dict[str, Capability]) -> None:
    soap = row["soap"]
    assert (soap.passed, soap.summary) == (True, "yes: fetch POST of the envelope"), (
        soap.evidence)


def test_grpc_fails_from_a_page_and_works_only_through_grpc_web(
        row: dict[str, Capability]) -> None:
    grpc = row["grpc"]
    assert (grpc.passed, grpc.summary) == (False, "no: only via gRPC-Web (Envoy)"), (
        grpc.evidence)
    direct, proxied = grpc.evidence
    # what the browser said about the direct call is kept (fetch's TypeError, the net:: error)
    assert "TypeError" in direct and "net::" in direct, direct
    assert "→ 200" in proxied


def test_each_cell_is_the_same_on_a_second_run(
        row: dict[str, Capability], chromium: Any, web_stack: dict[str, ServerProcess],
        web_url: str) -> None:
    targets = [Target(p, web_stack[p].settings.host, web_stack[p].port) for p in PROTOCOLS]
    again = measure_from_page(targets, PageServers(web_url,
                                                   f"http://{web_stack['grpc-web'].address}"),
                              chromium)
    assert {p: c.cell for p, c in again.items()} == {p: c.cell for p, c in row.items()}
