"""Hostile documents are refused before they are parsed, leak nothing, and leave the server
answering.

Two defences are tested: the guard in front of Spyne (no DTD at all, a size limit) and, behind
it, Spyne's parser configured to resolve no entity, load no DTD and touch no network. That a
refusal came before parsing is read from who refused it (the guard's own fault), not from the
clock; the raw client's 10 s timeout bounds a hang.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from lxml import etree

from services.core.auth import KeyChecker
from services.core.service import WeatherService
from services.soap_api.app import spyne_app
from services.soap_api.security import MAX_REQUEST_BYTES, MAX_TAGS, guard
from services.store import SqliteRepository
from tests.soap.conftest import ENVELOPE

ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SECRET = "fourcast-xxe-canary-7d1f"
NO_DTD = "a SOAP message must not contain a document type declaration"  # the guard's refusal


def _xxe(path: Path) -> str:
    return (f'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY xxe SYSTEM "file://{path}">]>'
            + ENVELOPE.format(header="", body="<f:GetStation><f:stationId>&xxe;"
                                               "</f:stationId></f:GetStation>"))


def _billion_laughs() -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE e [{"".join(entities)}]>'
            + ENVELOPE.format(header="", body="<f:GetStation><f:stationId>&lol9;"
                                               "</f:stationId></f:GetStation>"))


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _refused(reply: httpx.Response, code: str, reason: str) -> None:
    """``reply`` is the guard's fault ``code`` saying ``reason`` (so no parser saw the body)."""
    assert reply.status_code == 500
    fault = etree.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode", "").split(":")[-1] == code
    assert reason in fault.findtext("faultstring", "")
    assert SECRET not in reply.text


def _still_answers(post: Callable[[bytes | str], httpx.Response]) -> None:
    reply = post(ENVELOPE.format(header="", body="<f:GetStation><f:stationId>KJFK"
                                                 "</f:stationId></f:GetStation>"))
    assert reply.status_code == 200 and "John F Kennedy" in reply.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_an_external_entity_is_refused_without_reading_the_file(
        post: Callable[[bytes | str], httpx.Response], canary: Path, encoding: str) -> None:
    document = _xxe(canary).replace('<?xml version="1.0"?>',
                                    f'<?xml version="1.0" encoding="{encoding}"?>')
    reply = post(document.encode(encoding))
    _refused(reply, "Client.InvalidArgument", NO_DTD)
    _still_answers(post)


def test_an_entity_expansion_bomb_is_refused_before_it_is_parsed(
        post: Callable[[bytes | str], httpx.Response]) -> None:
    reply = post(_billion_laughs())
    _refused(reply, "Client.InvalidArgument", NO_DTD)
    _still_answers(post)


def test_an_oversized_body_is_refused_as_resource_exhausted(
        post: Callable[[bytes | str], httpx.Response]) -> None:
    padding = "<!-- " + "x" * MAX_REQUEST_BYTES + " -->"
    reply = post(padding + ENVELOPE.format(header="", body="<f:GetCurrentSequence/>"))
    _refused(reply, "Client.ResourceExhausted", f"at most {MAX_REQUEST_BYTES} bytes")
    _still_answers(post)


@pytest.mark.parametrize("document", ["xxe", "bomb"])
def test_the_parser_behind_the_guard_expands_no_entity_either(
        seeded_db: Path, canary: Path, document: str) -> None:
    service = WeatherService(SqliteRepository(seeded_db), KeyChecker([]))
    app = spyne_app(service)
    body = (_xxe(canary) if document == "xxe" else _billion_laughs()).encode()
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/soap", "QUERY_STRING": "",
               "CONTENT_TYPE": "text/xml; charset=utf-8", "CONTENT_LENGTH": str(len(body)),
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(body)}
    statuses: list[str] = []
    reply = b"".join(app(environ, lambda status, headers: statuses.append(status)))
    # refused as the client's fault: not a server fault (memory, a timeout), nor an answer
    assert statuses[0].startswith("500")
    fault = etree.fromstring(reply).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode", "").split(":")[-1] == "Client.InvalidArgument"
    assert SECRET.encode() not in reply and b"lollol" not in reply


def test_a_body_of_millions_of_tiny_elements_is_refused_before_parsing(
        post: Callable[[bytes | str], httpx.Response]) -> None:
    """8 million empty elements in 32 MiB would take a gigabyte once parsed."""
    body = "<f:GetStation>" + "<a/>" * MAX_TAGS + "</f:GetStation>"
    reply = post(ENVELOPE.format(header="", body=body))
    assert reply.status_code == 500
    fault = etree.fromstring(reply.content).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None
    assert fault.findtext("faultcode", "").split(":")[-1] == "Client.ResourceExhausted"
    _still_answers(post)


def test_an_exception_escaping_spyne_is_a_server_fault_not_an_empty_500() -> None:
    def broken(environ: dict[str, object], start_response: object) -> list[bytes]:
        raise RuntimeError("a bug")

    body = ENVELOPE.format(header="", body="<f:GetCurrentSequence/>").encode()
    environ = {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}
    statuses: list[str] = []
    reply = b"".join(guard(broken)(environ, lambda status, headers: statuses.append(status)))
    assert statuses == ["500 Internal Server Error"]
    fault = etree.fromstring(reply).find(f"{{{ENV}}}Body/{{{ENV}}}Fault")
    assert fault is not None and fault.findtext("faultcode") == "soap:Server.Internal"
    assert b"a bug" not in reply
