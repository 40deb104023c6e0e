"""What a recorded body says: decoded for display, and how an error was carried.

Judged from the bytes and the media type only (never from which server was called): JSON is
read as JSON, XML as XML, ``application/grpc`` as length-prefixed protobuf messages decoded with
the generated classes registered for the method path.
"""

from __future__ import annotations

import contextlib
import json
import struct
from typing import Any

from lxml import etree

from services.evidence.decode import Exchange

GRPC_CODES = ["OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED",
              "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED",
              "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
              "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"]


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def length_prefixed(body: bytes) -> list[tuple[bool, bytes]]:
    """gRPC framing: (compressed?, message) for each 1+4-byte prefixed message."""
    messages = []
    at = 0
    while at + 5 <= len(body):
        flag, length = struct.unpack(">BI", body[at:at + 5])
        messages.append((bool(flag), body[at + 5:at + 5 + length]))
        at += 5 + length
    return messages


def _message_class(path: str, request: bool) -> Any:
    """The generated protobuf class of a ``/package.Service/Method`` path, if registered."""
    from google.protobuf import descriptor_pool, message_factory

    with contextlib.suppress(ImportError):  # registers the generated descriptors
        import fourcast.weather.v1.weather_pb2  # noqa: F401
    service, _, method = path.strip("/").partition("/")
    try:
        found = descriptor_pool.Default().FindMethodByName(f"{service}.{method}")
    except KeyError:
        return None
    return message_factory.GetMessageClass(found.input_type if request else found.output_type)


def grpc_messages(exchange: Exchange, request: bool) -> list[str]:
    body = exchange.request_body if request else exchange.response_body
    cls = _message_class(exchange.path, request)
    shown = []
    for compressed, raw in length_prefixed(body):
        if cls is None or compressed:
            shown.append(f"<{len(raw)} B{' compressed' if compressed else ''}> {raw.hex()}")
            continue
        from google.protobuf import text_format

        message = cls.FromString(raw)
        text = text_format.MessageToString(message, as_one_line=True) or "(empty)"
        shown.append(f"{cls.DESCRIPTOR.full_name} ({len(raw)} B) {{ {text} }}")
    return shown


def binary_metadata(name: str, value: str) -> str:
    """A ``-bin`` metadata value (base64): its size, and the google.rpc.Status gRPC defines
    ``grpc-status-details-bin`` to carry, decoded."""
    import base64
    import binascii

    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (binascii.Error, ValueError):
        return f"<not base64: {value[:40]!r}>"
    if name.lower() != "grpc-status-details-bin":
        return f"<binary, {len(raw)} B>"
    from google.protobuf import text_format
    from google.protobuf.message import DecodeError
    from google.rpc import error_details_pb2, status_pb2  # noqa: F401 (registers the details)

    try:
        status = status_pb2.Status.FromString(raw)
    except DecodeError:
        return f"<binary, {len(raw)} B, not a google.rpc.Status>"
    text = text_format.MessageToString(status, as_one_line=True, descriptor_pool=None)
    return f"google.rpc.Status ({len(raw)} B) {{ {text} }}"


def render_body(exchange: Exchange, request: bool) -> str:
    body = exchange.request_body if request else exchange.response_body
    kind = media_type(exchange.header("content-type", "request" if request else "response"))
    if not body:
        return ""
    if kind.startswith("application/grpc"):
        return "\n".join(grpc_messages(exchange, request))
    if kind.endswith("json"):
        try:
            return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        except ValueError:
            pass
    if kind.endswith("xml"):
        try:
            root = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
            return etree.tostring(root, pretty_print=True, encoding="unicode").rstrip()
        except etree.XMLSyntaxError:
            pass
    return body.decode("utf-8", errors="replace")


def json_body(exchange: Exchange) -> Any:
    if not media_type(exchange.content_type).endswith("json"):
        return None
    try:
        return json.loads(exchange.response_body)
    except ValueError:
        return None


def error_signal(exchange: Exchange) -> str | None:
    """How this exchange carried an error, read from the wire; None when it carried none."""
    status = exchange.status or 0
    grpc_status = exchange.header("grpc-status", "trailers")
    if grpc_status is not None and grpc_status != "0":
        name = GRPC_CODES[int(grpc_status)] if grpc_status.isdigit() and int(grpc_status) < 17 \
            else grpc_status
        return f"HTTP {status} + trailer grpc-status: {grpc_status} ({name})"
    data = json_body(exchange)
    if isinstance(data, dict) and data.get("errors"):
        codes = [str((e.get("extensions") or {}).get("code")) for e in data["errors"]
                 if isinstance(e, dict)]
        return f"HTTP {status} + errors[].extensions.code: {', '.join(codes)}"
    if isinstance(data, dict) and status >= 400 and "type" in data:
        return f"HTTP {status} + problem type {data['type']}"
    fault = _soap_fault_code(exchange)
    if fault is not None:
        return f"HTTP {status} + SOAP Fault faultcode {fault}"
    if status >= 400:
        return f"HTTP {status}"
    return None


def _soap_fault_code(exchange: Exchange) -> str | None:
    if not media_type(exchange.content_type).endswith("xml") or not exchange.response_body:
        return None
    try:
        root = etree.fromstring(exchange.response_body,
                                etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return None
    for element in root.iter():
        if isinstance(element.tag, str) and etree.QName(element).localname == "Fault":
            code = next((c for c in element.iter()
                         if isinstance(c.tag, str) and etree.QName(c).localname == "faultcode"),
                        None)
            return (code.text or "").strip() if code is not None else "?"
    return None
