"""The origin's own representation cache: a GET answered from memory while nothing changed.

Every representation is a function of the request (path, query, ``Accept``) and of the store's
data, and the store's change sequence advances with every write by any process. So a 200 to a
GET, kept with the sequence read before it was rendered, can be sent again for the same request
as long as the sequence is unchanged: one indexed read instead of routing, parsing, the use
case, rendering and hashing. It is what an HTTP cache in front would do with the ETag, done at
the origin, and it is why the real "latest observation" call runs near a Flask hello-world
(``fourcast bench``: the ``rest+origin-cache`` row; figures in ``docs/rest.md``).

Only plain GETs are answered here. A conditional request (``If-None-Match`` …) or one that
resumes a live feed goes to the application, which decides 304 or 412 itself; so does anything
that is not a 200 with an ``ETag`` (errors, streams, 304s). A request whose ``Cache-Control``
says ``no-cache`` or ``no-store`` (a browser's hard reload; ``fourcast bench`` measuring the
renderer) is rendered afresh by the application, and its answer is not kept either: the cache
is neither read nor written for it (RFC 9111 §5.2.1).

An answer is kept under its path, its query and what its ``Accept`` header negotiates
(:func:`~services.rest_api.representation.accept_variant`), never the raw header: clients
write ``Accept`` in countless ways that mean the same, and each would otherwise hold another
copy of the same bytes. Entries are bounded in number and in bytes (``max_bytes``, counting
each entry's body, headers and key) and dropped least recently used first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from services.rest_api.representation import Variant, accept_variant

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Key = tuple[str, str, Variant]

MAX_ENTRIES = 2048
MAX_BYTES = 32 * 1024 * 1024
MAX_BODY_BYTES = 256 * 1024
ENTRY_OVERHEAD = 512  # bytes an entry costs beyond its strings (objects, dict slot)
# Request headers that make a GET more than "the current representation, please".
BYPASS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH",
          "HTTP_IF_UNMODIFIED_SINCE", "HTTP_IF_RANGE", "HTTP_RANGE", "HTTP_LAST_EVENT_ID")
# Request Cache-Control directives that forbid answering from, or keeping in, a cache.
UNCACHED_DIRECTIVES = frozenset(("no-cache", "no-store"))


def forbids_cache(cache_control: str | None) -> bool:
    """Whether a request's ``Cache-Control`` asks for a fresh answer, not a stored one."""
    if not cache_control:
        return False
    return any(directive.split("=", 1)[0].strip().lower() in UNCACHED_DIRECTIVES
               for directive in cache_control.split(","))


@dataclass(frozen=True, slots=True)
class _Entry:
    sequence: int
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    size: int


class RepresentationCache:
    """WSGI middleware in front of ``app``; ``sequence`` reads the store's change sequence."""

    def __init__(self, app: WsgiApp, sequence: Callable[[], int],
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        self.app = app
        self.sequence = sequence
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        # the cache's own statistics: answers sent from memory, and answers kept
        self.hits = 0
        self.stores = 0

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    @property
    def bytes_held(self) -> int:
        """What the entries cost, as counted against ``max_bytes``."""
        with self._lock:
            return self._bytes

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD") != "GET"
                or forbids_cache(environ.get("HTTP_CACHE_CONTROL"))
                or any(h in environ for h in BYPASS)):
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
               accept_variant(environ.get("HTTP_ACCEPT")))
        sequence = self.sequence()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.sequence == sequence:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                entry = None
        if entry is not None:
            start_response(entry.status, list(entry.headers))
            return [entry.body]
        return self._render(key, sequence, environ, start_response)

    def _render(self, key: Key, sequence: int, environ: dict[str, Any],
                start_response: Callable[..., Any]) -> Iterable[bytes]:
        answered: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            answered[:] = [status, headers]
            return start_response(status, headers, *exc)

        body = self.app(environ, capture)
        if not answered or not self._storable(answered[0], answered[1]):
            return body  # a stream (a live feed) is passed through untouched
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if len(data) <= MAX_BODY_BYTES:
            self._store(key, _Entry(sequence, answered[0], list(answered[1]), data,
                                    _cost(key, answered[1], data)))
        return [data]

    def _store(self, key: Key, entry: _Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            replaced = self._entries.pop(key, None)
            if replaced is not None:
                self._bytes -= replaced.size
            self._entries[key] = entry
            self._bytes += entry.size
            self.stores += 1
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size

    @staticmethod
    def _storable(status: str, headers: list[tuple[str, str]]) -> bool:
        names = {name.lower(): value for name, value in headers}
        return (status.startswith("200") and "etag" in names
                and "no-store" not in names.get("cache-control", "")
                and not names.get("content-type", "").startswith("text/event-stream"))


def _cost(key: Key, headers: list[tuple[str, str]], body: bytes) -> int:
    return (ENTRY_OVERHEAD + len(key[0]) + len(key[1]) + len(body)
            + sum(len(name) + len(value) for name, value in headers))
