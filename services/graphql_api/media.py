"""The media type of a GraphQL-over-HTTP answer, negotiated from the request's ``Accept``.

GraphQL over HTTP defines two: ``application/graphql-response+json``, where a request that
fails before execution (a parse, validation, cost or variable error) is a 4xx, so every HTTP
client sees the failure; and ``application/json``, the legacy type, answered 200 whatever the
GraphQL errors, because older clients read a 4xx as a transport failure and lose the errors.
A client that names neither (no ``Accept``, ``*/*``, ``application/*``, or only types we do
not serve) gets ``application/json``, as the spec asks of servers until its watershed.
"""

from __future__ import annotations

from collections.abc import Iterable

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
_AS_JSON = frozenset({JSON, "application/*", "*/*"})


def _ranges(accept: str) -> Iterable[tuple[float, int, str]]:
    for index, part in enumerate(accept.lower().split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality, charset = 1.0, "utf-8"
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
            elif name.strip() == "charset":
                charset = value.strip().strip('"')
        if quality > 0 and charset in ("utf-8", "utf8"):  # we answer in UTF-8 only
            yield -quality, index, media


def negotiate(accept: str | None) -> str:
    """The media type to answer with: the most preferred one we serve, ties to the first."""
    for _, _, media in sorted(_ranges(accept or "")):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in _AS_JSON:
            return JSON
    return JSON


def content_type(media: str) -> str:
    """The Content-Type header: JSON is UTF-8 by definition (RFC 8259), so no charset."""
    return media
