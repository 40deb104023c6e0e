"""Reading a request before Spyne deserialises it: the XML parse, the bounds on the tree, and
the SOAP 1.1 envelope rules.

Every way a body can fail here is answered with a SOAP fault, never an exception escaping to the
WSGI server (whose answer would be an empty HTTP 500):

- an empty body, bytes that are not the declared charset, XML that is not well formed:
  ``Client.InvalidArgument``;
- an element with more than :data:`MAX_ATTRIBUTES` attributes: ``Client.ResourceExhausted``,
  checked in libxml2 before any Python code walks attributes (lxml's ``attrib.items()``, which
  Spyne calls, is quadratic in their number: 60,000 of them took minutes);
- a processing instruction anywhere in the document: ``Client.InvalidArgument`` (SOAP 1.1,
  section 3: a SOAP message must not contain them);
- two WS-Security ``Security`` header entries for the same actor: ``Client.Unauthenticated``
  (WS-Security 1.0, section 5, forbids it; which one would be the credential is ambiguous);
- an ``Envelope`` of another SOAP version (1.2): ``VersionMismatch`` (SOAP 1.1, 4.4.1);
- a ``Header`` entry addressed to us with ``mustUnderstand="1"`` that we do not understand:
  ``MustUnderstand`` (SOAP 1.1, 4.2.3); WS-Security's ``Security`` is the one we understand;
- a ``Body`` without exactly one operation element: ``Client.InvalidArgument`` (document/literal
  wrapped has one per message; a second one would otherwise be silently ignored);
- a ``SOAPAction`` header naming another operation than the Body's: ``Client.InvalidArgument``
  (WS-I BP R2744; a gateway that authorises by SOAPAction must not see one operation while the
  service runs another). An absent or empty SOAPAction is accepted, as curl sends none.

Document/literal has no SOAP-encoding ``href`` references, so none is resolved: Spyne's
resolver would copy and recurse on attacker-chosen ids.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from services.core.errors import InvalidArgument, ResourceExhausted, Unauthenticated
from services.soap_api.faults import must_understand, to_fault, version_mismatch

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NEXT_ACTOR = "http://schemas.xmlsoap.org/soap/actor/next"
# Our messages carry at most a couple (xsi:nil, soap:mustUnderstand, wsu:Id): room to spare.
MAX_ATTRIBUTES = 16
# Whether any element has an (N+1)th attribute: one linear pass inside libxml2.
_TOO_MANY_ATTRIBUTES = etree.XPath(f"boolean(//@*[{MAX_ATTRIBUTES + 1}])")
# Any processing instruction, before, in or after the root (the XML declaration is not one).
_PROCESSING_INSTRUCTION = etree.XPath("boolean(//processing-instruction())")
_ENVELOPE = f"{{{SOAP11_ENV}}}Envelope"
_HEADER = f"{{{SOAP11_ENV}}}Header"
_BODY = f"{{{SOAP11_ENV}}}Body"
_MUST_UNDERSTAND = f"{{{SOAP11_ENV}}}mustUnderstand"
_ACTOR = f"{{{SOAP11_ENV}}}actor"


def _invalid(description: str) -> Exception:
    return to_fault(InvalidArgument.single("body", description))


def parse(chunks: Iterable[bytes | str], charset: str | None,
          parser: etree.XMLParser) -> etree._Element:
    """The document's root element, read as Spyne would (HTTP's ``charset`` first, else the
    document's own declaration), with every failure a client fault."""
    parts = list(chunks)
    data = b"".join(p.encode() if isinstance(p, str) else p for p in parts)
    if not data.strip():
        raise _invalid("the request has no body: a SOAP 1.1 envelope is expected")
    try:
        document: bytes | str = data.decode(charset) if charset else data
    except LookupError:
        raise _invalid(f"unknown charset {charset!r} in Content-Type") from None
    except UnicodeDecodeError as error:
        raise _invalid(f"the body is not valid {charset} (byte {error.start})") from None
    try:
        try:
            root = etree.fromstring(document, parser)
        except ValueError:  # text with an encoding declaration: let libxml2 read the bytes
            root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        if "Excessive depth" in error.msg or "Resource limit exceeded" in error.msg:
            raise to_fault(ResourceExhausted(
                f"the body exceeds the XML parser's limits (elements nested at most 256 deep, "
                f"text nodes of at most 10,000,000 characters): {error.msg}")) from None
        raise _invalid(f"the body is not well-formed XML: {error.msg}") from None
    if root is None:
        raise _invalid("the body holds no XML element")
    if _TOO_MANY_ATTRIBUTES(root):
        raise to_fault(ResourceExhausted(
            f"an element may carry at most {MAX_ATTRIBUTES} attributes"))
    if _PROCESSING_INSTRUCTION(root):
        raise _invalid("a SOAP message must not contain processing instructions")
    return root


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [child for child in parent if isinstance(child.tag, str)]


def operation_of(root: etree._Element) -> etree._Element:
    """The one operation element of a SOAP 1.1 envelope's Body."""
    if root.tag != _ENVELOPE:
        if etree.QName(root).localname == "Envelope":
            raise version_mismatch(etree.QName(root).namespace)
        raise _invalid(f"the document is not a SOAP 1.1 envelope ({{{SOAP11_ENV}}}Envelope)")
    children = _elements(root)
    bodies = [c for c in children if c.tag == _BODY]
    if len(bodies) != 1:
        raise _invalid(f"an envelope holds exactly one Body, not {len(bodies)}")
    headers = [c for c in children if c.tag == _HEADER]
    if len(headers) > 1 or (headers and children.index(headers[0]) != 0):
        raise _invalid("an envelope holds at most one Header, before the Body")
    body = bodies[0]
    if (body.text or "").strip() or any((c.tail or "").strip() for c in body):
        raise _invalid("the Body holds text outside its operation element")
    operations = _elements(body)
    if len(operations) != 1:
        raise _invalid("the Body must hold exactly one operation element, "
                       f"not {len(operations)}")
    return operations[0]


def header_entries(root: etree._Element) -> list[etree._Element]:
    header = root.find(_HEADER)
    return [] if header is None else _elements(header)


def check_understood(entries: Iterable[etree._Element], understood: frozenset[str]) -> None:
    """Refuse the message if a header entry meant for us must be understood and is not."""
    missed = []
    for entry in entries:
        if entry.get(_ACTOR) not in (None, "", NEXT_ACTOR):
            continue  # addressed to another node on the path, not to us
        if entry.get(_MUST_UNDERSTAND, "0").strip() in ("1", "true") \
                and entry.tag not in understood:
            missed.append(entry.tag)
    if missed:
        raise must_understand(missed)


def check_one_security_header(entries: Iterable[etree._Element], security_tag: str) -> None:
    """Refuse two ``Security`` header entries for the same actor (absent and empty alike)."""
    actors: set[str] = set()
    for entry in entries:
        if entry.tag == security_tag:
            actor = entry.get(_ACTOR) or ""
            if actor in actors:
                raise to_fault(Unauthenticated(
                    "a message carries at most one WS-Security Security header per actor"))
            actors.add(actor)


def check_action(soap_action: str | None, operation: etree._Element) -> None:
    """Refuse a SOAPAction that names another operation than the Body's (the WSDL declares
    each operation's name as its soapAction)."""
    action = (soap_action or "").strip().strip('"')
    name = etree.QName(operation).localname
    if action and action != name:
        raise _invalid(f"the SOAPAction header {action[:100]!r} does not name the Body's "
                       f"operation {name!r}")
