"""``fourcast serve rest``: the Flask application on granian (WSGI).

granian was chosen by measurement (issue 3: ≈ 9,900 req/s for a Flask hello-world against
≈ 3,500 on waitress and ≈ 2,300 on gunicorn gthread; ``fourcast bench latest`` now measures
REST against its Flask ceiling on this server).
It streams a WSGI iterator chunk by chunk, which Server-Sent Events need, runs views in a pool
of blocking threads (one per open SSE stream), and stops on SIGTERM/SIGINT by itself.

granian imports the application in its worker process, so the worker builds the service from
the environment (``wsgi.application``), the way ``services.runner`` passes the settings on.
"""

from __future__ import annotations

import http.client
import logging
import os

from services.config import Settings

WORKER_TARGET = "services.rest_api.wsgi:application"
# Views block (SQLite reads, SSE streams): each open live stream holds one of these threads for
# as long as it is open, so there are many more than cores (FOURCAST_REST_THREADS overrides).
BLOCKING_THREADS = 64


def blocking_threads() -> int:
    return int(os.environ.get("FOURCAST_REST_THREADS") or BLOCKING_THREADS)


class _ChosenThreadCount(logging.Filter):
    """granian warns when a WSGI server has many more threads than cores; here that is the
    point (they wait on open SSE streams, not on the CPU), so the warning is only noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Python threads" not in record.getMessage()


def serve(settings: Settings) -> None:
    """Run granian in the foreground until SIGTERM or SIGINT."""
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    server = Server(
        WORKER_TARGET, address=settings.host, port=settings.port("rest"),
        interface=Interfaces.WSGI, factory=True, workers=1,
        blocking_threads=blocking_threads(),
        log_level=LogLevels.warning, workers_kill_timeout=5)
    logging.getLogger("_granian").addFilter(_ChosenThreadCount())
    os.environ.update(settings.child_environment())
    server.serve()


def ready(host: str, port: int) -> bool:
    connection = http.client.HTTPConnection(host, port, timeout=1)
    try:
        connection.request("GET", "/", headers={"Accept": "application/hal+json"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def describe(host: str, port: int) -> tuple[str, str]:
    base = f"http://{host}:{port}"
    return (f"{base}/openapi.json (entry point {base}/)",
            f"curl -H 'Accept: application/hal+json' {base}/stations/KJFK/observations/latest")
