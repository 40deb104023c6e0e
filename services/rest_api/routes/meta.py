"""The entry point ``/``, the OpenAPI document and the problem type descriptions."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from services.core.errors import NotFound
from services.rest_api import links, schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.pages import entry_page
from services.rest_api.problems import CODES, PROBLEM_TYPES
from services.rest_api.representation import (
    ENTRY_OFFERED,
    HTML,
    OPENAPI,
    OPENAPI_OFFERED,
    represent,
)

api = ResourceBlueprint("meta", __name__,
                        "The entry point, this document and the problem types of error responses.")


@api.operation("GET", "/", summary="The entry point: links to every collection",
               replies={200: Reply("Links", schemas.EntryPoint, streams=(HTML,))})
def entry_point() -> Response:
    """Start here: links to the collections, the batch resource and this document, and RFC 6570
    URI templates for every other resource, so a client needs no other URI. RFC 8631's
    `service-desc` is this document and `service-doc` its human-readable documentation
    (Swagger UI). A browser (`Accept: text/html`) gets the same links as an HTML page."""
    found: dict[str, Any] = {
        "self": links.link("/"),
        "stations": links.link("/stations", title="Weather stations"),
        "alerts": links.link("/alerts", title="Alerts derived from observations"),
        "batch": links.link(links.BATCH, title="Record observations of any stations at once"),
        "openapi": links.link(links.OPENAPI_DOCUMENT, type=OPENAPI,
                              title="OpenAPI 3.1 description"),
        "service-desc": links.link(links.OPENAPI_DOCUMENT, type=OPENAPI,
                                   title="OpenAPI 3.1 description (RFC 8631)"),
        "service-doc": links.link(links.DOCS, type=HTML,
                                  title="API documentation (Swagger UI)"),
    }
    found.update({rel: links.template(href) for rel, href in links.ROOT_TEMPLATES.items()})
    return represent({"_links": found}, cache="entry", offered=ENTRY_OFFERED, page=entry_page)


@api.operation("GET", links.OPENAPI_DOCUMENT, summary="This API's OpenAPI 3.1 document",
               replies={200: Reply("The document", schemas.OpenApiDocument, OPENAPI_OFFERED)})
def openapi_document() -> Response:
    """This document, generated from the same declarations that route and parse each request."""
    document = current_app.extensions["fourcast.openapi"]
    return represent(document, cache="openapi", offered=OPENAPI_OFFERED)


@api.operation("GET", "/problems/{slug}", summary="What a problem type means",
               path_params={"slug": "e.g. not-found"},
               replies={200: Reply("The explanation", schemas.ProblemTypeDoc)}, errors=(404,))
def problem_type(slug: str) -> Response:
    """What a problem `type` URI of an error response (RFC 9457) means: its status, title,
    explanation and Fourcast error code."""
    kind = PROBLEM_TYPES.get(slug)
    if kind is None:
        raise NotFound("problem type", slug)
    return represent({"slug": kind.slug, "status": kind.status, "title": kind.title,
                      "description": kind.description, "code": CODES[kind.slug]},
                     cache="entry")
