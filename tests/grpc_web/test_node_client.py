"""A real third-party gRPC-Web client through the proxy: Connect's transport for Node
(``tests/node/grpc_web_client.mjs``), its messages built from the web app's descriptor set as
the page builds them, with no generated code."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from clients.grpc_client import GrpcClient
from services.core import Station
from tests.grpc_web.conftest import Stack
from tests.node_tools import NODE_DIR, node_binary, node_module
from tests.servers import API_KEY

ROOT = NODE_DIR.parents[1]
DESCRIPTOR_SET = ROOT / "services" / "web" / "static" / "proto" / "fourcast.binpb"
SCRIPT = NODE_DIR / "grpc_web_client.mjs"


def run_client(stack: Stack, *args: str) -> dict[str, Any]:
    node = node_binary()
    node_module("@connectrpc/connect-node")
    result = subprocess.run([node, str(SCRIPT), stack.url, str(DESCRIPTOR_SET), *args],
                            capture_output=True, text=True, timeout=60, cwd=NODE_DIR)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_connects_grpc_web_transport_gets_a_station(stack: Stack) -> None:
    answer = run_client(stack, "get-station", "KJFK")

    assert answer["result"]["name"] == "stations/KJFK"
    assert answer["result"]["displayName"] == "John F Kennedy Intl"
    assert answer["result"]["timeZone"] == "America/New_York"


def test_connect_reads_not_found_and_its_resource_info(stack: Stack) -> None:
    answer = run_client(stack, "get-station", "ZZZZ")

    assert answer["error"]["code"] == "NotFound"
    assert answer["error"]["message"] == "station 'ZZZZ' not found"
    details = {d["type"]: d["value"] for d in answer["error"]["details"]}
    assert details["google.rpc.ResourceInfo"] == {
        "resourceType": "station", "resourceName": "ZZZZ",
        "description": "station 'ZZZZ' not found"}
    assert details["google.rpc.ErrorInfo"]["reason"] == "NOT_FOUND"


@pytest.fixture
def station(grpc_client: GrpcClient) -> str:
    grpc_client.put_station(Station("ZGW2", "Connect watch", 1.0, 2.0, 3.0, "UTC"))
    return "ZGW2"


def test_connect_watches_and_writes_through_the_proxy(stack: Stack, station: str) -> None:
    answer = run_client(stack, "watch-and-put", station, API_KEY, "-3.5")

    result = answer["result"]
    assert result["watchHeader"] == "open"
    assert result["put"]["created"] is True
    assert result["event"]["observation"] == result["put"]["observation"]
    assert result["event"]["observation"]["temperature"] == -3.5
    assert int(result["event"]["sequence"]) > 0


def test_connect_reads_a_refused_write_as_unauthenticated(stack: Stack, station: str) -> None:
    answer = run_client(stack, "watch-and-put", station, "not-a-key", "1")

    assert answer["error"]["code"] == "Unauthenticated"
