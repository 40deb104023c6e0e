"""The production web app server (``fourcast serve web``): Starlette on Granian.

The same server as GraphQL's (see :mod:`services.graphql_api.server`): Granian runs the ASGI
application in one worker process; its main process turns SIGTERM or SIGINT into a graceful
stop. The page only reads files and its configuration here; the data it shows comes from the
four API servers, which it calls itself from the browser.
"""

from __future__ import annotations

import httpx
from granian.constants import Interfaces
from granian.log import LogLevels
from granian.server import Server

from services.config import Settings
from services.web.app import SecurityHeaders, create_app


def app_from_env() -> SecurityHeaders:
    """The application for the addresses named by the environment (the worker's factory:
    Granian imports it in the worker process, which inherits the settings)."""
    return create_app(Settings.from_env())


def serve(settings: Settings) -> None:
    """Serve on ``settings.host:settings.port('web')`` until SIGTERM or SIGINT."""
    Server(
        "services.web.server:app_from_env", factory=True,
        address=settings.host, port=settings.port("web"),
        interface=Interfaces.ASGI, websockets=False, workers=1,
        log_level=LogLevels.warning, workers_kill_timeout=10,
    ).serve()


def ready(host: str, port: int) -> bool:
    """One real request for the page's configuration: True when it is answered."""
    try:
        response = httpx.get(f"http://{host}:{port}/config.json", timeout=1.0)
    except httpx.HTTPError:
        return False
    try:
        return response.status_code == 200 and "rest" in response.json()
    except ValueError:
        return False


def describe(host: str, port: int) -> tuple[str, str]:
    url = f"http://{host}:{port}/"
    return (f"{url} (the page; the addresses it calls at {url}config.json)",
            f"curl -s {url}config.json")
