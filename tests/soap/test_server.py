"""The production server process: answers at /soap only, describes itself, stops on SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from services.soap_api import server
from services.supervisor import ServerProcess
from tests.servers import HOST, served


def test_only_the_soap_path_is_served(endpoint: str) -> None:
    reply = httpx.get(endpoint.removesuffix("/soap") + "/elsewhere", timeout=10)
    assert reply.status_code == 404


def test_describe_names_the_wsdl_and_a_curl_call(soap_server: ServerProcess) -> None:
    contract, example = server.describe(HOST, soap_server.port)
    assert contract == f"http://{HOST}:{soap_server.port}/soap?wsdl"
    assert example.startswith("curl ") and "GetStation" in example


def test_sigterm_stops_the_server_cleanly(seeded_db: Path, tmp_path: Path) -> None:
    with served("soap", seeded_db, tmp_path) as process:
        assert server.ready(HOST, process.port)
        started = time.monotonic()
        assert process.stop() == 0
        assert time.monotonic() - started < 5
        assert not server.ready(HOST, process.port)
