"""The Envoy configuration of the gRPC-Web proxy, built from the settings.

One listener on ``settings.host:settings.port("grpc-web")`` and one cluster, the gRPC server at
``settings.port("grpc")`` over HTTP/2 (h2c). Between them, three HTTP filters:

- ``grpc_web`` turns a gRPC-Web request (HTTP/1.1 or HTTP/2, binary or base64 text) into a
  gRPC one, and the answer back, its trailers as the body's last frame;
- ``cors`` answers a preflight from an allowed origin (``Settings.web_origins()``, matched
  exactly) and marks the answers to that origin; any other origin gets no CORS header;
- ``router`` forwards.

The routes admit what a gRPC-Web client sends (``POST`` of an ``application/grpc*`` body) and
answer anything else here in plain HTTP (403 to a refused preflight, 405 to another method,
415 to another body), so that no stray request reaches the gRPC server to be reset there and
come back as a confusing 503. Answers to an allowed origin carry ``Timing-Allow-Origin`` with
that origin, so the page can read their sizes from Resource Timing: a route per origin.

A server stream (a watch) lasts as long as its client wants: no route timeout, no stream idle
timeout, no maximum stream duration. A call's deadline is the client's ``grpc-timeout``, which
the gRPC server applies.

Envoy appends the caller's address to ``X-Forwarded-For`` (``use_remote_address``): the gRPC
server reads it only when ``FOURCAST_PROXY_HOPS`` says how many proxies to trust (see the
"gRPC-Web" section of ``docs/grpc.md``).
"""

from __future__ import annotations

import socket
from typing import Any

from services.config import Settings

CLUSTER = "grpc"
ALLOWED_METHODS = "POST, OPTIONS"
# What a gRPC-Web client sends beyond the CORS-safelisted headers, and what the page reads.
ALLOWED_HEADERS = "content-type, x-grpc-web, x-user-agent, grpc-timeout, authorization"
EXPOSED_HEADERS = "grpc-status, grpc-message, grpc-status-details-bin"
PREFLIGHT_MAX_AGE = 600  # seconds a browser may reuse a preflight's answer (as the others)
MAX_CONNECTIONS = 1024  # the gRPC server admits 512 live streams; a page holds a few each
EVERY_ADDRESS = "0.0.0.0"

_TYPES = "type.googleapis.com/envoy.extensions"
HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"


def listen_addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` names, as the runner's probe binds them (Envoy binds addresses,
    not names: ``localhost`` may be both 127.0.0.1 and ::1)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def upstream_address(host: str, port: int) -> str:
    """Where the gRPC server listening on ``host`` is reached from this machine."""
    if host == EVERY_ADDRESS:
        return "127.0.0.1"
    return str(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0])


def _socket(address: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": address, "port_value": port}}


def _text_response(status: int, text: str, headers: tuple[tuple[str, str], ...] = ()
                   ) -> dict[str, Any]:
    # no final newline: the grpc_web filter turns the text into the grpc-message of an answer
    # to a gRPC-Web request (a PUT of one, say), where it would show as %0A
    return {"direct_response": {"status": status, "body": {"inline_string": text}},
            "response_headers_to_add": [
                {"header": {"key": key, "value": value},
                 "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
                for key, value in (("content-type", "text/plain; charset=utf-8"), *headers)]}


def _header(name: str, **match: str) -> dict[str, Any]:
    return {"name": name, "string_match": match}


def routes(origins: tuple[str, ...]) -> list[dict[str, Any]]:
    """The routes in the order Envoy tries them (the first match wins).

    A preflight from an allowed origin must find a route that forwards: the CORS filter reads
    its policy from such a route only (not from a direct answer), and answers the preflight
    itself, so it never reaches the gRPC server.
    """
    grpc = [_header(":method", exact="POST"), _header("content-type", prefix="application/grpc")]
    preflight = [_header(":method", exact="OPTIONS"),
                 {"name": "access-control-request-method", "present_match": True}]
    forward = {"cluster": CLUSTER, "timeout": "0s"}
    found: list[dict[str, Any]] = []
    for origin in origins:
        from_origin = _header("origin", exact=origin)
        found.append({"match": {"prefix": "/", "headers": [*preflight, from_origin]},
                      "route": forward})
        found.append({"match": {"prefix": "/", "headers": [*grpc, from_origin]},
                      "route": forward,
                      "response_headers_to_add": [
                          {"header": {"key": "timing-allow-origin", "value": origin}}]})
    found.append({"match": {"prefix": "/", "headers": grpc}, "route": forward})
    found.append({"match": {"prefix": "/", "headers": [_header(":method", exact="OPTIONS")]},
                  **_text_response(403, "OPTIONS answers only CORS preflights from the "
                                        "origins this server allows (FOURCAST_CORS_ORIGINS, "
                                        "else the web app's)")})
    found.append({"match": {"prefix": "/", "headers": [_header(":method", exact="POST")]},
                  **_text_response(415, "gRPC-Web takes application/grpc-web+proto or "
                                        "application/grpc-web-text bodies")})
    found.append({"match": {"prefix": "/"},
                  **_text_response(405, "gRPC-Web calls are POST requests",
                                   (("allow", ALLOWED_METHODS),))})
    return found


def cors_policy(origins: tuple[str, ...]) -> dict[str, Any]:
    return {"@type": f"{_TYPES}.filters.http.cors.v3.CorsPolicy",
            "allow_origin_string_match": [{"exact": origin} for origin in origins],
            "allow_methods": ALLOWED_METHODS,
            "allow_headers": ALLOWED_HEADERS,
            "expose_headers": EXPOSED_HEADERS,
            "max_age": str(PREFLIGHT_MAX_AGE)}


def _connection_manager(origins: tuple[str, ...]) -> dict[str, Any]:
    return {
        "@type": f"{_TYPES}.filters.network.http_connection_manager.v3.HttpConnectionManager",
        "stat_prefix": "grpc_web",
        "codec_type": "AUTO",  # browsers speak HTTP/1.1 to a plain-http origin; curl may h2c
        "use_remote_address": True,
        "stream_idle_timeout": "0s",  # a watch may wait hours for its next observation
        "request_headers_timeout": "10s",  # but a client must finish its headers
        "route_config": {"name": "grpc_web", "virtual_hosts": [{
            "name": "grpc_web", "domains": ["*"], "routes": routes(origins),
            "typed_per_filter_config": {"envoy.filters.http.cors": cors_policy(origins)}}]},
        "http_filters": [
            {"name": "envoy.filters.http.grpc_web",
             "typed_config": {"@type": f"{_TYPES}.filters.http.grpc_web.v3.GrpcWeb"}},
            {"name": "envoy.filters.http.cors",
             "typed_config": {"@type": f"{_TYPES}.filters.http.cors.v3.Cors"}},
            {"name": "envoy.filters.http.router",
             "typed_config": {"@type": f"{_TYPES}.filters.http.router.v3.Router",
                              "suppress_envoy_headers": True}}],
    }


def _listener(settings: Settings) -> dict[str, Any]:
    port = settings.port("grpc-web")
    first, *more = listen_addresses(settings.host, port)
    listener: dict[str, Any] = {
        "name": "grpc_web",
        "address": _socket(first, port),
        "enable_reuse_port": False,  # a port already served must fail, not be shared
        "filter_chains": [{"filters": [{
            "name": "envoy.filters.network.http_connection_manager",
            "typed_config": _connection_manager(settings.web_origins())}]}]}
    if more:
        listener["additional_addresses"] = [{"address": _socket(a, port)} for a in more]
    return listener


def _cluster(settings: Settings) -> dict[str, Any]:
    port = settings.port("grpc")
    return {
        "name": CLUSTER,
        "type": "STATIC",
        "connect_timeout": "2s",
        "typed_extension_protocol_options": {HTTP_OPTIONS: {
            "@type": f"{_TYPES}.upstreams.http.v3.HttpProtocolOptions",
            "explicit_http_config": {"http2_protocol_options": {}}}},  # gRPC is HTTP/2
        "load_assignment": {"cluster_name": CLUSTER, "endpoints": [{"lb_endpoints": [{
            "endpoint": {"address": _socket(upstream_address(settings.host, port), port)}}]}]},
    }


def envoy_config(settings: Settings) -> dict[str, Any]:
    """The bootstrap: the listener, the cluster, no admin interface (nothing to reach it by),
    and a bound on open connections."""
    return {
        "static_resources": {"listeners": [_listener(settings)],
                             "clusters": [_cluster(settings)]},
        "overload_manager": {"resource_monitors": [{
            "name": "envoy.resource_monitors.global_downstream_max_connections",
            "typed_config": {
                "@type": f"{_TYPES}.resource_monitors.downstream_connections.v3."
                         "DownstreamConnectionsConfig",
                "max_active_downstream_connections": MAX_CONNECTIONS}}]},
    }
