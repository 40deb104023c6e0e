"""Fixtures of the SOAP tests: the real served SOAP process, a zeep client and a raw poster."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from clients.soap_client import SoapClient
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST

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
