"""The SOAP 1.1 envelope rules: every malformed envelope is a SOAP fault (never an empty HTTP
500), another SOAP version is a VersionMismatch, an unknown mandatory header a MustUnderstand,
and a Body holds exactly one operation."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from clients.soap_client import SoapClient
from services.core.errors import NotFound
from tests.soap.conftest import (
    ENVELOPE,
    SOAP_ENV,
    WSSE,
    fault_code,
    fault_of,
    still_answers,
)

GET_KJFK = "<f:GetStation><f:stationId>KJFK</f:stationId></f:GetStation>"
Post = Callable[[bytes | str], httpx.Response]


@pytest.mark.parametrize("document", [
    pytest.param(b"", id="zero bytes"),
    pytest.param(b"  \r\n", id="only whitespace"),
    pytest.param(f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Header/></soap:Envelope>',
                 id="no Body"),
    pytest.param(f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body/></soap:Envelope>',
                 id="empty Body"),
    pytest.param(ENVELOPE.format(header="", body="GetStation KJFK"), id="text in the Body"),
    pytest.param(ENVELOPE.format(header="", body=GET_KJFK).replace("KJFK", "K\udcffJFK")
                 .encode("utf-8", "surrogateescape"), id="invalid UTF-8"),
    pytest.param(GET_KJFK.replace("<f:GetStation>",
                                  '<f:GetStation xmlns:f="urn:fourcast:weather:v1">'),
                 id="no envelope"),
    pytest.param(f'<soap:Envelope xmlns:soap="{SOAP_ENV}"><soap:Body>{GET_KJFK}</soap:Body>'
                 f'<soap:Body>{GET_KJFK}</soap:Body></soap:Envelope>'.replace(
                     "<soap:Envelope ", '<soap:Envelope xmlns:f="urn:fourcast:weather:v1" '),
                 id="two Bodies"),
])
def test_a_malformed_envelope_is_a_client_fault_in_a_soap_envelope(
        post: Post, document: bytes | str) -> None:
    assert fault_code(post(document)) == "Client.InvalidArgument"
    still_answers(post)


def test_a_body_in_the_charset_its_content_type_names_is_read(endpoint: str) -> None:
    document = ENVELOPE.format(header="", body=GET_KJFK).encode("latin-1")
    reply = httpx.post(endpoint, content=document, timeout=10,
                       headers={"Content-Type": "text/xml; charset=iso-8859-1"})
    assert reply.status_code == 200 and "John F Kennedy" in reply.text


def test_an_unknown_charset_is_a_client_fault(endpoint: str) -> None:
    reply = httpx.post(endpoint, content=ENVELOPE.format(header="", body=GET_KJFK), timeout=10,
                       headers={"Content-Type": "text/xml; charset=klingon"})
    assert fault_code(reply) == "Client.InvalidArgument"


def test_a_soap_1_2_envelope_is_a_version_mismatch(post: Post) -> None:
    document = ('<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" '
                f'xmlns:f="urn:fourcast:weather:v1"><env:Body>{GET_KJFK}</env:Body>'
                "</env:Envelope>")
    reply = post(document)
    assert fault_code(reply) == "VersionMismatch"
    assert "SOAP 1.1" in fault_of(reply).findtext("faultstring", "")


def test_a_mandatory_header_the_service_does_not_understand_is_refused(post: Post) -> None:
    header = ('<t:Transaction xmlns:t="urn:example:tx" soap:mustUnderstand="1">5'
              "</t:Transaction>")
    reply = post(ENVELOPE.format(header=header, body=GET_KJFK))
    assert fault_code(reply) == "MustUnderstand"
    assert "{urn:example:tx}Transaction" in fault_of(reply).findtext("faultstring", "")


@pytest.mark.parametrize("header", [
    pytest.param('<t:Note xmlns:t="urn:example:tx" soap:mustUnderstand="0">hi</t:Note>',
                 id="optional header"),
    pytest.param('<t:Note xmlns:t="urn:example:tx" soap:mustUnderstand="1" '
                 'soap:actor="urn:example:another-node">hi</t:Note>',
                 id="mandatory header for another actor"),
    pytest.param(f'<wsse:Security xmlns:wsse="{WSSE}" soap:mustUnderstand="1">'
                 "<wsse:UsernameToken><wsse:Username>u</wsse:Username>"
                 "<wsse:Password>test-reader-key</wsse:Password></wsse:UsernameToken>"
                 "</wsse:Security>", id="mandatory WS-Security header"),
])
def test_headers_the_service_may_ignore_or_understands_are_accepted(
        post: Post, header: str) -> None:
    reply = post(ENVELOPE.format(header=header, body=GET_KJFK))
    assert reply.status_code == 200, reply.text


def test_two_operations_in_one_body_are_refused_and_neither_runs(
        post: Post, client: SoapClient) -> None:
    writer = (f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
              "<wsse:Username>u</wsse:Username><wsse:Password>test-writer-key</wsse:Password>"
              "</wsse:UsernameToken></wsse:Security>")
    put = ("<f:PutStation><f:station><f:id>{id}</f:id><f:name>Twice</f:name>"
           "<f:latitude>1</f:latitude><f:longitude>2</f:longitude><f:elevation>3</f:elevation>"
           "<f:timezone>UTC</f:timezone></f:station></f:PutStation>")
    reply = post(ENVELOPE.format(header=writer, body=put.format(id="ZEVA") +
                                 put.format(id="ZEVB")))
    assert fault_code(reply) == "Client.InvalidArgument"
    assert "exactly one operation" in fault_of(reply).findtext("faultstring", "")
    for station in ("ZEVA", "ZEVB"):
        with pytest.raises(NotFound):
            client.get_station(station)


def test_a_get_without_wsdl_is_a_fault_pointing_at_the_wsdl(endpoint: str) -> None:
    reply = httpx.get(endpoint, timeout=10)
    assert reply.status_code == 405
    assert "?wsdl" in reply.text and "Traceback" not in reply.text


def test_an_operation_in_another_namespace_is_a_client_fault(post: Post) -> None:
    body = '<GetStation xmlns="urn:other"><stationId>KJFK</stationId></GetStation>'
    assert fault_code(post(ENVELOPE.format(header="", body=body))) == "Client.InvalidArgument"


@pytest.mark.parametrize(("action", "answered"), [
    ('"GetStation"', True), ("", True), ('"DeleteStation"', False), ('"nonsense"', False)])
def test_a_soap_action_naming_another_operation_is_refused(
        endpoint: str, action: str, answered: bool) -> None:
    """A gateway that authorises by SOAPAction must not see one operation run as another."""
    reply = httpx.post(endpoint, content=ENVELOPE.format(header="", body=GET_KJFK), timeout=10,
                       headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": action})
    if answered:
        assert reply.status_code == 200
    else:
        assert fault_code(reply) == "Client.InvalidArgument"
        assert "SOAPAction" in fault_of(reply).findtext("faultstring", "")


@pytest.mark.parametrize("document", [
    pytest.param('<?fourcast hint?>' + ENVELOPE.format(header="", body=GET_KJFK),
                 id="before the envelope"),
    pytest.param(ENVELOPE.format(header="", body=GET_KJFK.replace(
        "<f:stationId>", "<?fourcast hint?><f:stationId>")), id="in the operation"),
    pytest.param(ENVELOPE.format(header="<?fourcast hint?>", body=GET_KJFK),
                 id="in the Header"),
    pytest.param(ENVELOPE.format(header="", body=GET_KJFK) + "<?fourcast hint?>",
                 id="after the envelope"),
])
def test_a_processing_instruction_is_refused(post: Post, document: str) -> None:
    """SOAP 1.1, section 3: a SOAP message must not contain processing instructions."""
    reply = post(document)
    assert fault_code(reply) == "Client.InvalidArgument"
    assert "processing instruction" in fault_of(reply).findtext("faultstring", "")
    still_answers(post)


def _security(password: str, actor: str | None = None) -> str:
    role = "" if actor is None else f' soap:actor="{actor}"'
    return (f'<wsse:Security xmlns:wsse="{WSSE}"{role}><wsse:UsernameToken>'
            f"<wsse:Username>u</wsse:Username><wsse:Password>{password}</wsse:Password>"
            "</wsse:UsernameToken></wsse:Security>")


@pytest.mark.parametrize("second", [
    pytest.param(None, id="both without actor"),
    pytest.param("", id="absent and empty actor"),
])
def test_two_security_headers_for_the_same_actor_are_refused(
        post: Post, second: str | None) -> None:
    header = _security("test-writer-key") + _security("unknown-key", second)
    reply = post(ENVELOPE.format(header=header, body=GET_KJFK))
    assert fault_code(reply) == "Client.Unauthenticated"
    assert "one WS-Security Security header" in fault_of(reply).findtext("faultstring", "")


def test_security_headers_for_different_actors_are_accepted(post: Post) -> None:
    header = _security("test-writer-key") + _security("other", "urn:example:gateway")
    assert post(ENVELOPE.format(header=header, body=GET_KJFK)).status_code == 200
