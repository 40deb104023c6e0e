"""The addresses the page calls, from the settings: ``/config.json`` and the CSP's connect-src.

Both are built here from one table, so the page can reach exactly the servers its
configuration names and no other address.

When the servers listen on every address (``0.0.0.0``) the page cannot know from the settings
which name reaches them; ``hostFromPage`` tells it to put its own ``location.hostname`` in
place of the host, and the CSP names the host the browser used to reach the web app (the
request's ``Host``), so the two agree.
"""

from __future__ import annotations

from typing import Any

from services.config import Settings, host_problem

EVERY_ADDRESS = "0.0.0.0"


def page_config(settings: Settings) -> dict[str, Any]:
    """The JSON the page reads at ``/config.json``: every address it calls or links to."""
    host = settings.host
    rest = f"http://{host}:{settings.port('rest')}"
    graphql = f"{host}:{settings.port('graphql')}/graphql"
    soap = f"http://{host}:{settings.port('soap')}/soap"
    return {
        "rest": f"{rest}/",
        "openapi": f"{rest}/openapi.json",
        "restDocs": f"{rest}/docs",
        "graphql": f"http://{graphql}",
        "graphqlWs": f"ws://{graphql}",
        "graphiql": f"http://{graphql}",
        "soap": soap,
        "wsdl": f"{soap}?wsdl",
        "grpcWeb": f"http://{host}:{settings.port('grpc-web')}",
        "grpc": f"{host}:{settings.port('grpc')}",
        "hostFromPage": host == EVERY_ADDRESS,
    }


def connect_sources(settings: Settings, request_host: str | None) -> list[str]:
    """The CSP ``connect-src`` origins: the four APIs (the GraphQL websocket too) and the
    gRPC-Web proxy, never the gRPC port itself (a page cannot speak gRPC to it)."""
    host = settings.host
    if host == EVERY_ADDRESS:
        host = _page_host(request_host)
    origins = [f"http://{host}:{settings.port(name)}"
               for name in ("rest", "graphql", "soap", "grpc-web")]
    origins.insert(2, f"ws://{host}:{settings.port('graphql')}")
    return origins


def _page_host(request_host: str | None) -> str:
    """The host name the browser used to reach the web app, when it is a plain host name or
    IPv4 address (a header is not trusted into a policy otherwise); else any host (``*``),
    still only on the servers' ports."""
    name = (request_host or "").rsplit(":", 1)[0] if request_host else ""
    if name and host_problem(name) is None:
        return name
    return "*"
