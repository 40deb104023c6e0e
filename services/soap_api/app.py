"""``create_app(service)``: the WSGI application serving the SOAP endpoint at ``/soap``.

SOAP 1.1, document/literal wrapped, target namespace ``urn:fourcast:weather:v1``. Requests are
validated against the WSDL's own XSD (Spyne's ``validator='lxml'``), with every violation
reported as ``Client.InvalidArgument`` in the core's field names. Nothing happens at import
time: the Spyne application is built per call of the factory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from spyne import Application, Fault, ServiceBase
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from services.core.service import WeatherService
from services.cors import CorsMiddleware
from services.soap_api import PATH
from services.soap_api.ceiling import PARSER_SETTINGS, with_bench_endpoints
from services.soap_api.faults import protocol_fault, quiet_client_fault_logs
from services.soap_api.protocol import ValidatingSoap11
from services.soap_api.replay import NONCE_SCOPE, NonceCache
from services.soap_api.security import MAX_REQUEST_BYTES, WsgiApp, guard
from services.soap_api.service import FourcastSoapService
from services.soap_api.xsd_types import TNS

APP_NAME = "Fourcast"


class FourcastApplication(Application):  # type: ignore[misc]
    """A Spyne application that carries the core service its operations call, and the
    memory of the WS-Security nonces it has seen."""

    def __init__(self, weather: WeatherService, services: Sequence[type[ServiceBase]]) -> None:
        # The parser hardening (PARSER_SETTINGS) is spelled out although it is Spyne's
        # default: the second defence (after the DTD guard) against XXE and entity bombs.
        super().__init__(
            list(services), tns=TNS, name=APP_NAME,
            in_protocol=ValidatingSoap11(**PARSER_SETTINGS), out_protocol=Soap11())
        self.weather = weather
        self.nonces = NonceCache(
            lambda nonce, lifetime: weather.claim_once(NONCE_SCOPE, nonce, lifetime))
        self.event_manager.add_listener("method_exception_object", _normalise_fault)


def _normalise_fault(ctx: Any) -> None:
    """Every fault leaving the service goes through the contract's mapping."""
    for attr in ("in_error", "out_error"):
        error = getattr(ctx, attr)
        if isinstance(error, Fault):
            setattr(ctx, attr, protocol_fault(error))


def _only(path: str, app: WsgiApp) -> WsgiApp:
    def routed(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "") not in (path, path + "/"):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [f"not found: the SOAP endpoint is {path} (WSDL: {path}?wsdl)\n".encode()]
        return app(environ, start_response)

    return routed


def spyne_app(service: WeatherService, *,
              extra_services: Sequence[type[ServiceBase]] = ()) -> WsgiApp:
    """The Spyne WSGI application alone: no DTD/size guard and no routing in front."""
    quiet_client_fault_logs()
    application = FourcastApplication(service, [FourcastSoapService, *extra_services])
    # Spyne's own limit (2 MiB by default) would refuse imports the guard admits: the guard's
    # is the one limit; Spyne's only backs it up for a caller without the guard.
    return WsgiApplication(application, max_content_length=MAX_REQUEST_BYTES)


# What a page does here: GET the WSDL, POST an envelope (with SOAPAction: a preflight first).
CORS_METHODS = ("GET", "POST")


def create_app(service: WeatherService, *,
               extra_services: Sequence[type[ServiceBase]] = (),
               cors_origins: Sequence[str] = ()) -> WsgiApp:
    """The WSGI app for ``service``; ``extra_services`` lets a benchmark add its own;
    pages from ``cors_origins`` may call it from a browser (``services/cors.py``)."""
    app = _only(PATH, guard(spyne_app(service, extra_services=extra_services)))
    if cors_origins:  # the bench endpoints stay outside: their ceiling meets nothing of ours
        app = CorsMiddleware(app, cors_origins, methods=CORS_METHODS)
    return with_bench_endpoints(app)
