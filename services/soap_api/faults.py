"""The one place where errors become SOAP faults (see ``docs/errors.md``).

- core errors (:mod:`services.core.errors`) become ``Client.NotFound``, ``Client.InvalidArgument``
  (with a ``<violations>`` detail), ... or ``Server.Internal``;
- a body that fails the XSD becomes ``Client.InvalidArgument`` whose violations name the core's
  fields (``observations[3].temperature``), so every protocol reports the same fields;
- Spyne's own protocol faults (malformed XML, unknown operation) become ``Client.InvalidArgument``
  and anything unexpected ``Server.Internal``: a fault never carries a traceback.

Spyne logs every fault it sees with a traceback at ERROR; :func:`quiet_client_fault_logs`
drops those records for client faults only, so real server errors are still logged.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from typing import Any

from lxml import etree
from spyne import Fault

from services.core.errors import (
    FieldViolation,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
)
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
OUR_CODES = frozenset(FAULT_CODES.values())

log = logging.getLogger(__name__)


def _el(tag: str, *children: etree._Element, text: str | None = None) -> etree._Element:
    element = etree.Element(f"{{{TNS}}}{tag}", nsmap={"f": TNS})
    element.text = text
    element.extend(children)
    return element


def to_fault(error: FourcastError) -> Fault:
    """The SOAP fault of a core error, with a machine-readable detail where there is one."""
    detail: etree._Element | None = None
    if isinstance(error, InvalidArgument):
        detail = _el("violations", *(
            _el("violation", _el("field", text=v.field), _el("description", text=v.description))
            for v in error.violations))
    elif isinstance(error, NotFound):
        detail = _el("resource", _el("type", text=error.resource_type),
                     _el("name", text=error.resource_name))
    return Fault(FAULT_CODES[error.code], error.message, detail=detail)


def unexpected_fault(error: BaseException) -> Fault:
    """``Server.Internal`` for a bug: logged here with its traceback, never sent."""
    log.error("unexpected error in a SOAP operation", exc_info=error)
    return to_fault(Internal())


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# Parameters that carry one entity: the core names that entity's fields without a prefix.
_ENTITY_PARAMS = frozenset({"station", "observation"})
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ?(?:\{[^}]*\})?(\w+)")


def _field_of(element: etree._Element, message: str) -> str:
    """The core's dotted field path of an element below the operation element:
    ``ImportObservations/observations/ObservationInput[4]/temperature`` ->
    ``observations[3].temperature``."""
    steps: list[etree._Element] = []
    node: etree._Element | None = element
    while node is not None and node.getparent() is not None:  # stop below the operation
        steps.append(node)
        node = node.getparent()
    parts: list[str] = []
    for step in reversed(steps):
        name = etree.QName(step).localname
        parent = step.getparent()
        if name[:1].isupper() and parts and parent is not None:  # an array item
            parts[-1] += f"[{parent.index(step)}]"
        else:
            parts.append(_snake(name))
    expected = _EXPECTED.search(message)
    if expected and "not expected" in message:  # name what was missing, not its neighbour
        parts[-1:] = [_snake(expected.group(1))]
    elif expected and "Missing child" in message:
        parts.append(_snake(expected.group(1)))
    if len(parts) > 1 and parts[0] in _ENTITY_PARAMS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def schema_fault(schema: etree.XMLSchema, body: etree._Element) -> Fault:
    """``Client.InvalidArgument`` listing every XSD violation of the operation element
    ``body``, each in the core's field names."""
    # libxml2 reports paths in a document rooted at the validated element: validate a copy
    # rooted there, so that each path can be resolved back to its element.
    copy = etree.ElementTree(deepcopy(body))
    schema.validate(copy)
    namespaces = {p: u for el in copy.iter() for p, u in el.nsmap.items() if p}
    violations = []
    for entry in schema.error_log:
        found = copy.xpath(entry.path, namespaces=namespaces) if entry.path else []
        element = found[0] if found and isinstance(found[0], etree._Element) else None
        message = re.sub(r"^Element '[^']*'(?:, attribute '[^']*')?: ", "", entry.message)
        field = _field_of(element, entry.message) if element is not None else "body"
        violations.append(FieldViolation(field, message.strip()))
    return to_fault(InvalidArgument(violations or [FieldViolation("body", "invalid")]))


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
