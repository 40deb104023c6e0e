"""Self-descriptive responses: content negotiation, strong ETags, conditional GET, caching.

ETags are strong. For a station or an observation the tag *is* the core's version
(``version_of``), with a suffix when the representation differs in bytes (``.us`` for US units,
``.json`` for ``application/json``), so a tag read from any representation can be sent back in
``If-Match`` and names the same version to the core. Every other resource is tagged with a hash
of its bytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from typing import Any

import orjson
from flask import Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import parse_accept_header

from services.core.errors import InvalidArgument, NotFound

HAL = "application/hal+json"
JSON = "application/json"
PROBLEM = "application/problem+json"
EVENT_STREAM = "text/event-stream"
OPENAPI = "application/vnd.oai.openapi+json"
HTML = "text/html"
OFFERED = (HAL, JSON)
FEED_OFFERED = (HAL, JSON, EVENT_STREAM)  # a live feed (routes/live.py)
OPENAPI_OFFERED = (JSON, OPENAPI)
# The entry point, also a page for a browser (rest_api/pages.py); HAL first, so */* and no
# Accept still get HAL, while a browser's Accept (text/html before */*) gets the page.
ENTRY_OFFERED = (HAL, JSON, HTML)
# Every choice a resource offers. What a request negotiates over each of them is all that its
# Accept header changes in an answer, so the origin cache keys on that (accept_variant).
NEGOTIATIONS = (OFFERED, FEED_OFFERED, OPENAPI_OFFERED, ENTRY_OFFERED)
# The choices whose plain-JSON answer has the HAL answer's bytes: its tag gets ".json".
JSON_SUFFIXED = (OFFERED, ENTRY_OFFERED)
# Accept headers up to this long are remembered with their variant (most clients send one of
# a handful); longer ones are parsed each time, so memory stays bounded.
REMEMBERED_ACCEPT_LENGTH = 256
# RFC 9110 If-Match: "*" or a comma-separated list of (possibly weak) quoted entity tags
ENTITY_TAG = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
IF_MATCH = re.compile(rf"\s*(?:\*|{ENTITY_TAG}(?:\s*,\s*{ENTITY_TAG})*)\s*")
TAGS = re.compile(r'(W/)?"([^"]*)"')

# Freshness per resource: how long a cache may reuse a representation without asking again.
# Station metadata rarely changes (minutes). The latest observation changes whenever a new
# one is recorded (hourly in the seed, any time via the API), so it is fresh only briefly.
# A historical observation is only ever replaced by an explicit correction (a day). Derived
# data (daily summaries, forecast, alerts) changes with the observations it is computed from:
# it must be revalidated every time (no-cache), which the ETag makes cheap (304).
# Collections change as items are written: a short lifetime. Writes and errors are not stored.
CACHE = {
    "entry": "public, max-age=3600",
    "station": "public, max-age=300",
    "stations": "public, max-age=60",
    "latest": "public, max-age=30",
    "observation": "public, max-age=86400",
    "observations": "public, max-age=60",
    "derived": "public, no-cache",
    "alerts": "public, max-age=60",
    "openapi": "public, max-age=3600",
    "none": "no-store",
}


def negotiate(offered: tuple[str, ...] = OFFERED) -> str:
    """The media type to answer in; 406 if the client accepts none of ``offered``."""
    try:
        index = _NEGOTIATION_INDEX[offered]
    except KeyError:  # the origin cache would not tell its variants apart
        raise LookupError(f"{offered} is not one of representation.NEGOTIATIONS") from None
    # the remembered negotiation of this Accept header: parsed once per process, not per call
    best = accept_variant(request.environ.get("HTTP_ACCEPT"))[index]
    if best is None:
        raise NotAcceptable(f"this resource is available as {', '.join(offered)}")
    return best


Variant = tuple[str | None, ...]
_NEGOTIATION_INDEX = {offered: index for index, offered in enumerate(NEGOTIATIONS)}
_NO_ACCEPT: Variant = tuple(offered[0] for offered in NEGOTIATIONS)


def _negotiated(accept: str) -> Variant:
    parsed = parse_accept_header(accept, MIMEAccept)
    return tuple(parsed.best_match(offered) for offered in NEGOTIATIONS)


_remembered = functools.lru_cache(maxsize=512)(_negotiated)


def accept_variant(accept: str | None) -> Variant:
    """What an ``Accept`` header (None: absent) negotiates for every resource, as
    :func:`negotiate` would: two headers with the same variant get the same answers."""
    if accept is None:
        return _NO_ACCEPT
    if len(accept) > REMEMBERED_ACCEPT_LENGTH:
        return _negotiated(accept)
    return _remembered(accept)


def serialise(document: Any) -> bytes:
    """Compact UTF-8 JSON (what ``json.dumps`` with ``separators=(",", ":")`` and
    ``ensure_ascii=False`` writes), by orjson: the stdlib encoder was the largest single cost
    of rendering an observation."""
    return orjson.dumps(document)


def content_tag(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def represent(document: Any, *, cache: str, version: str | None = None, status: int = 200,
              link_header: dict[str, str] | None = None, location: str | None = None,
              offered: tuple[str, ...] = OFFERED,
              page: Callable[[Any], str] | None = None) -> Response:
    """A JSON representation with its validators and caching headers; 304 when the
    client's copy (``If-None-Match``) is still current. Where ``offered`` has HTML,
    ``page`` writes the document as one."""
    media = negotiate(offered)
    if media != HTML:
        data = serialise(document)
        content_type = media
    elif page is not None:
        data = page(document).encode()
        content_type = f"{HTML}; charset=utf-8"
    else:
        raise TypeError("a resource that offers HTML needs a page to write it")
    tag = version or content_tag(data)
    if media == JSON and offered in JSON_SUFFIXED:
        tag += ".json"
    headers = [("ETag", f'"{tag}"'), ("Cache-Control", CACHE[cache]), ("Vary", "Accept")]
    if link_header:
        headers.append(("Link", ", ".join(f'<{href}>; rel="{rel}"' for rel, href in
                                          link_header.items())))
    if location:
        headers.append(("Location", location))
    if (status == 200 and "HTTP_IF_NONE_MATCH" in request.environ
            and request.method in ("GET", "HEAD") and request.if_none_match.contains_weak(tag)):
        return Response(status=304, headers=headers)
    return Response(data, status, headers=headers, content_type=content_type)


def no_content() -> Response:
    response = Response(status=204, headers={"Cache-Control": CACHE["none"]})
    del response.headers["Content-Type"]  # there is no content to have a type
    return response


def if_match_version(current: Callable[[], str] | None = None) -> str | None:
    """The version named by ``If-Match``, for the core's ``if_match``.

    Only strong tags can match (RFC 9110 strong comparison): weak tags alone are passed on
    as written (``W/"…"``), which is no entity's version, so the core answers
    FailedPrecondition (412). Of several strong tags, the one naming the ``current``
    version is chosen, if any: the core still compares it in the write's transaction, so a
    change in between is a 412, never a lost update.
    """
    header = request.headers.get("If-Match")
    if header is None:
        return None
    if not IF_MATCH.fullmatch(header):
        raise InvalidArgument.single(
            "If-Match", 'must be * or entity tags as ETag sends them, e.g. "3f2a9c"')
    if header.strip() == "*":
        return "*"
    # a tag without its representation's suffix (.us, .json) is the version itself
    versions = [opaque.split(".", 1)[0] for weak, opaque in TAGS.findall(header) if not weak]
    if not versions:
        return header.strip()  # no entity's version: 412
    if len(versions) > 1 and current is not None:
        try:
            now = current()
        except NotFound:
            now = None
        if now in versions:
            return now
    return versions[0]


def credential() -> str | None:
    """The Bearer token, if any; checking it is the core's business."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
