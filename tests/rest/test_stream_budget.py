"""Live streams have a bounded budget, per server process and per client, so that they never
take every worker thread: a stream over the budget is refused at once (429 for the client's
share, 503 for the server's, both with Retry-After) and ordinary requests are still answered.

The server here has 8 threads, at most 4 streams, 2 per client. Clients are told apart by a
known API key, else by address (every request here comes from 127.0.0.1).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from clients.rest_client import RestClient
from services.core.errors import TooManyStreams
from services.supervisor import ServerProcess
from tests.rest.conftest import READER, WRITER, assert_problem
from tests.rest.test_live import STREAM, EventStream
from tests.servers import HOST, served

LIVE = "/stations/KJFK/observations/live"
FREED_WITHIN = 20.0  # seconds: the server notices a closed stream at its next heartbeat (2 s)


@pytest.fixture
def budgeted(seeded_db: Path, tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of each test's own, so no test waits for another's streams to be noticed
    closed."""
    env = {"FOURCAST_REST_THREADS": "8", "FOURCAST_MAX_STREAMS": "4",
           "FOURCAST_MAX_STREAMS_PER_CLIENT": "2"}
    with served("rest", seeded_db, tmp_path, env) as server:
        yield server


@pytest.fixture
def client(budgeted: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://{HOST}:{budgeted.port}", timeout=10) as http:
        yield http


def open_stream(stack: ExitStack, http: httpx.Client, headers: dict[str, str]) -> EventStream:
    response = stack.enter_context(http.stream("GET", LIVE, headers={**STREAM, **headers}))
    assert response.status_code == 200, response.read()
    stream = EventStream(response)
    stream.opened()  # the server has admitted it: the place is taken
    return stream


def refusal(http: httpx.Client, headers: dict[str, str]) -> httpx.Response:
    """The answer to a stream request that must not open (read at once, not waited for)."""
    with http.stream("GET", LIVE, headers={**STREAM, **headers}) as response:
        assert response.status_code != 200, "the stream opened"
        response.read()
        return response


def admitted(http: httpx.Client, headers: dict[str, str]) -> bool:
    """Whether a stream opens now (it is closed again at once if it does)."""
    with http.stream("GET", LIVE, headers={**STREAM, **headers}) as response:
        if response.status_code == 200:
            return True
        response.read()
        assert_problem(response, 503, "/problems/streams-full")
        return False


def test_streams_over_the_budget_are_refused_and_ordinary_requests_still_answer(
        client: httpx.Client) -> None:
    with ExitStack() as stack:
        for _ in range(2):
            open_stream(stack, client, {})
        mine = assert_problem(refusal(client, {}), 429, "/problems/too-many-streams")
        assert mine["code"] == "RESOURCE_EXHAUSTED"
        # an unknown key is no identity: it does not buy a share of its own
        invented = refusal(client, {"Authorization": "Bearer invented-key"})
        assert_problem(invented, 429, "/problems/too-many-streams")

        for _ in range(2):  # a known key is another client
            open_stream(stack, client, WRITER)
        full = refusal(client, READER)
        assert_problem(full, 503, "/problems/streams-full")
        assert int(full.headers["retry-after"]) >= 1

        assert client.get("/stations/KJFK").status_code == 200
        assert client.get("/problems/streams-full").json()["status"] == 503
        # a bad request is still judged as such, whatever the budget
        assert_problem(refusal(client, {"Last-Event-ID": "x"}), 400)


def test_a_closed_stream_gives_its_place_back(client: httpx.Client) -> None:
    with ExitStack() as stack:
        for _ in range(2):
            open_stream(stack, client, WRITER)
        with ExitStack() as first:
            open_stream(first, client, READER)
            open_stream(stack, client, READER)
            assert_problem(refusal(client, {}), 503)
        # the first reader stream is closed: its place comes back once the server notices
        deadline = time.monotonic() + FREED_WITHIN
        while not admitted(client, {}):
            assert time.monotonic() < deadline, "the place of a closed stream never came back"
            time.sleep(0.2)  # polling a condition, bounded by the deadline above


def test_the_rest_client_reports_a_refused_watch_as_too_many_streams(
        budgeted: ServerProcess) -> None:
    with RestClient.connect(HOST, budgeted.port) as client:
        watchers = [client.watch_observations(["KJFK"]) for _ in range(2)]
        with pytest.raises(TooManyStreams) as caught:
            client.watch_observations(["KJFK"])
        assert caught.value.per_client and caught.value.retry_after >= 1
        assert caught.value.code == "RESOURCE_EXHAUSTED"
        for watcher in watchers:
            watcher.close()


def test_behind_a_proxy_the_forwarded_address_is_the_client_and_otherwise_it_is_ignored(
        seeded_db: Path, tmp_path: Path) -> None:
    """With FOURCAST_PROXY_HOPS=1 (one nginx in front, as in deploy/nginx) each client the
    proxy names in X-Forwarded-For has a share of its own; without it the header is ignored,
    so a client cannot claim a fresh share by writing one."""
    env = {"FOURCAST_MAX_STREAMS": "4", "FOURCAST_MAX_STREAMS_PER_CLIENT": "1"}
    for hops, separate in (("1", True), ("0", False)):
        with served("rest", seeded_db, tmp_path, {**env, "FOURCAST_PROXY_HOPS": hops}
                    ) as server, httpx.Client(base_url=f"http://{HOST}:{server.port}",
                                              timeout=10) as http, ExitStack() as stack:
            open_stream(stack, http, {"X-Forwarded-For": "192.0.2.1"})
            if separate:
                open_stream(stack, http, {"X-Forwarded-For": "192.0.2.2"})
            else:
                refused = refusal(http, {"X-Forwarded-For": "192.0.2.2"})
                assert_problem(refused, 429, "/problems/too-many-streams")
            again = refusal(http, {"X-Forwarded-For": "192.0.2.1"})
            assert_problem(again, 429, "/problems/too-many-streams")


def test_a_head_of_the_stream_holds_no_place(client: httpx.Client) -> None:
    """HEAD answers the stream's headers and never reads its body: the place it was given is
    returned at once, though the body's iteration never started."""
    for _ in range(3):
        head = client.head(LIVE, headers=STREAM)
        assert head.status_code == 200 and head.content == b""
    with ExitStack() as stack:
        for _ in range(2):
            open_stream(stack, client, {})
