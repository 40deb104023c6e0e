"""The two operations whose bodies grow with a list, decoded straight from the parsed tree.

Spyne's generic decoding builds a model instance member by member through several layers of
class-attribute lookups: about a millisecond per imported observation (a 50,000-observation
import, the documented limit, spent most of a minute of one worker thread in it) and 25 µs per
station id (300,000 ids in 10 MB held a thread for 7 s before the core refused more than
1,000). Here each value is decoded as Spyne decodes it (``float`` for the doubles, Spyne's own
``from_unicode`` for every other type), so the core sees what the generic path would give it:

- ``ImportObservations``: every observation, in one pass over the tree;
- ``GetObservationsSince``: the station ids lazily, so that the core's limit stops reading them
  at the first id too many.

A value that does not decode raises, and the caller falls back to Spyne's path, whose error
becomes the schema's fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

from lxml import etree

from services.core.units import MEASUREMENTS
from services.soap_api import xsd_types as xsd

_XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_MEASURED = frozenset(xsd.camel(m) for m in MEASUREMENTS)
_TYPES: dict[str, Any] = dict(xsd.ObservationInput._type_info)  # Spyne made it a mapping
_FIELDS = tuple(_TYPES)


def _local(element: etree._Element) -> str:
    return str(element.tag)[str(element.tag).rfind("}") + 1:]  # no QName object per element


def _elements(parent: etree._Element) -> Iterator[etree._Element]:
    return (child for child in parent if isinstance(child.tag, str))  # no PIs


def _nil(element: etree._Element) -> bool:
    return element.get(_XSI_NIL) in ("true", "1")


def _observation(protocol: Any, element: etree._Element) -> SimpleNamespace:
    values: dict[str, Any] = dict.fromkeys(_FIELDS)
    for child in _elements(element):
        if _nil(child):
            continue  # not measured
        name = _local(child)
        text = child.text or ""
        if name in _MEASURED:
            values[name] = float(text)
        else:
            values[name] = protocol.from_unicode(_TYPES[name], text)
    return SimpleNamespace(**values)


def _import(protocol: Any, body: etree._Element, members: dict[str, Any]) -> dict[str, Any]:
    return {"observations": [_observation(protocol, item) for wrapper in _elements(body)
                             for item in _elements(wrapper)]}


def _since(protocol: Any, body: etree._Element, members: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for child in _elements(body):
        name = _local(child)
        if _nil(child):
            values[name] = None
        elif name == "stationIds":
            values[name] = (item.text or "" for item in _elements(child))
        else:
            values[name] = protocol.from_unicode(members[name], child.text or "")
    return values


_DECODERS: dict[str, Callable[[Any, etree._Element, dict[str, Any]], dict[str, Any]]] = {
    f"{{{xsd.TNS}}}ImportObservations": _import,
    f"{{{xsd.TNS}}}GetObservationsSince": _since,
}


def decode(protocol: Any, ctx: Any) -> bool:
    """Set ``ctx.in_object`` if the request is one of these operations (else leave it alone
    and say so)."""
    body = ctx.in_body_doc
    decoder = _DECODERS.get(body.tag) if body is not None else None
    if decoder is None:
        return False
    message = ctx.descriptor.in_message
    ctx.in_object = message(**decoder(protocol, body, dict(message._type_info)))
    return True
