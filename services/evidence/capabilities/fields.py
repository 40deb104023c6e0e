"""Field selection: one station asked for with one field, by each protocol's own means."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lxml import etree

from services.evidence.capabilities.common import (
    FIELD_CHOOSERS,
    FIELD_MASK,
    FIELDS,
    STATION,
    XS,
    Capability,
    reflect,
)
from services.evidence.http import Requester
from services.evidence.payload import json_body
from services.evidence.targets import Target


def _fields_by_query_parameter(target: Target) -> Capability:
    sent = Requester(target.wire(), http2=False).send(
        "GET", f"/stations/{STATION}?fields=name", [("Accept", "application/hal+json")])
    x = sent.exchange
    if x is None:
        return Capability(FIELDS, None, "not measured: no answer", [sent.show()])
    data = json_body(x)
    if x.status == 200 and isinstance(data, dict):
        names = sorted(k for k in data if not k.startswith("_"))  # HAL's _links are not data
        if names == ["name"]:
            return Capability(FIELDS, True, "`?fields=name` → only `name` came back",
                              [sent.show()])
        return Capability(FIELDS, False, f"no field choice: `?fields=name` ignored, "
                                         f"{len(names)} fields came back", [sent.show()])
    detail = data.get("detail") if isinstance(data, dict) else None
    return Capability(FIELDS, False, f"no field choice: `?fields=name` → {x.status}"
                                     + (f" ({detail})" if detail else ""), [sent.show()])


def _fields_by_selection_set(target: Target) -> Capability:
    query = f'{{ station(id: "{STATION}") {{ name }} }}'
    sent = Requester(target.wire(), http2=False).send(
        "POST", "/graphql", [("Content-Type", "application/json")],
        json.dumps({"query": query}).encode())
    x = sent.exchange
    data = json_body(x) if x is not None else None
    evidence = [sent.show(), f"query: {query}"]
    station = (data.get("data") or {}).get("station") if isinstance(data, dict) else None
    if not isinstance(station, dict):
        return Capability(FIELDS, False, "`{ station { name } }` was not answered with a "
                                         "station", evidence)
    names = sorted(station)
    evidence.append(f"data.station keys: {', '.join(names)}")
    if names == ["name"]:
        return Capability(FIELDS, True, "`{ station { name } }` → only `name` came back",
                          evidence)
    return Capability(FIELDS, False, f"`{{ station {{ name }} }}` → {len(names)} fields came "
                                     "back", evidence)


def _fields_by_field_mask(target: Target) -> Capability:
    def request_fields(service: Any) -> tuple[str, list[tuple[str, str]]]:
        request = service.methods_by_name["GetStation"].input_type
        return request.name, [(f.name, f.message_type.full_name if f.message_type else "scalar")
                              for f in request.fields]

    (request, fields), evidence = reflect(target, request_fields)
    evidence.append(f"{request} fields (by reflection): "
                    + ", ".join(f"{name} ({kind})" for name, kind in fields))
    masks = [name for name, kind in fields if kind == FIELD_MASK]
    if masks:
        return Capability(FIELDS, True, f"`{request}` takes a `FieldMask` (`{masks[0]}`)",
                          evidence)
    names = ", ".join(f"`{name}`" for name, _ in fields)
    return Capability(FIELDS, False, f"no field choice: `{request}` has no `FieldMask` "
                                     f"(only {names})", evidence)


def _fields_in_wsdl(target: Target) -> Capability:
    sent = Requester(target.wire(), http2=False).send("GET", "/soap?wsdl")
    x = sent.exchange
    if x is None or x.status != 200:
        return Capability(FIELDS, None, "not measured: no WSDL", [sent.show()])
    root = etree.fromstring(x.response_body,
                            etree.XMLParser(resolve_entities=False, no_network=True))
    ns = {"xs": XS}
    element = next(iter(root.xpath("//xs:schema/xs:element[@name='GetStation']",
                                   namespaces=ns)), None)
    if element is None:
        return Capability(FIELDS, None, "not measured: no `GetStation` in the WSDL",
                          [sent.show()])
    kind = (element.get("type") or "").rpartition(":")[2]
    types = element.xpath("xs:complexType", namespaces=ns) or root.xpath(
        f"//xs:schema/xs:complexType[@name='{kind}']", namespaces=ns)
    names = [str(e.get("name")) for t in types for e in t.xpath(".//xs:element",
                                                                namespaces=ns)]
    evidence = [sent.show(), f"GetStation elements: {', '.join(names) or 'none'}"]
    choosers = [n for n in names if any(word in n.lower() for word in FIELD_CHOOSERS)]
    if choosers:
        return Capability(FIELDS, True, f"WSDL `GetStation` takes `{choosers[0]}`", evidence)
    listed = ", ".join(f"`{n}`" for n in names)
    return Capability(FIELDS, False, f"no field choice: WSDL `GetStation` takes only {listed}",
                      evidence)


FIELD_SELECTION: dict[str, Callable[[Target], Capability]] = {
    "rest": _fields_by_query_parameter,
    "graphql": _fields_by_selection_set,
    "grpc": _fields_by_field_mask,
    "soap": _fields_in_wsdl,
}


def measure_field_selection(target: Target) -> Capability:
    return FIELD_SELECTION[target.protocol](target)
