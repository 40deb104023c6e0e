"""The production GraphQL server (``fourcast serve graphql``): Strawberry on Granian.

Granian was chosen by measurement over uvicorn (a benchmark script of the time; figures in
``docs/graphql.md``): both serve ASGI websockets for subscriptions, Granian answered more
requests per second on the same application. Granian runs the application in a worker process
(``workers=1``: one process, as the issue's measurement); its main process turns SIGTERM or
SIGINT into a graceful stop of the worker, whose open subscriptions are cancelled, which ends
their watches.
"""

from __future__ import annotations

import httpx
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server
from starlette.types import ASGIApp

from services.config import Settings, build_service
from services.graphql_api.app import PATH
from services.graphql_api.routes import create_app

READY_QUERY = "{__typename}"


def app_from_env() -> ASGIApp:
    """The application over the store and keys named by the environment, for pages of the
    web app's origins (the worker's factory: Granian imports it in the worker process, which
    inherits the settings)."""
    settings = Settings.from_env()
    return create_app(build_service(settings), origins=settings.web_origins())


def serve(settings: Settings) -> None:
    """Serve on ``settings.host:settings.port('graphql')`` until SIGTERM or SIGINT."""
    Server(
        "services.graphql_api.server:app_from_env", factory=True,
        address=settings.host, port=settings.port("graphql"),
        interface=Interfaces.ASGI, websockets=True, workers=1,
        log_level=LogLevels.warning, workers_kill_timeout=10,
    ).serve()


def ready(host: str, port: int) -> bool:
    """One real GraphQL query over GET: True when it is answered."""
    try:
        response = httpx.get(f"http://{host}:{port}{PATH}", params={"query": READY_QUERY},
                             timeout=1.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200 and response.json().get("data") is not None


def describe(host: str, port: int) -> tuple[str, str]:
    url = f"http://{host}:{port}{PATH}"
    example = (f"curl -s {url} -H 'Content-Type: application/json' "
               "-d '{\"query\":\"{ station(id: \\\"KJFK\\\") { name latestObservation "
               "{ observedAt temperature unitCodes { field unit } } } }\"}'")
    return f"{url} (introspection on; SDL in services/graphql_api/schema.graphql)", example
