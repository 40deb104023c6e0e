"""The SOAP 1.1 input protocol: Spyne's, reading the envelope through :mod:`.envelope` and
reporting every schema violation in the core's field names."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from lxml import etree
from spyne import DateTime
from spyne.const.http import HTTP_405
from spyne.error import RequestNotAllowed, ValidationError
from spyne.protocol.soap import Soap11
from spyne.server.http import HttpTransportContext

from services.core.errors import MAX_REPORTED_VIOLATIONS, FourcastError, InvalidArgument
from services.soap_api import envelope, fast_decode
from services.soap_api.faults import (
    held_schema_fault,
    hold_schema_fault,
    to_fault,
    undecodable_value,
)
from services.soap_api.replay import WSSE
from services.soap_api.security import credential
from services.soap_api.service import WRITE_OPERATIONS
from services.soap_api.violations import field_of, schema_violations

UNDERSTOOD_HEADERS = frozenset({f"{{{WSSE}}}Security"})
# XSD 1.0 (3.2.7) allows 24:00:00 as the end of a day: the instant 00:00:00 of the next one.
# Python's datetime has no hour 24, so the text is read as 00:00 and a day added.
_END_OF_DAY = re.compile(r"(\s*-?\d+-\d+-\d+T)24:00:00(?:\.0*)?(?=Z|[+-]|\s*$)")


class ValidatingSoap11(Soap11):  # type: ignore[misc]
    """Soap 1.1 that reads the envelope defensively (see :mod:`.envelope`), refuses a
    replayed WS-Security token (see :mod:`.replay`), and whose XSD validation reports every
    violation in the core's field names (Spyne's own reports only the last one, as a generic
    ``SchemaValidationError``).

    A write is asked for its key (the core's rule) before its body is judged, and a body
    that breaks the schema is never executed. When it still decodes (the values have the
    right types and only break facets), the fault is held back so the operation can ask the
    core, validate-only, for its verdict on the same values (see
    ``FourcastSoapService.call_wrapper``): the core sees every rule — an unknown time zone —
    where the XSD sees only facets, and it is what the other three protocols answer. Once the
    schema alone has found as many violations as a fault lists, judging stops there.
    """

    def create_in_document(self, ctx: Any, charset: str | None = None) -> None:
        if isinstance(ctx.transport, HttpTransportContext) and (
                ctx.transport.get_request_content_type() is None
                or ctx.transport.get_request_method() != "POST"):
            ctx.transport.resp_code = HTTP_405
            raise RequestNotAllowed("a SOAP request is a POST with a Content-Type "
                                    "(text/xml); the WSDL is at ?wsdl")
        # No SOAP-with-attachments (multipart) and no href resolution: the WSDL declares
        # neither, and both would run Spyne code on attacker-shaped input.
        ctx.in_document = (envelope.parse(ctx.in_string, charset,
                                          etree.XMLParser(**self.parser_kwargs)), {})

    def decompose_incoming_envelope(self, ctx: Any, message: Any = Soap11.REQUEST) -> None:
        root, _ = ctx.in_document
        operation = envelope.operation_of(root)
        environ = getattr(ctx.transport, "req_env", None) or {}
        envelope.check_action(environ.get("HTTP_SOAPACTION"), operation)
        entries = envelope.header_entries(root)
        envelope.check_understood(entries, UNDERSTOOD_HEADERS)
        envelope.check_one_security_header(entries, f"{{{WSSE}}}Security")
        try:
            key = credential(entries)
            keys = ctx.app.weather.keys
            if etree.QName(operation).localname in WRITE_OPERATIONS:
                # The core's key rule, asked before the body is validated and decoded
                # (seconds for a large import): an anonymous 32 MiB import is refused at
                # once, with the answer the operation itself would have given.
                keys.require_writer(key)
            ctx.app.nonces.check(entries, remember=keys.is_known(key))
        except FourcastError as error:
            raise to_fault(error) from None
        super().decompose_incoming_envelope(ctx, message)

    def validate_body(self, ctx: Any, message: Any) -> None:
        schema = self.validation_schema
        if schema is None:
            return
        try:
            violations = schema_violations(schema, ctx.in_body_doc)
        except etree.Error:  # e.g. an unexpanded entity reference: libxml2 gives up
            raise to_fault(InvalidArgument.single(
                "body", "the document cannot be validated against the schema")) from None
        if len(violations) >= MAX_REPORTED_VIOLATIONS:  # the list is full: stop judging
            raise to_fault(InvalidArgument(violations))
        if violations:
            hold_schema_fault(ctx, to_fault(InvalidArgument(violations)))

    def from_unicode(self, cls: Any, string: Any, *args: Any, **kwargs: Any) -> Any:
        end_of_day = (_END_OF_DAY.match(string) if isinstance(string, str)
                      and isinstance(cls, type) and issubclass(cls, DateTime) else None)
        if end_of_day is None:
            return super().from_unicode(cls, string, *args, **kwargs)
        midnight = end_of_day.group(1) + "00:00:00" + string[end_of_day.end():]
        return super().from_unicode(cls, midnight, *args, **kwargs) + timedelta(days=1)

    def base_from_element(self, ctx: Any, cls: Any, element: etree._Element) -> Any:
        # Spyne lets Python's own refusals escape (a datetime past year 9999, an hour 24 on
        # 9999-12-31, an integer too long to convert): the value is the caller's mistake.
        try:
            return super().base_from_element(ctx, cls, element)
        except (ValueError, OverflowError, ValidationError) as error:
            raise undecodable_value(field_of(element, ctx.in_body_doc), element.text,
                                    error) from None

    def deserialize(self, ctx: Any, message: Any) -> None:
        try:
            if fast_decode.decode(self, ctx):
                return
        except Exception:  # a value that does not decode: Spyne's path raises its fault
            pass
        try:
            super().deserialize(ctx, message)
        except Exception:
            held = held_schema_fault(ctx)
            if held is not None:  # the values do not even decode: the schema's fault
                raise held from None
            raise
