"""What the GraphQL server answers at each path, and ``create_app``.

- ``/graphql``: the GraphQL view (:mod:`.app`), over HTTP and websockets;
- ``/graphiql/...``: the files GraphiQL loads (:mod:`.graphiql`);
- ``/bench/...``: the bench endpoints, unless they are off (:mod:`.ceiling`);
- anything else: a JSON 404 (a websocket elsewhere is closed with 1008).

Every HTTP answer passes through CORS for the web app's origins (:mod:`.cors`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from services.core.budget import StreamBudget
from services.core.ceiling import bench_endpoints_enabled
from services.core.service import WeatherService
from services.graphql_api.app import PATH, VIEW_SETTINGS, FourcastGraphQL, error_response
from services.graphql_api.ceiling import BenchEndpoints
from services.graphql_api.cors import BrowserAccess
from services.graphql_api.graphiql import ASSETS_PATH, GraphiQLAssets


class PathRouter:
    """Serve the GraphQL app at :data:`PATH`, GraphiQL's files under :data:`ASSETS_PATH`,
    and over HTTP the bench endpoints (unless they are off); anything else is a JSON 404."""

    def __init__(self, app: FourcastGraphQL) -> None:
        self.app = app
        self.assets = GraphiQLAssets()
        self.bench = BenchEndpoints(**VIEW_SETTINGS) if bench_endpoints_enabled() else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        path = scope["path"].rstrip("/")
        http = scope["type"] == "http"
        bench = self.bench.route(path) if self.bench and http else None
        if path == PATH:
            await self.app(scope, receive, send)
        elif bench is not None:
            await bench(scope, receive, send)
        elif http and scope["path"].startswith(ASSETS_PATH):
            await self.assets(scope, receive, send)
        elif http:
            await error_response(404, f"not found: GraphQL is served at {PATH}")(
                scope, receive, send)
        else:
            await WebSocket(scope, receive, send).close(code=1008)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def create_app(service: WeatherService, streams: StreamBudget | None = None,
               origins: Sequence[str] = ()) -> ASGIApp:
    """The ASGI application serving ``service`` at ``/graphql`` (HTTP and websockets), its
    subscriptions within ``streams`` (by default from the environment, see
    :mod:`services.core.budget`), to browser pages of ``origins`` (CORS, websocket
    ``Origin``; by default none but its own, as for GraphiQL)."""
    return BrowserAccess(PathRouter(FourcastGraphQL(service, streams, origins)), origins)


__all__ = ["PathRouter", "create_app"]
