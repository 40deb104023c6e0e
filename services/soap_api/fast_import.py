"""``ImportObservations`` decoded straight from the validated tree.

Spyne's generic decoding builds a model instance member by member through several layers of
class-attribute lookups: about a millisecond per observation, so a 50,000-observation import
(the documented limit) spent most of a minute of one worker thread in it. An import whose body
the XSD has already accepted needs none of that: each ``ObservationInput`` child is text of a
known type. The values are decoded as Spyne decodes them (``float`` for the doubles, Spyne's own
``from_unicode`` for the timestamp), so the core sees exactly what the generic path would give
it. A body the XSD refused keeps the generic path, whose errors become the schema's fault.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from lxml import etree

from services.core.units import MEASUREMENTS
from services.soap_api import xsd_types as xsd

OPERATION = f"{{{xsd.TNS}}}ImportObservations"
_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_MEASURED = frozenset(xsd.camel(m) for m in MEASUREMENTS)
_TYPES: dict[str, Any] = dict(xsd.ObservationInput._type_info)  # Spyne made it a mapping
_FIELDS = tuple(_TYPES)
_OBSERVED_AT = _TYPES["observedAt"]


def _item(protocol: Any, element: etree._Element) -> SimpleNamespace:
    values: dict[str, Any] = dict.fromkeys(_FIELDS)
    for child in element:
        if not isinstance(child.tag, str) or child.get(_XSI_NIL) in ("true", "1"):
            continue  # a processing instruction, or nil: not measured
        name = child.tag[child.tag.rfind("}") + 1:]  # the local name, without a QName object
        text = child.text or ""
        if name in _MEASURED:
            values[name] = float(text)
        elif name == "observedAt":
            values[name] = protocol.from_unicode(_OBSERVED_AT, text)
        else:
            values[name] = text
    return SimpleNamespace(**values)


def decode(protocol: Any, ctx: Any) -> bool:
    """Set ``ctx.in_object`` if the request is a schema-valid import (else leave it alone
    and say so)."""
    body = ctx.in_body_doc
    if body is None or body.tag != OPERATION:
        return False
    observations = [_item(protocol, item) for wrapper in body if isinstance(wrapper.tag, str)
                    for item in wrapper if isinstance(item.tag, str)]
    ctx.in_object = ctx.descriptor.in_message(observations=observations)
    return True
