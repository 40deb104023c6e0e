"""What stands between the network and Spyne: the WS-Security credential and a hostile-body guard.

Writes carry a WS-Security 1.0 ``UsernameToken`` header whose ``Password`` (``PasswordText``)
is the API key; :func:`credential` extracts it and the core decides what it may do.

The guard runs before any XML parser sees the body: it refuses a body over
:data:`MAX_REQUEST_BYTES` or with more than :data:`MAX_TAGS` tags (``Client.ResourceExhausted``)
and any document with a DTD
(``Client.InvalidArgument``): SOAP 1.1 forbids DTDs in a message (section 3), and refusing them
outright disposes of external entities (XXE) and entity-expansion bombs before parsing. Spyne's
parser is configured against both as well (no entity resolution, no DTD loading, no network,
no huge trees): two independent defences. An exception escaping Spyne (a bug) is logged and
answered with a ``Server.Internal`` fault, never the WSGI server's empty HTTP 500.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from services.core.errors import FourcastError, Internal, InvalidArgument, ResourceExhausted
from services.soap_api.faults import FAULT_CODES

log = logging.getLogger(__name__)

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
PASSWORD_TEXT = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-username-token-profile-1.0#PasswordText")
MAX_REQUEST_BYTES = 32 * 1024 * 1024  # room for a full 50,000-observation import
# Tags ("<") in a body: a 50,000-observation import with every measurement has 1.3 million.
# Bounds the parsed tree (about 120 bytes a node: 32 MiB of "<a/>" would take 1 GB).
MAX_TAGS = 2_000_000
_CHUNK = 64 * 1024
# "<!DOCTYPE" in every encoding an XML parser autodetects (UTF-8/ASCII, UTF-16, UTF-32).
_DTD_MARKERS = tuple(m for enc in ("ascii", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
                     for m in ("<!DOCTYPE".encode(enc), "<!doctype".encode(enc)))

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def credential(header_entries: Iterable[etree._Element] | None) -> str | None:
    """The API key in ``wsse:Security/wsse:UsernameToken/wsse:Password`` (PasswordText).

    ``header_entries`` are the children of ``soap:Header`` (as Spyne hands them over)."""
    for entry in header_entries or ():
        if entry.tag != f"{{{WSSE}}}Security":
            continue
        password = entry.find(f"{{{WSSE}}}UsernameToken/{{{WSSE}}}Password")
        if password is None or password.get("Type", PASSWORD_TEXT) != PASSWORD_TEXT:
            return None  # a digest cannot be checked against the configured keys
        return (password.text or "").strip() or None
    return None


def _fault_response(error: FourcastError, start_response: Callable[..., Any]) -> list[bytes]:
    """A SOAP 1.1 fault written without Spyne (the body never reached it)."""
    env = "http://schemas.xmlsoap.org/soap/envelope/"
    envelope = etree.Element(f"{{{env}}}Envelope", nsmap={"soap": env})
    fault = etree.SubElement(etree.SubElement(envelope, f"{{{env}}}Body"), f"{{{env}}}Fault")
    etree.SubElement(fault, "faultcode").text = f"soap:{FAULT_CODES[error.code]}"
    etree.SubElement(fault, "faultstring").text = error.message
    body = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    # WS-I Basic Profile R1126: a SOAP fault travels with HTTP 500.
    start_response("500 Internal Server Error", [("Content-Type", "text/xml; charset=utf-8"),
                                                 ("Content-Length", str(len(body)))])
    return [body]


def _read_bounded(environ: dict[str, Any]) -> bytes | None:
    """The request body, or None as soon as it is longer than the limit."""
    stream = environ["wsgi.input"]
    try:
        declared = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        declared = -1
    if declared > MAX_REQUEST_BYTES:
        return None
    chunks, size = [], 0
    remaining = declared if declared >= 0 else MAX_REQUEST_BYTES + 1
    while remaining > 0:
        chunk = stream.read(min(_CHUNK, remaining))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        remaining -= len(chunk)
        if size > MAX_REQUEST_BYTES:
            return None
    return b"".join(chunks)


def guard(app: WsgiApp) -> WsgiApp:
    """Wrap ``app`` so that oversized bodies and DTDs are refused before any parsing."""

    def guarded(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return app(environ, start_response)
        body = _read_bounded(environ)
        if body is None:
            return _fault_response(ResourceExhausted(
                f"a request body may be at most {MAX_REQUEST_BYTES} bytes"), start_response)
        if body.count(b"<") > MAX_TAGS:
            return _fault_response(ResourceExhausted(
                f"a request body may hold at most {MAX_TAGS} tags"), start_response)
        if any(marker in body for marker in _DTD_MARKERS):
            return _fault_response(InvalidArgument.single(
                "body", "a SOAP message must not contain a document type declaration"),
                start_response)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            return app(environ, start_response)
        except Exception:
            log.exception("unexpected error before a SOAP operation ran")
            return _fault_response(Internal(), start_response)

    return guarded
