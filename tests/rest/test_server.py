"""The production server process: granian serving the Flask application; what ``fourcast
serve`` prints about it; and a clean stop on SIGTERM, even with a live stream open."""

from __future__ import annotations

from pathlib import Path

import httpx

from services.rest_api import server
from services.supervisor import ServerProcess
from tests.servers import HOST, served


def test_the_server_is_granian(http: httpx.Client) -> None:
    assert http.get("/").headers["server"] == "granian"


def test_ready_asks_the_entry_point_and_describe_names_the_openapi_document(
        rest_server: ServerProcess) -> None:
    assert server.ready(HOST, rest_server.port)
    contract, example = server.describe(HOST, rest_server.port)
    assert contract.startswith(f"http://{HOST}:{rest_server.port}/openapi.json")
    assert example.startswith("curl ") and "/stations/KJFK/observations/latest" in example


def test_sigterm_stops_the_server_promptly_even_with_a_live_stream_open(
        seeded_db: Path, tmp_path: Path) -> None:
    with served("rest", seeded_db, tmp_path) as process, \
            httpx.Client(base_url=f"http://{HOST}:{process.port}", timeout=10) as http, \
            http.stream("GET", "/stations/KJFK/observations/live",
                        headers={"Accept": "text/event-stream"}) as stream:
        assert next(stream.iter_lines()) == "retry: 1000"
        assert process.stop() == 0  # not killed after the supervisor's grace
    assert not server.ready(HOST, process.port)
    # the stream did not hold its worker until granian's kill timeout: it stopped gracefully
    log = (tmp_path / f"rest-{process.port}.log").read_text(errors="replace")
    assert "refused to gracefully stop" not in log, log
