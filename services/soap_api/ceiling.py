"""The SOAP server's bench endpoints (``fourcast bench``): its ceiling and its own accounting.

- ``POST /bench/soap``: Spyne's hello-world. A separate Spyne ``Application`` with the real
  one's target namespace, the same ``Soap11`` in and out protocols with the same parser
  settings and ``validator='lxml'``, and the same WSGI transport limit, whose one operation
  ``GetLatestObservation(stationId, units?)`` has the real operation's request type and answers
  :data:`~services.core.ceiling.CEILING_OBSERVATION` as the real ``Observation`` type, built
  once. So the very envelope of the real call can be posted to either.
- ``GET /bench/usage``: :func:`~services.core.ceiling.process_usage` of this server process as
  JSON; ``POST`` resets the peak first.

What stands in front of the real app and not of the ceiling is Fourcast's work, whose cost the
benchmark is there to measure: the hostile-body guard (:mod:`.security`), and the envelope,
replay and key checks, the fault mapping and the core-named schema violations of
``ValidatingSoap11``. What both share is framework configuration: the parser hardening
(no entities, no DTD loading, no network, no huge trees: so the ceiling is safe without the
guard), the XSD validation by libxml2, the request size limit, and the process's logging.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from spyne import Application, ServiceBase, rpc
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from services.core.ceiling import CEILING_OBSERVATION, bench_endpoints_enabled, process_usage
from services.soap_api import convert
from services.soap_api import xsd_types as xsd
from services.soap_api.security import MAX_REQUEST_BYTES, WsgiApp
from services.soap_api.xsd_types import TNS, optional, required

CEILING_PATH = "/bench/soap"
USAGE_PATH = "/bench/usage"
# Both applications' parser settings: Spyne's configuration, not Fourcast's work. Processing
# instructions are kept (Spyne drops them) so that the real envelope check can refuse them.
PARSER_SETTINGS: dict[str, Any] = dict(validator="lxml", resolve_entities=False, load_dtd=False,
                                       no_network=True, huge_tree=False, remove_pis=False)


def _ceiling_service(record: Any) -> type[ServiceBase]:
    class CeilingService(ServiceBase):  # type: ignore[misc]
        """The SOAP ceiling of fourcast bench: a constant observation, nothing of Fourcast."""

        @rpc(required(xsd.StationId), optional(xsd.Units), _returns=xsd.Observation)
        def GetLatestObservation(ctx, stationId, units):
            """A constant observation, whatever is asked: the hello-world of the benchmark."""
            return record

    return CeilingService


def ceiling_app() -> WsgiApp:
    """Spyne's hello-world, configured as the real application is."""
    application = Application(
        [_ceiling_service(convert.observation_out(CEILING_OBSERVATION))], tns=TNS,
        name="FourcastCeiling", in_protocol=Soap11(**PARSER_SETTINGS), out_protocol=Soap11())
    return WsgiApplication(application, max_content_length=MAX_REQUEST_BYTES)


def usage_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """``process_usage()`` as JSON: GET reads it, POST resets the peak first."""
    method = environ.get("REQUEST_METHOD", "")
    if method not in ("GET", "POST"):
        start_response("405 Method Not Allowed", [("Allow", "GET, POST"),
                                                  ("Content-Type", "text/plain; charset=utf-8")])
        return [b"GET reads the server's usage; POST resets its peak first\n"]
    body = json.dumps(process_usage(reset_peak=method == "POST").as_dict()).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body))),
                              ("Cache-Control", "no-store")])
    return [body]


def with_bench_endpoints(app: WsgiApp) -> WsgiApp:
    """``app`` with the bench endpoints in front (by path), unless they are switched off."""
    if not bench_endpoints_enabled():
        return app
    ceiling = ceiling_app()

    def routed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == CEILING_PATH:
            return ceiling(environ, start_response)
        if path == USAGE_PATH:
            return usage_app(environ, start_response)
        return app(environ, start_response)

    return routed
