"""The WSDL: served, well formed, its schema valid, its facets the core's limits, and enough
for zeep to build a client from it alone."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy

import httpx
import pytest
import zeep
from lxml import etree

from clients.soap_client import SoapClient
from services.core.errors import NotFound
from tests.soap.conftest import ENVELOPE, fault_of

WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
NS = {"wsdl": WSDL, "xs": XS}
OPERATIONS = {
    "ListStations", "GetStation", "PutStation", "DeleteStation", "GetLatestObservation",
    "GetObservation", "ListObservations", "PutObservation", "ImportObservations",
    "DeleteObservation", "ListDailySummaries", "GetForecast", "ListAlerts", "GetAlert",
    "GetCurrentSequence", "GetObservationsSince",
}


def _wsdl(endpoint: str) -> etree._Element:
    reply = httpx.get(endpoint + "?wsdl", timeout=10)
    assert reply.status_code == 200
    return etree.fromstring(reply.content)


def extract_xsd(wsdl: etree._Element) -> etree._Element:
    """The WSDL's schema as a standalone XSD document, with the namespace declarations it
    inherits from ``wsdl:definitions`` (type references like ``tns:StationId`` need them)."""
    schemas = wsdl.findall("wsdl:types/xs:schema", NS)
    assert len(schemas) == 1
    xsd = etree.Element(schemas[0].tag, dict(schemas[0].attrib), nsmap=wsdl.nsmap)
    xsd.extend(deepcopy(child) for child in schemas[0])
    return xsd


def test_the_wsdl_schema_is_a_valid_xsd(endpoint: str) -> None:
    xsd = extract_xsd(_wsdl(endpoint))
    schema = etree.XMLSchema(xsd)  # raises XMLSchemaParseError if it is not a valid schema
    request = etree.fromstring(
        '<GetStation xmlns="urn:fourcast:weather:v1"><stationId>KJFK</stationId></GetStation>')
    assert schema.validate(request)
    request[0].text = "kjfk"
    assert not schema.validate(request)


def test_the_wsdl_is_document_literal_soap_1_1_at_the_soap_path(endpoint: str) -> None:
    wsdl = _wsdl(endpoint)
    assert wsdl.get("targetNamespace") == "urn:fourcast:weather:v1"
    soap = "http://schemas.xmlsoap.org/wsdl/soap/"
    binding = wsdl.find(f"wsdl:binding/{{{soap}}}binding", NS)
    assert binding is not None and binding.get("style") == "document"
    assert {b.get("use") for b in wsdl.iter(f"{{{soap}}}body")} == {"literal"}
    address = wsdl.find(f"wsdl:service/wsdl:port/{{{soap}}}address", NS)
    assert address is not None and address.get("location") == endpoint


def test_the_schema_carries_the_cores_limits_as_facets(endpoint: str) -> None:
    schema = _wsdl(endpoint).find("wsdl:types/xs:schema", NS)
    assert schema is not None

    def facet(type_name: str, name: str) -> str | None:
        found = schema.find(f"xs:simpleType[@name='{type_name}']/xs:restriction/xs:{name}", NS)
        return None if found is None else found.get("value")

    assert facet("StationId", "pattern") == "[A-Z][A-Z0-9]{3}"
    assert (facet("PageSize", "minInclusive"), facet("PageSize", "maxInclusive")) == ("0", "500")
    assert facet("Station_nameType", "maxLength") == "100"
    assert facet("ObservationInput_temperatureType", "maxInclusive") == "60"


def test_missing_measurements_are_optional_and_nillable(endpoint: str) -> None:
    schema = _wsdl(endpoint).find("wsdl:types/xs:schema", NS)
    assert schema is not None
    for type_name in ("Observation", "ObservationInput"):
        element = schema.find(f"xs:complexType[@name='{type_name}']//xs:element"
                              "[@name='temperature']", NS)
        assert element is not None
        assert (element.get("minOccurs"), element.get("nillable")) == ("0", "true")


def test_every_operation_is_documented_and_the_missing_push_is_said(endpoint: str) -> None:
    wsdl = _wsdl(endpoint)
    operations = wsdl.findall("wsdl:portType/wsdl:operation", NS)
    assert {op.get("name") for op in operations} == OPERATIONS
    for op in operations:
        doc = op.find("wsdl:documentation", NS)
        assert doc is not None and doc.text and doc.text.strip(), op.get("name")
    since = next(op for op in operations if op.get("name") == "GetObservationsSince")
    assert "no push" in since.findtext("wsdl:documentation", namespaces=NS)


def test_zeep_builds_a_client_from_the_wsdl_alone(endpoint: str) -> None:
    client = zeep.Client(endpoint + "?wsdl")
    operations = set(client.service._binding._operations)
    assert operations == OPERATIONS
    assert client.service.GetStation(stationId="KJFK").name == "John F Kennedy Intl"


READ_FAULTS = {"resource", "violations", "resourceExhausted", "internal"}
WRITE_FAULTS = READ_FAULTS | {"unauthenticated", "permissionDenied", "storeFull"}
CONDITIONAL_WRITES = {"PutStation", "DeleteStation", "PutObservation", "DeleteObservation"}


def test_every_operation_declares_its_faults_in_port_type_and_binding(endpoint: str) -> None:
    wsdl = _wsdl(endpoint)
    for section in ("portType", "binding"):
        for op in wsdl.findall(f"wsdl:{section}/wsdl:operation", NS):
            name = op.get("name")
            declared = {fault.get("name") for fault in op.findall("wsdl:fault", NS)}
            if name in CONDITIONAL_WRITES:
                assert declared == WRITE_FAULTS | {"failedPrecondition"}, (section, name)
            elif name == "ImportObservations":
                assert declared == WRITE_FAULTS, (section, name)
            else:
                assert declared == READ_FAULTS, (section, name)


def test_each_fault_message_names_a_detail_element_of_the_schema(endpoint: str) -> None:
    wsdl = _wsdl(endpoint)
    schema = wsdl.find("wsdl:types/xs:schema", NS)
    assert schema is not None
    elements = {e.get("name") for e in schema.findall("xs:element", NS)}
    for fault in WRITE_FAULTS | {"failedPrecondition"}:
        part = wsdl.find(f"wsdl:message[@name='{fault}']/wsdl:part", NS)
        assert part is not None and part.get("element") == f"tns:{fault}"
        assert fault in elements


@pytest.mark.parametrize(("body", "detail"), [
    ("<f:GetStation><f:stationId>ZZZZ</f:stationId></f:GetStation>", "resource"),
    ("<f:GetStation><f:stationId>zz</f:stationId></f:GetStation>", "violations"),
    ("<f:DeleteStation><f:stationId>ZZZZ</f:stationId></f:DeleteStation>", "unauthenticated"),
])
def test_a_faults_detail_is_the_element_its_wsdl_fault_declares(
        endpoint: str, post: Callable[[str], httpx.Response], body: str, detail: str) -> None:
    schema = etree.XMLSchema(extract_xsd(_wsdl(endpoint)))
    element = fault_of(post(ENVELOPE.format(header="", body=body))).find("detail/*")
    assert element is not None
    assert etree.QName(element).localname == detail
    assert schema.validate(element), schema.error_log


def test_zeep_reads_the_declared_faults_and_the_client_still_maps_them(endpoint: str) -> None:
    client = zeep.Client(endpoint + "?wsdl")
    operation = client.wsdl.bindings[next(iter(client.wsdl.bindings))]._operations["PutStation"]
    assert {"failedPrecondition", "unauthenticated"} <= set(operation.faults)
    with SoapClient(endpoint + "?wsdl") as soap, pytest.raises(NotFound):
        soap.get_station("ZZZZ")
