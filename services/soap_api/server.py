"""The production SOAP server: granian (WSGI), one worker process, at ``/soap``.

granian was chosen by measurement (see ``docs/soap.md`` and ``fourcast bench``). It
imports the app through :func:`app_from_env`, a factory that reads the settings from the
environment the supervisor passes on, so the worker builds its own service and store
connection. granian stops gracefully on SIGTERM or SIGINT.
"""

from __future__ import annotations

import gc
import os
import urllib.error
import urllib.request
from typing import Any

from services.config import Settings, build_service
from services.soap_api import PATH

FACTORY = "services.soap_api.server:app_from_env"
# Threads running Spyne: the work is CPU-bound Python under the GIL, so a few threads keep the
# core busy while one waits on SQLite; more only add contention (measured: docs/soap.md).
BLOCKING_THREADS = 4
# Connections served at once (granian's own default for one worker): each open connection holds
# one of these slots, idle or not, so a small number let a few idle clients refuse everyone else.
BACKPRESSURE = 1024


def app_from_env() -> Any:
    """The WSGI app over the store and keys named by the environment (granian's factory)."""
    from services.soap_api.app import create_app

    settings = Settings.from_env()
    app = create_app(build_service(settings), cors_origins=settings.web_origins())
    # Spyne runs a full gc.collect() after a request once a second, and with several threads
    # often several in a row (each checks the last run's time before the first has recorded
    # it): walking everything built at startup, 75 ms each, it was a third of the server's
    # CPU under load (py-spy --gil). What exists now lives as long as the process: frozen,
    # the collector walks only what requests allocate. The ceiling shares the process.
    gc.freeze()
    return app


def serve(settings: Settings) -> None:
    """Run the SOAP server on ``settings.host:settings.port('soap')`` until SIGTERM/SIGINT."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    # The environment carries the settings to the worker (``app_from_env`` reads them).
    os.environ.update(settings.child_environment())
    Server(FACTORY, address=settings.host, port=settings.port("soap"),
           interface=Interfaces.WSGI, workers=1, blocking_threads=BLOCKING_THREADS,
           backpressure=BACKPRESSURE, factory=True,
           log_level=LogLevels.warning).serve()


def ready(host: str, port: int) -> bool:
    """Whether the server answers a WSDL request (one quick GET)."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}{PATH}?wsdl", timeout=2) as reply:
            return bool(reply.status == 200 and b"definitions" in reply.read(4096))
    except (OSError, urllib.error.URLError):
        return False


def describe(host: str, port: int) -> tuple[str, str]:
    """Where the WSDL is, and a one-line call of GetStation with curl."""
    envelope = ('<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>'
                '<GetStation xmlns="urn:fourcast:weather:v1"><stationId>KJFK</stationId>'
                '</GetStation></Body></Envelope>')
    return (f"http://{host}:{port}{PATH}?wsdl",
            f"curl -s -H 'Content-Type: text/xml' -d '{envelope}' http://{host}:{port}{PATH}")
