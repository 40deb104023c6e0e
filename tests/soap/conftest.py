"""Fixtures of the SOAP tests: the real served SOAP process, a zeep client and a raw poster."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from lxml import etree

from clients.soap_client import SoapClient
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
TNS = {"f": "urn:fourcast:weather:v1"}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:f="urn:fourcast:weather:v1"><soap:Header>{header}</soap:Header>'
            '<soap:Body>{body}</soap:Body></soap:Envelope>')


@pytest.fixture(scope="session")
def soap_server(serve: Callable[[str], ServerProcess]) -> ServerProcess:
    return serve("soap")


@pytest.fixture(scope="session")
def endpoint(soap_server: ServerProcess) -> str:
    return f"http://{HOST}:{soap_server.port}/soap"


@pytest.fixture
def client(soap_server: ServerProcess) -> Iterator[SoapClient]:
    with SoapClient.connect(HOST, soap_server.port, API_KEY) as opened:
        yield opened


@pytest.fixture
def post(endpoint: str) -> Iterator[Callable[[bytes | str], httpx.Response]]:
    """``post(document)``: send a raw SOAP request, as a hand-written integrator would."""
    with httpx.Client(timeout=10) as http:
        def send(document: bytes | str) -> httpx.Response:
            data = document.encode() if isinstance(document, str) else document
            return http.post(endpoint, content=data,
                             headers={"Content-Type": "text/xml; charset=utf-8"})

        yield send


def fault_of(reply: httpx.Response) -> etree._Element:
    """The SOAP 1.1 Fault of a reply, checked to travel as SOAP 1.1 says (HTTP 500, an
    envelope, no traceback)."""
    assert reply.status_code == 500, reply.text[:500]
    fault = etree.fromstring(reply.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None, reply.text[:500]
    assert "Traceback" not in reply.text
    return fault


def fault_code(reply: httpx.Response) -> str:
    """The fault code without its prefix (``Client.InvalidArgument``, ``VersionMismatch``)."""
    return fault_of(reply).findtext("faultcode", "").rpartition(":")[2]


def violated_fields(reply: httpx.Response) -> list[str]:
    return list(fault_of(reply).xpath(
        "detail/f:violations/f:violation/f:field/text()", namespaces=TNS))


def still_answers(post: Callable[[bytes | str], httpx.Response]) -> None:
    reply = post(ENVELOPE.format(header="", body="<f:GetStation><f:stationId>KJFK"
                                                 "</f:stationId></f:GetStation>"))
    assert reply.status_code == 200 and "John F Kennedy" in reply.text
