"""What one gRPC server admits of long-lived calls, so that none of them starves the rest.

A live stream (``WatchObservations``, ``SubscribeObservations``, ``StreamObservations``) and a
client-streaming ``ImportObservations`` last as long as the client keeps them open. Each kind
has a :class:`~services.core.budget.StreamBudget` (the core's one rule for every protocol): at
most so many per server and per client, the next refused at once with ``TooManyStreams``
(``RESOURCE_EXHAUSTED`` with ``QuotaFailure`` and ``RetryInfo``). Unary calls have no budget and
stay served: none of these calls holds a worker thread while it waits for its client (see
:mod:`services.grpc_api.streams`), and the store work they do queue is bounded here.

A client is its API key when it sent one, else its address (the peer without its port: every
connection of one host is one client).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc

from services.core.auth import KeyChecker
from services.core.budget import StreamBudget, client_identity, forwarded_address, proxy_hops

R = TypeVar("R")

LIVE_STREAMS = 512  # a watch is a coroutine, not a thread
LIVE_STREAMS_PER_CLIENT = 32
IMPORTS = 8  # an import buffers up to MAX_IMPORT_BYTES before the core writes it
IMPORTS_PER_CLIENT = 2
IMPORTS_ENV = "FOURCAST_MAX_IMPORTS"
IMPORTS_PER_CLIENT_ENV = "FOURCAST_MAX_IMPORTS_PER_CLIENT"
# An import's stream is read whole before the core validates it (so no thread waits on the
# client); this bounds its memory. 50,000 observations take ~4 MiB of protobuf.
MAX_IMPORT_BYTES = 32 * 1024 * 1024
# Store reads that streams ask for (a bidi subscribing a new station) run in the default
# thread pool, which the unary calls need: at most this many at once, the rest wait on the loop.
STREAM_STORE_CALLS = 2


def client_of(context: grpc.aio.ServicerContext, credential: str | None,
              keys: KeyChecker, hops: int = 0) -> str:
    """Who a call counts against (the core's rule: a known API key, else its peer address,
    here without the port, behind ``hops`` trusted proxies: nginx's grpc_set_header)."""
    peer = context.peer() or "unknown"
    kind, _, address = peer.partition(":")
    if kind in ("ipv4", "ipv6"):
        address = address.rpartition(":")[0] or address
    forwarded = next((str(value) for key, value in (context.invocation_metadata() or ())
                      if key == "x-forwarded-for"), None)
    return client_identity(keys, credential,
                           forwarded_address(f"{kind}:{address}", forwarded, hops))


def _imports_budget(environ: Mapping[str, str]) -> StreamBudget:
    return StreamBudget(int(environ.get(IMPORTS_ENV) or IMPORTS),
                        int(environ.get(IMPORTS_PER_CLIENT_ENV) or IMPORTS_PER_CLIENT),
                        kind="imports")


@dataclass
class Budgets:
    """The server's budgets; ``FOURCAST_MAX_STREAMS[_PER_CLIENT]`` set the live-stream one
    (as in every protocol), ``FOURCAST_MAX_IMPORTS[_PER_CLIENT]`` the import one."""

    live: StreamBudget = field(default_factory=lambda: StreamBudget.from_env(
        LIVE_STREAMS, LIVE_STREAMS_PER_CLIENT, kind="live streams"))
    imports: StreamBudget = field(default_factory=lambda: _imports_budget(os.environ))
    proxy_hops: int = field(default_factory=proxy_hops)
    _store_calls: asyncio.Semaphore | None = None

    async def store_call(self, fn: Callable[..., R], /, *args: Any) -> R:
        """``fn(*args)`` in the default thread pool, at most STREAM_STORE_CALLS at once."""
        if self._store_calls is None:  # made lazily: it belongs to the server's event loop
            self._store_calls = asyncio.Semaphore(STREAM_STORE_CALLS)
        async with self._store_calls:
            return await asyncio.to_thread(fn, *args)
