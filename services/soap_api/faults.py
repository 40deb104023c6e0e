"""The one place where errors become SOAP faults (see ``docs/errors.md``).

- core errors (:mod:`services.core.errors`) become ``Client.NotFound``, ``Client.InvalidArgument``
  (with a ``<violations>`` detail), ... or ``Server.Internal``;
- a body that fails the XSD becomes ``Client.InvalidArgument`` whose violations name the core's
  fields (``observations[3].temperature``, see :mod:`.violations`), so every protocol reports
  the same fields;
- Spyne's own protocol faults (malformed XML, unknown operation) become ``Client.InvalidArgument``
  (a body over Spyne's size limit ``Client.ResourceExhausted``) and anything unexpected
  ``Server.Internal``: a fault never carries a traceback;
- SOAP's own envelope faults keep their standard codes: ``VersionMismatch`` (an envelope of
  another SOAP version) and ``MustUnderstand`` (a mandatory header we do not understand);
- ``StoreFull`` is ``Server.ResourceExhausted``: the limit is the server's, not the caller's.

A fault lists at most the core's ``MAX_REPORTED_VIOLATIONS`` violations: ``InvalidArgument``
keeps no more (and :mod:`.violations` stops looking once it has found that many).

Spyne logs every fault it sees with a traceback at ERROR; :func:`quiet_client_fault_logs`
drops those records for client faults only, so real server errors are still logged.
"""

from __future__ import annotations

import logging
from typing import Any

from lxml import etree
from spyne import Fault

from services.core.errors import (
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    StoreFull,
)
from services.soap_api.fault_types import DETAIL_ELEMENTS
from services.soap_api.xsd_types import TNS

FAULT_CODES: dict[str, str] = {
    "NOT_FOUND": "Client.NotFound",
    "INVALID_ARGUMENT": "Client.InvalidArgument",
    "FAILED_PRECONDITION": "Client.FailedPrecondition",
    "UNAUTHENTICATED": "Client.Unauthenticated",
    "PERMISSION_DENIED": "Client.PermissionDenied",
    "RESOURCE_EXHAUSTED": "Client.ResourceExhausted",
    "INTERNAL": "Server.Internal",
}
STORE_FULL = "Server.ResourceExhausted"
VERSION_MISMATCH = "VersionMismatch"
MUST_UNDERSTAND = "MustUnderstand"
OUR_CODES = frozenset({*FAULT_CODES.values(), STORE_FULL, VERSION_MISMATCH, MUST_UNDERSTAND})

log = logging.getLogger(__name__)


def _el(tag: str, *children: etree._Element, text: str | None = None) -> etree._Element:
    element = etree.Element(f"{{{TNS}}}{tag}", nsmap={"f": TNS})
    element.text = text
    element.extend(children)
    return element


def to_fault(error: FourcastError) -> Fault:
    """The SOAP fault of a core error, with the detail element its WSDL fault declares."""
    store_full = isinstance(error, StoreFull)
    detail = _el(DETAIL_ELEMENTS["STORE_FULL" if store_full else error.code])
    if isinstance(error, InvalidArgument):
        detail = _el("violations", *(
            _el("violation", _el("field", text=v.field), _el("description", text=v.description))
            for v in error.violations))
    elif isinstance(error, NotFound):
        detail = _el("resource", _el("type", text=error.resource_type),
                     _el("name", text=error.resource_name))
    code = STORE_FULL if store_full else FAULT_CODES[error.code]
    return Fault(code, error.message, detail=detail)


def undecodable_value(field: str, text: str | None, error: Exception) -> Fault:
    """``Client.InvalidArgument`` for a value the schema let through that Python cannot
    represent (a year past 9999, a number too long to convert): the caller's mistake, never
    ``Server.Internal``."""
    reason = str(error.faultstring if isinstance(error, Fault) else error)
    return to_fault(InvalidArgument.single(
        field, f"{(text or '')[:60]!r} cannot be read as this field's type: {reason[:200]}"))


def version_mismatch(namespace: str | None) -> Fault:
    """SOAP 1.1's fault for an envelope in another namespace (a SOAP 1.2 one, say)."""
    return Fault(VERSION_MISMATCH, f"this service speaks SOAP 1.1 only (envelope namespace "
                                   f"http://schemas.xmlsoap.org/soap/envelope/), not "
                                   f"{namespace or 'no namespace'}")


def must_understand(headers: list[str]) -> Fault:
    """SOAP 1.1's fault for a mandatory header entry this service does not understand."""
    return Fault(MUST_UNDERSTAND, "header entries marked mustUnderstand that this service "
                                  "does not understand: " + ", ".join(headers[:10]))


def unexpected_fault(error: BaseException) -> Fault:
    """``Server.Internal`` for a bug: logged here with its traceback, never sent."""
    log.error("unexpected error in a SOAP operation", exc_info=error)
    return to_fault(Internal())


def hold_schema_fault(ctx: Any, fault: Fault) -> None:
    """Keep the schema's fault on the request's context (Spyne's ``udc``) until the
    operation has asked the core."""
    ctx.udc = fault


def held_schema_fault(ctx: Any) -> Fault | None:
    held = ctx.udc
    return held if isinstance(held, Fault) else None


def protocol_fault(fault: Fault) -> Fault:
    """One of our faults as it is; Spyne's other faults mapped to the contract's codes."""
    code = str(fault.faultcode)
    if code in OUR_CODES:
        return fault
    if code == "Client.RequestTooLong":
        return to_fault(ResourceExhausted(str(fault.faultstring)))
    if code == "Client" or code.startswith("Client."):
        return to_fault(InvalidArgument.single("body", str(fault.faultstring)[:500]))
    return to_fault(Internal())


class _DropClientFaults(logging.Filter):
    """Drops the records Spyne writes for a client's mistake (not a server error) and for
    our own faults (a Server.Internal was already logged, with its cause, where it arose)."""

    def filter(self, record: logging.LogRecord) -> bool:
        candidates = [record.msg, *(record.args if isinstance(record.args, tuple) else ())]
        if record.exc_info:
            candidates.append(record.exc_info[1])
        return not any(isinstance(c, Fault) and (str(c.faultcode).startswith("Client")
                                                 or str(c.faultcode) in OUR_CODES)
                       for c in candidates)


# The loggers that report faults: per-request client errors, deserialisation and WSGI.
_FAULT_LOGGERS = ("spyne.application", "spyne.application.client", "spyne.server._base",
                  "spyne.server.wsgi", "spyne.protocol.soap.soap11")


def quiet_client_fault_logs() -> None:
    """Keep Spyne from logging a traceback for every client fault (idempotent)."""
    for name in _FAULT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropClientFaults) for f in logger.filters):
            logger.addFilter(_DropClientFaults())
    # XML syntax errors are logged with the whole (possibly hostile) document: never wanted.
    for name in ("spyne.protocol.soap.soap11.invalid", "spyne.protocol.xml.invalid"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
