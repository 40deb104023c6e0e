"""CORS for the WSGI servers (REST and SOAP): one rule for which pages may call them.

A page from an allowed origin (:meth:`services.config.Settings.web_origins`, read once when
the application is built) may call the API from a browser; a page from any other origin gets
no CORS header at all, so its browser keeps the answer from it. The rule:

- a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) from an
  allowed origin is answered here, 204, with the methods the resource allows (or the API's),
  the request headers the API reads, and how long the browser may remember the answer. Any
  other ``OPTIONS`` (a plain one, or a preflight from another origin) reaches the application
  as before;
- every other answer to an allowed origin says ``Access-Control-Allow-Origin: <origin>``,
  exposes the response headers the page reads, and sends ``Timing-Allow-Origin: <origin>`` so
  the page can read byte counts from Resource Timing;
- every answer, whoever asked, says ``Vary: Origin``: a shared cache must not hand an answer
  made for no origin (or a refused one) to an allowed page, or the other way round (the Fetch
  standard's advice for an origin allow-list).

It is WSGI middleware rather than flask-cors because it serves Spyne as well as Flask, and
because it must sit outside REST's origin representation cache (``rest_api/cache.py``), which
keys on the negotiated media type and not on ``Origin``: headers added inside it would be kept
with the answer and sent to the next origin. Out here each answer gets the headers of the
request it answers, streams (Server-Sent Events) and 304s included, and the body passes
through untouched. (PyPI's WSGI package for it, wsgicors, was last released in 2017.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# The methods a resource allows, from the request (its path); empty when no resource is there.
MethodsOf = Callable[[dict[str, Any]], Sequence[str]]

# Every request header the four APIs read that a page may set (beyond the CORS-safelisted
# ones): the key, the body's type, conditional requests, resuming a live feed, SOAP's action.
REQUEST_HEADERS = ("Authorization", "Content-Type", "If-Match", "If-None-Match",
                   "Last-Event-ID", "SOAPAction", "Accept")
# Seconds a browser may reuse a preflight's answer (Chromium keeps it two hours at most).
MAX_AGE = 600


@functools.lru_cache(maxsize=64)
def _vary_with_origin(value: str) -> str:
    """A ``Vary`` value with ``Origin`` in it (remembered: an API sends a handful)."""
    tokens = {token.strip().lower() for token in value.split(",")}
    if "origin" in tokens or "*" in tokens:
        return value
    return f"{value}, Origin" if value.strip() else "Origin"


def _with_vary_origin(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with ``Origin`` merged into ``Vary`` (one field), as a new list: the list
    given may be one a cache inside keeps. (On every answer: kept cheap.)"""
    for index, (name, value) in enumerate(headers):
        if len(name) == 4 and name.lower() == "vary":
            merged = list(headers)
            merged[index] = (name, _vary_with_origin(value))
            return merged
    return [*headers, ("Vary", "Origin")]


class CorsMiddleware:
    """Wraps ``app`` with the rule above.

    ``methods`` are the API's methods, offered in a preflight for a path that ``methods_of``
    (the resource's own methods, when the application can tell) finds nothing at: the actual
    request then gets the application's own answer (a 404 the page can read).
    ``expose`` are the response headers beyond the CORS-safelisted ones the page may read.
    """

    def __init__(self, app: WsgiApp, origins: Iterable[str], *, methods: Sequence[str],
                 expose: Sequence[str] = (), methods_of: MethodsOf | None = None) -> None:
        self.app = app
        self.origins = frozenset(origins)
        self.methods = tuple(methods)
        self.methods_of = methods_of
        self._actual = [("Access-Control-Expose-Headers", ", ".join(expose))] if expose else []
        self._preflight = [("Access-Control-Allow-Headers", ", ".join(REQUEST_HEADERS)),
                           ("Access-Control-Max-Age", str(MAX_AGE)), ("Vary", "Origin")]

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        if origin is None or origin not in self.origins:
            def varied(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
                return start_response(status, _with_vary_origin(headers), *exc_info)

            return self.app(environ, varied)
        if (environ.get("REQUEST_METHOD") == "OPTIONS"
                and "HTTP_ACCESS_CONTROL_REQUEST_METHOD" in environ):
            return self._answer_preflight(origin, environ, start_response)
        added = [("Access-Control-Allow-Origin", origin), *self._actual,
                 ("Timing-Allow-Origin", origin)]

        def allowed(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            return start_response(status, _with_vary_origin(headers) + added, *exc_info)

        return self.app(environ, allowed)

    def _answer_preflight(self, origin: str, environ: dict[str, Any],
                          start_response: Callable[..., Any]) -> Iterable[bytes]:
        methods = self.methods_of(environ) if self.methods_of is not None else ()
        start_response("204 No Content", [
            ("Access-Control-Allow-Origin", origin),
            ("Access-Control-Allow-Methods", ", ".join(methods or self.methods)),
            *self._preflight])
        return []
