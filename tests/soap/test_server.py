"""The production server process: answers at /soap only, describes itself, stops on SIGTERM."""

from __future__ import annotations

import socket
from contextlib import ExitStack
from pathlib import Path

import httpx

from services.soap_api import server
from services.supervisor import ServerProcess
from tests.servers import HOST, served
from tests.soap.conftest import still_answers


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
        assert process.stop() == 0  # exited by itself: not killed after the supervisor's grace
        assert not server.ready(HOST, process.port)


def test_idle_connections_beyond_the_thread_count_do_not_refuse_a_request(
        seeded_db: Path, tmp_path: Path) -> None:
    # each open connection held one of granian's request slots (backpressure, then 64): idle
    # connections that never send a byte kept every other client waiting
    idle = server.BLOCKING_THREADS + 96
    with served("soap", seeded_db, tmp_path) as process, ExitStack() as held, \
            httpx.Client(timeout=10) as http:
        for _ in range(idle):
            held.enter_context(socket.create_connection((HOST, process.port), timeout=10))
        still_answers(lambda document: http.post(
            f"http://{HOST}:{process.port}/soap", content=document,
            headers={"Content-Type": "text/xml; charset=utf-8"}))
