"""``create_app(service)``: the WSGI application serving the SOAP endpoint at ``/soap``.

SOAP 1.1, document/literal wrapped, target namespace ``urn:fourcast:weather:v1``. Requests are
validated against the WSDL's own XSD (Spyne's ``validator='lxml'``), with every violation
reported as ``Client.InvalidArgument`` in the core's field names. Nothing happens at import
time: the Spyne application is built per call of the factory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from lxml import etree
from spyne import Application, Fault, ServiceBase
from spyne.protocol.soap import Soap11
from spyne.server.wsgi import WsgiApplication

from services.core.errors import InvalidArgument
from services.core.service import WeatherService
from services.soap_api import PATH
from services.soap_api.faults import (
    held_schema_fault,
    hold_schema_fault,
    protocol_fault,
    quiet_client_fault_logs,
    schema_fault,
    to_fault,
)
from services.soap_api.security import WsgiApp, guard
from services.soap_api.service import FourcastSoapService
from services.soap_api.xsd_types import TNS

APP_NAME = "Fourcast"


class ValidatingSoap11(Soap11):  # type: ignore[misc]
    """Soap 1.1 whose XSD validation reports every violation, in the core's field names
    (Spyne's own reports only the last one, as a generic ``SchemaValidationError``).

    A body that breaks the schema is never executed. When it still decodes (the values have
    the right types and only break facets), the fault is held back so the operation can ask
    the core, validate-only, for its verdict on the same values (see
    ``FourcastSoapService.call_wrapper``): the core sees every rule — an unknown time zone, a
    missing credential — where the XSD sees only facets, and it is what the other three
    protocols answer.
    """

    def validate_body(self, ctx: Any, message: Any) -> None:
        schema = self.validation_schema
        if schema is None:
            return
        try:
            valid = schema.validate(ctx.in_body_doc)
        except etree.Error:  # e.g. an unexpanded entity reference: libxml2 gives up
            raise to_fault(InvalidArgument.single(
                "body", "the document cannot be validated against the schema")) from None
        if not valid:
            hold_schema_fault(ctx, schema_fault(schema, ctx.in_body_doc))

    def deserialize(self, ctx: Any, message: Any) -> None:
        try:
            super().deserialize(ctx, message)
        except Exception:
            held = held_schema_fault(ctx)
            if held is not None:  # the values do not even decode: the schema's fault
                raise held from None
            raise


class FourcastApplication(Application):  # type: ignore[misc]
    """A Spyne application that carries the core service its operations call."""

    def __init__(self, weather: WeatherService, services: Sequence[type[ServiceBase]]) -> None:
        # The parser hardening is spelled out although it is Spyne's default: it is the
        # second defence (after the DTD guard) against XXE and entity bombs.
        super().__init__(
            list(services), tns=TNS, name=APP_NAME,
            in_protocol=ValidatingSoap11(validator="lxml", resolve_entities=False,
                                         load_dtd=False, no_network=True, huge_tree=False),
            out_protocol=Soap11())
        self.weather = weather
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
    return WsgiApplication(FourcastApplication(service, [FourcastSoapService, *extra_services]))


def create_app(service: WeatherService, *,
               extra_services: Sequence[type[ServiceBase]] = ()) -> WsgiApp:
    """The WSGI app for ``service``; ``extra_services`` lets a benchmark add its own."""
    return _only(PATH, guard(spyne_app(service, extra_services=extra_services)))
