"""Budgets for long-lived connections: one rule for every protocol.

A live stream (Server-Sent Events, a GraphQL subscription, a gRPC server or bidi stream) or a
client-streaming import holds server resources for as long as the client keeps it open. Each
server gives such connections a bounded budget, with a smaller share per client, so that one
anonymous client cannot take every worker: when the budget is full the new stream is refused at
once with :class:`~services.core.errors.TooManyStreams`, and ordinary requests are still served.

A client (:func:`client_identity`) is its API key when it sends a known one (read-only keys
count), else the peer's address: an unknown key is no identity, or any client could take a
fresh share per invented key. The key itself is not kept, only a digest of it. The limits
come from the environment (``FOURCAST_MAX_STREAMS``,
``FOURCAST_MAX_STREAMS_PER_CLIENT``) or the adapter's defaults.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import Counter
from collections.abc import Mapping
from types import TracebackType

from services.core.auth import KeyChecker
from services.core.errors import TooManyStreams

MAX_STREAMS_ENV = "FOURCAST_MAX_STREAMS"
MAX_STREAMS_PER_CLIENT_ENV = "FOURCAST_MAX_STREAMS_PER_CLIENT"
# How many reverse proxies that set X-Forwarded-For stand in front of the servers (1 behind
# deploy/nginx); 0 by default, so that the header, which any client can send, is ignored.
PROXY_HOPS_ENV = "FOURCAST_PROXY_HOPS"


def proxy_hops(environ: Mapping[str, str] | None = None) -> int:
    env = os.environ if environ is None else environ
    return max(0, int(env.get(PROXY_HOPS_ENV) or 0))


def forwarded_address(peer: str | None, forwarded_for: str | None, hops: int) -> str | None:
    """The caller's address behind ``hops`` trusted proxies: X-Forwarded-For read from the
    right, as werkzeug's ProxyFix reads it (REST uses ProxyFix itself); the peer when there
    are no proxies or the header names fewer hops."""
    if hops <= 0 or not forwarded_for:
        return peer
    entries = [entry.strip() for entry in forwarded_for.split(",")]
    return entries[-hops] if len(entries) >= hops and entries[-hops] else peer


def client_identity(keys: KeyChecker, credential: str | None, address: str | None) -> str:
    """Who a caller is, for the per-client share of a budget (the same rule in every
    protocol): a digest of its API key when the key is known, else its address."""
    if credential and keys.is_known(credential):
        return "key:" + hashlib.sha256(credential.encode()).hexdigest()[:24]
    return "address:" + (address or "unknown")


class Lease:
    """One admitted stream; releasing it (``with`` or :meth:`release`) frees its place."""

    __slots__ = ("_budget", "_client", "_released")

    def __init__(self, budget: StreamBudget, client: str) -> None:
        self._budget = budget
        self._client = client
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._budget._release(self._client)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


class StreamBudget:
    """At most ``total`` open streams in this server process, ``per_client`` for one client.
    Thread-safe; never blocks (a full budget refuses, it does not queue)."""

    def __init__(self, total: int, per_client: int, *, kind: str = "live streams") -> None:
        if total < 1 or per_client < 1:
            raise ValueError("stream budgets are at least 1")
        self.total = total
        self.per_client = min(per_client, total)
        self.kind = kind
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()
        self._count = 0

    @classmethod
    def from_env(cls, total: int, per_client: int, *, kind: str = "live streams",
                 environ: Mapping[str, str] | None = None) -> StreamBudget:
        env = os.environ if environ is None else environ
        return cls(int(env.get(MAX_STREAMS_ENV) or total),
                   int(env.get(MAX_STREAMS_PER_CLIENT_ENV) or per_client), kind=kind)

    @property
    def in_use(self) -> int:
        with self._lock:
            return self._count

    def acquire(self, client: str | None) -> Lease:
        """Admit one stream for ``client``, or raise TooManyStreams (nothing is held then)."""
        who = client or "anonymous"
        with self._lock:
            if self._count >= self.total:
                raise TooManyStreams(
                    f"this server has {self.total} {self.kind} open, its limit; "
                    "retry later", per_client=False)
            if self._open[who] >= self.per_client:
                raise TooManyStreams(
                    f"this client has {self.per_client} {self.kind} open, its limit; "
                    "close one or retry later", per_client=True)
            self._open[who] += 1
            self._count += 1
        return Lease(self, who)

    def _release(self, client: str) -> None:
        with self._lock:
            self._count -= 1
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]
