"""The application factory."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from services.core.ceiling import bench_endpoints_enabled
from services.core.service import WeatherService
from services.cors import CorsMiddleware
from services.rest_api import problems, streams
from services.rest_api.api import CONVERTERS
from services.rest_api.bodies import settle_body
from services.rest_api.cache import MAX_BYTES, RepresentationCache
from services.rest_api.ceiling import BenchDispatch, create_ceiling_app
from services.rest_api.context import SERVICE_KEY
from services.rest_api.docs import DocsDispatch, create_docs_app
from services.rest_api.openapi import build_document
from services.rest_api.routes import RESOURCES

DEFAULTS: dict[str, Any] = {
    # The largest body accepted (413 above it): room for a full import batch
    # (MAX_IMPORT observations of ~300 bytes of JSON each).
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    # Quiet seconds before an SSE stream sends a comment (see routes/live.py).
    "SSE_HEARTBEAT": 2.0,
    # Live streams open at once, per process and per client (see streams.py).
    "MAX_STREAMS": streams.DEFAULT_MAX_STREAMS,
    "MAX_STREAMS_PER_CLIENT": streams.DEFAULT_MAX_STREAMS_PER_CLIENT,
    # Answer a repeated GET from memory while the store is unchanged (see cache.py).
    "REPRESENTATION_CACHE": True,
    # ... within this many bytes (bodies, headers and keys) per process.
    "REPRESENTATION_CACHE_BYTES": MAX_BYTES,
    # Reverse proxies in front (deploy/nginx: 1) whose X-Forwarded-For names the client, for
    # the per-client stream share; 0: the peer is the client (a header could be forged).
    "PROXY_HOPS": 0,
    # Origins whose pages may call the API from a browser (CORS): Settings.web_origins(),
    # given by wsgi.py; none by default.
    "CORS_ORIGINS": (),
}


CACHE_KEY = "fourcast.representation_cache"
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
# What a page may read of an answer beyond the CORS-safelisted headers (services/cors.py).
EXPOSED_HEADERS = ("ETag", "Location", "Link", "Cache-Control", "Retry-After",
                   "Content-Location")


def ordered_methods(methods: Iterable[str]) -> list[str]:
    """``methods`` in one fixed order (Werkzeug keeps them in a set, whose order changes from
    one process to the next): the same resource always says the same thing."""
    found = set(methods)
    known = [m for m in METHOD_ORDER if m in found]
    return known + sorted(found - set(known))


def stable_allow(response: Response) -> Response:
    """``Allow`` in :func:`ordered_methods`' order."""
    if response.status_code != 405 and request.method != "OPTIONS":
        return response  # only those answers carry an Allow built by Werkzeug
    allow = response.headers.get("Allow")
    if allow:
        response.headers["Allow"] = ", ".join(
            ordered_methods(m.strip() for m in allow.split(",") if m.strip()))
    return response


def finish_response(response: Response) -> Response:
    """Every response's last step: one hook rather than two (Flask checks each hook for a
    coroutine on every request)."""
    return stable_allow(settle_body(response))


class RestFlask(Flask):
    def make_default_options_response(self) -> Response:
        """OPTIONS answers with ``Allow`` and nothing else: 204, not an empty text/html 200."""
        response = super().make_default_options_response()
        response.status_code = 204
        del response.headers["Content-Type"]
        return response


def create_app(service: WeatherService, config: Mapping[str, Any] | None = None) -> Flask:
    """A Flask application serving ``service`` (``config`` overrides ``DEFAULTS``)."""
    # no static folder: every route is an operation of the OpenAPI document
    app = RestFlask(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    # /stations/ is not /stations: no redirects (an HTML 308) for a trailing slash
    app.url_map.strict_slashes = False
    app.url_map.converters.update(CONVERTERS)
    app.extensions[SERVICE_KEY] = service
    streams.install(app)
    for resource in RESOURCES:
        resource.register(app)
    app.extensions["fourcast.openapi"] = build_document(RESOURCES)
    problems.register(app)
    app.after_request(finish_response)
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_HOPS"], x_proto=0, x_host=0, x_port=0,
            x_prefix=0)
    if app.config["REPRESENTATION_CACHE"]:
        cache = RepresentationCache(app.wsgi_app, service.current_sequence,
                                    max_bytes=app.config["REPRESENTATION_CACHE_BYTES"])
        app.extensions[CACHE_KEY] = cache
        app.wsgi_app = cache  # type: ignore[method-assign]
    docs = create_docs_app()
    docs.after_request(finish_response)
    app.wsgi_app = DocsDispatch(app.wsgi_app, docs)  # type: ignore[method-assign]
    if app.config["CORS_ORIGINS"]:  # outside the cache: each answer gets its own origin's
        app.wsgi_app = CorsMiddleware(  # type: ignore[method-assign]
            app.wsgi_app, app.config["CORS_ORIGINS"], methods=METHOD_ORDER,
            expose=EXPOSED_HEADERS, methods_of=_resource_methods(app))
    if bench_endpoints_enabled():  # outermost: the ceiling meets nothing of ours
        app.wsgi_app = BenchDispatch(  # type: ignore[method-assign]
            app.wsgi_app, create_ceiling_app())
    return app


def _resource_methods(app: Flask) -> Callable[[dict[str, Any]], Sequence[str]]:
    """The methods the resource at a request's path allows (none where no route matches), as
    a plain ``OPTIONS`` there would list them in ``Allow``."""
    def methods_of(environ: dict[str, Any]) -> Sequence[str]:
        return ordered_methods(app.url_map.bind_to_environ(environ).allowed_methods())

    return methods_of
