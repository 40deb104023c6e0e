"""The live-stream budget of a REST server process, and the response body that holds a place.

An open Server-Sent Events stream holds one of granian's blocking threads for as long as the
client keeps it open, so live streams get a bounded share of the threads (the core's
:class:`~services.core.budget.StreamBudget`): at most ``MAX_STREAMS`` per process and
``MAX_STREAMS_PER_CLIENT`` per client. The rest of the threads stay for ordinary requests.
A stream over the budget is refused before it opens (``TooManyStreams``: 503 or 429 with
``Retry-After``, mapped in ``problems``), and a closed stream gives its place back.

A client is the core's :func:`~services.core.budget.client_identity`: its API key when it
sends a known one, else its address (behind a proxy, see ``FOURCAST_PROXY_HOPS``).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask, current_app, request

from services.core.budget import Lease, StreamBudget, client_identity
from services.core.watch import ObservationWatch
from services.rest_api.context import service
from services.rest_api.representation import credential

BUDGET_KEY = "fourcast.stream_budget"
# Half of granian's default 64 blocking threads (server.BLOCKING_THREADS); the server process
# sizes it from its thread count (wsgi.application).
DEFAULT_MAX_STREAMS = 32
DEFAULT_MAX_STREAMS_PER_CLIENT = 8


def install(app: Flask) -> None:
    """Give ``app`` its budget: the config's limits, unless the environment names others
    (``FOURCAST_MAX_STREAMS``, ``FOURCAST_MAX_STREAMS_PER_CLIENT``)."""
    app.extensions[BUDGET_KEY] = StreamBudget.from_env(
        app.config["MAX_STREAMS"], app.config["MAX_STREAMS_PER_CLIENT"],
        kind="live streams")


def budget() -> StreamBudget:
    found: StreamBudget = current_app.extensions[BUDGET_KEY]
    return found


def stream_client() -> str:
    """Who is asking, for the per-client share (the core's rule: a known key, else the
    peer address)."""
    return client_identity(service().keys, credential(), request.remote_addr)


class LiveBody:
    """A stream's response body: when the server closes it (the client went away, the
    server stops, or a HEAD never reads it) the watch ends and the budget gets its place
    back, whether or not iteration ever started (a generator's ``finally`` would not run if
    it had not)."""

    def __init__(self, chunks: Iterator[bytes], watch: ObservationWatch, lease: Lease) -> None:
        self._chunks = chunks
        self._watch = watch
        self._lease = lease

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        try:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
        finally:
            self._watch.close()
            self._lease.release()
