"""Fixtures of the GraphQL tests: the served process, and plain HTTP to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.graphql_api.media import GRAPHQL_RESPONSE
from services.supervisor import ServerProcess
from tests.servers import HOST


@pytest.fixture(scope="session")
def graphql_server(serve: Callable[[str], ServerProcess]) -> ServerProcess:
    return serve("graphql")


@pytest.fixture
def http(graphql_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://{HOST}:{graphql_server.port}", timeout=10) as client:
        yield client


@pytest.fixture
def post(http: httpx.Client) -> Callable[..., httpx.Response]:
    """``post(query, variables=None, key=None, accept=...)``: one GraphQL request over POST,
    by default accepting only ``application/graphql-response+json`` (request errors are 4xx)."""

    def send(query: str, variables: dict[str, Any] | None = None,
             key: str | None = None, accept: str = GRAPHQL_RESPONSE) -> httpx.Response:
        headers = {"Accept": accept}
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return http.post("/graphql", json={"query": query, "variables": variables or {}},
                         headers=headers)

    return send


@pytest.fixture
def quiet_log(graphql_server: ServerProcess, server_logs: Path,
              http: httpx.Client) -> Iterator[None]:
    """The test leaves no traceback in the served process's log."""
    log = server_logs / f"graphql-{graphql_server.port}.log"
    before = log.stat().st_size
    yield
    # a request answered after the test's: the server is done with what the test sent
    assert http.get("/graphql", params={"query": "{ changeSequence }"}).status_code == 200
    with open(log, "rb") as written:
        written.seek(before)
        added = written.read().decode(errors="replace")
    assert "Traceback" not in added and "ERROR" not in added, added


def codes(response: httpx.Response) -> list[str]:
    return [e["extensions"]["code"] for e in response.json()["errors"]]
