"""REST's bench endpoints: the framework's ceiling and the server process's own accounting.

``GET /bench/ceiling`` is a plain ``Flask("ceiling")`` application answering the constant
:data:`~services.core.ceiling.CEILING_OBSERVATION` with ``jsonify``: Flask's own hello-world,
in the same granian process and WSGI callable as the real API, with nothing of Fourcast in its
way (no store, no validation, no negotiation, no links or ETag, no origin cache). ``fourcast
bench`` divides the real ``GET /stations/KJFK/observations/latest`` by it, measured in the same
run, so what is left is this adapter's own cost.

``GET /bench/usage`` is the process's CPU time and memory; ``POST /bench/usage`` first resets
the peak to the current resident memory. Both are dispatched on ``PATH_INFO`` before the real
application (the real one never sees them), and are absent, a 404 problem like any unknown
path, when ``FOURCAST_BENCH_ENDPOINTS=0``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from services.core.ceiling import CEILING_OBSERVATION, process_usage
from services.core.units import MEASUREMENTS
from services.rest_api import links, problems

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

CEILING_PATH = "/bench/ceiling"
USAGE_PATH = "/bench/usage"
BENCH_PATHS = frozenset((CEILING_PATH, USAGE_PATH))


def ceiling_record() -> dict[str, Any]:
    """The ten measurements of the ceiling observation, with its station and time."""
    record: dict[str, Any] = {"station_id": CEILING_OBSERVATION.station_id,
                              "observed_at": links.timestamp(CEILING_OBSERVATION.observed_at)}
    for name in MEASUREMENTS:
        record[name] = getattr(CEILING_OBSERVATION, name)
    return record


def create_ceiling_app() -> Flask:
    """The hello-world: Flask as it comes, one view returning a prebuilt record."""
    app = Flask("ceiling", static_folder=None)
    record = ceiling_record()

    def ceiling() -> Response:
        return jsonify(record)

    def usage() -> Response:
        return jsonify(process_usage(reset_peak=request.method == "POST").as_dict())

    app.add_url_rule(CEILING_PATH, "ceiling", ceiling, methods=["GET"])
    app.add_url_rule(USAGE_PATH, "usage", usage, methods=["GET", "POST"])
    # only a wrong method reaches these (405 as a problem, as everywhere else on the server)
    app.register_error_handler(HTTPException, problems.from_http)
    return app


class BenchDispatch:
    """The bench paths to the ceiling application, everything else to ``real``."""

    def __init__(self, real: WsgiApp, bench: WsgiApp) -> None:
        self.real = real
        self.bench = bench

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in BENCH_PATHS:
            return self.bench(environ, start_response)
        return self.real(environ, start_response)
