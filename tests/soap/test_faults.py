"""Typed faults: each core error arrives as its own SOAP fault code, with a detail element
where there is one, without a traceback; the zeep client maps each back to the core error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from lxml import etree
from zeep.exceptions import Fault as ZeepFault

from clients.soap_client import SoapClient, error_of
from services.core.auth import KeyChecker
from services.core.domain import Observation, Station
from services.core.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    StoreFull,
    Unauthenticated,
)
from services.core.service import WeatherService
from services.soap_api.faults import to_fault
from services.store import SqliteRepository
from services.supervisor import ServerProcess
from tests.servers import HOST, READ_ONLY_KEY
from tests.soap.conftest import ENVELOPE

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
F = {"f": "urn:fourcast:weather:v1"}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
# what SoapUI or an integrator writes by hand: a UsernameToken whose password is the API key
WRITER = (f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
          "<wsse:Username>integrator</wsse:Username>"
          "<wsse:Password>test-writer-key</wsse:Password>"
          "</wsse:UsernameToken></wsse:Security>")


def fault_of(reply: httpx.Response) -> etree._Element:
    assert reply.status_code == 500  # WS-I BP R1126: a fault travels with HTTP 500
    fault = etree.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None
    assert "Traceback" not in reply.text
    return fault


def test_an_unknown_station_is_a_not_found_fault_naming_the_resource(
        post: Callable[[str], httpx.Response]) -> None:
    fault = fault_of(post(ENVELOPE.format(
        header="", body="<f:GetStation><f:stationId>ZZZZ</f:stationId></f:GetStation>")))
    assert fault.findtext("faultcode") == "soap11env:Client.NotFound"
    assert fault.findtext("detail/f:resource/f:type", namespaces=F) == "station"
    assert fault.findtext("detail/f:resource/f:name", namespaces=F) == "ZZZZ"


def test_a_schema_violation_is_invalid_argument_listing_every_field(
        post: Callable[[str], httpx.Response]) -> None:
    body = ("<f:ListObservations><f:stationId>kjfk</f:stationId>"
            "<f:pageSize>lots</f:pageSize></f:ListObservations>")
    fault = fault_of(post(ENVELOPE.format(header="", body=body)))
    assert fault.findtext("faultcode") == "soap11env:Client.InvalidArgument"
    fields = fault.xpath("detail/f:violations/f:violation/f:field/text()", namespaces=F)
    assert fields == ["station_id", "page_size"]


BAD_STATION = ("<f:PutStation><f:station><f:id>ZSFG</f:id><f:name></f:name>"
               "<f:latitude>95</f:latitude><f:longitude>2</f:longitude>"
               "<f:elevation>3</f:elevation><f:timezone>Not/AZone</f:timezone>"
               "</f:station></f:PutStation>")


def test_a_body_breaking_facets_gets_the_cores_verdict_on_every_field(
        post: Callable[[str], httpx.Response], client: SoapClient) -> None:
    """The XSD sees the name and the latitude; the core also sees the time zone."""
    fault = fault_of(post(ENVELOPE.format(header=WRITER, body=BAD_STATION)))
    fields = fault.xpath("detail/f:violations/f:violation/f:field/text()", namespaces=F)
    assert sorted(fields) == ["latitude", "name", "timezone"]
    with pytest.raises(NotFound):
        client.get_station("ZSFG")


def test_a_body_breaking_facets_without_credentials_is_unauthenticated_as_elsewhere(
        post: Callable[[str], httpx.Response]) -> None:
    fault = fault_of(post(ENVELOPE.format(header="", body=BAD_STATION)))
    assert fault.findtext("faultcode") == "soap11env:Client.Unauthenticated"


def test_a_body_the_core_would_accept_but_the_schema_refuses_is_never_executed(
        post: Callable[[str], httpx.Response], client: SoapClient) -> None:
    """An element the XSD does not know: the core has no objection, the schema's fault is
    the answer, and nothing is written."""
    body = ("<f:PutStation><f:station><f:id>ZSFH</f:id><f:name>Fine</f:name>"
            "<f:latitude>1</f:latitude><f:longitude>2</f:longitude><f:elevation>3</f:elevation>"
            "<f:timezone>UTC</f:timezone><f:colour>blue</f:colour></f:station></f:PutStation>")
    fault = fault_of(post(ENVELOPE.format(header=WRITER, body=body)))
    assert fault.findtext("faultcode") == "soap11env:Client.InvalidArgument"
    with pytest.raises(NotFound):
        client.get_station("ZSFH")


def test_a_value_the_schema_allows_still_meets_the_cores_rules(client: SoapClient) -> None:
    with pytest.raises(InvalidArgument) as caught:
        client.put_station(Station("ZSFA", "Nowhere", 1.0, 2.0, 3.0, "Mars/Olympus_Mons"))
    assert caught.value.details() == ("INVALID_ARGUMENT", ("timezone",))


def test_a_naive_timestamp_is_refused_by_the_core(client: SoapClient) -> None:
    with pytest.raises(InvalidArgument) as caught:
        client.get_observation("KJFK", datetime(2013, 1, 1, 12))
    assert caught.value.details() == ("INVALID_ARGUMENT", ("observed_at",))


def test_an_import_names_the_bad_item_by_its_index_and_stores_nothing(
        client: SoapClient) -> None:
    client.put_station(Station("ZSFB", "Import", 1.0, 2.0, 3.0, "UTC"))
    at = datetime(2020, 1, 1, tzinfo=UTC)
    batch = [Observation("ZSFB", at, temperature=1.0),
             Observation("ZSFB", at.replace(hour=1), temperature=99.0)]
    with pytest.raises(InvalidArgument) as caught:
        client.import_observations(batch)
    assert caught.value.details() == ("INVALID_ARGUMENT", ("observations[1].temperature",))
    with pytest.raises(NotFound):
        client.get_observation("ZSFB", at)


def test_a_write_without_credentials_is_unauthenticated(
        soap_server: ServerProcess) -> None:
    with SoapClient.connect(HOST, soap_server.port) as anonymous, \
            pytest.raises(Unauthenticated):
        anonymous.delete_station("ZSFC")


def test_a_read_only_key_may_not_write(soap_server: ServerProcess) -> None:
    with SoapClient.connect(HOST, soap_server.port, READ_ONLY_KEY) as reader, \
            pytest.raises(PermissionDenied):
        reader.put_station(Station("ZSFD", "Read only", 1.0, 2.0, 3.0, "UTC"))


def test_a_handwritten_username_token_header_authenticates_a_write(
        post: Callable[[str], httpx.Response]) -> None:
    body = ("<f:PutStation><f:station><f:id>ZSFE</f:id><f:name>SoapUI</f:name>"
            "<f:latitude>1</f:latitude><f:longitude>2</f:longitude><f:elevation>3</f:elevation>"
            "<f:timezone>UTC</f:timezone></f:station></f:PutStation>")
    reply = post(ENVELOPE.format(header=WRITER, body=body))
    assert reply.status_code == 200, reply.text
    assert etree.fromstring(reply.content).findtext(".//f:created", namespaces=F) == "true"


def test_a_stale_version_is_a_failed_precondition(client: SoapClient) -> None:
    first = client.put_station(Station("ZSFF", "Versioned", 1.0, 2.0, 3.0, "UTC"))
    client.put_station(Station("ZSFF", "Changed", 1.0, 2.0, 3.0, "UTC"), if_match=first.version)
    with pytest.raises(FailedPrecondition):
        client.delete_station("ZSFF", if_match=first.version)


def test_a_malformed_envelope_is_a_client_fault(post: Callable[[str], httpx.Response]) -> None:
    fault = fault_of(post("<soap:Envelope xmlns:soap='nope'><unclosed>"))
    assert fault.findtext("faultcode", "").split(":")[-1].startswith("Client")


def test_a_full_store_is_a_server_fault_saying_so_and_the_client_maps_it_back() -> None:
    """Not the caller's fault (a Client code would say so), yet not a bare Server.Internal."""
    fault = to_fault(StoreFull())
    assert fault.faultcode == "Server.ResourceExhausted"
    assert "store is full" in fault.faultstring
    error = error_of(ZeepFault(fault.faultstring, code="soap11env:Server.ResourceExhausted"))
    assert isinstance(error, StoreFull) and error.message == fault.faultstring


@pytest.mark.parametrize("call", [
    pytest.param(lambda c: c.get_station(""), id="empty station id"),
    pytest.param(lambda c: c.list_observations("KJFK", datetime(2013, 7, 1)), id="naive start"),
    pytest.param(lambda c: c.get_station("K\x00JF"), id="a character XML cannot carry"),
])
def test_the_client_leaves_validation_to_the_server_whose_verdict_is_the_cores(
        client: SoapClient, seeded_db: Path, call: Callable[[object], object]) -> None:
    """No local check that could disagree with the other protocols' clients."""
    with pytest.raises(InvalidArgument) as over_soap:
        call(client)
    with pytest.raises(InvalidArgument) as in_core:
        call(WeatherService(SqliteRepository(seeded_db), KeyChecker([])))
    assert over_soap.value.details() == in_core.value.details()
