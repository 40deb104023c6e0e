"""The OpenAPI 3.1 document, generated from the declared operations and their models."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from services.core.validation import STATION_ID_PATTERN
from services.rest_api.api import Operation, ResourceBlueprint
from services.rest_api.models import QUERY_MODELS, REQUEST_MODELS
from services.rest_api.problems import PROBLEM_TYPES
from services.rest_api.representation import IF_MATCH, PROBLEM
from services.rest_api.schemas import RESPONSE_MODELS

REF = "#/components/schemas/{model}"
ERROR_TITLES = {400: "Invalid argument", 401: "No or unknown API key", 403: "Read-only key",
                404: "Not found", 406: "No acceptable media type", 412: "Stale If-Match",
                413: "Body or batch too large", 415: "Body is not JSON",
                429: "This client's share of live streams is open",
                500: "Internal error", 503: "The server's live streams are all open",
                507: "The store is full: nothing was written"}
# answers that say when to ask again
RETRY_STATUSES = (429, 503)
HEADERS = {
    "Link": {"description": "RFC 8288 links to the next/prev pages",
             "schema": {"type": "string"}},
    "Location": {"description": "The created resource", "schema": {"type": "string"}},
    "ETag": {"description": "Strong validator", "schema": {"type": "string"}},
    "Cache-Control": {"description": "Freshness of this resource", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before asking again",
                    "schema": {"type": "integer", "minimum": 1}},
}
REQUEST_HEADERS = {
    "If-Match": ("Only write if the resource still has this ETag (else 412)",
                 {"type": "string", "pattern": f"^{IF_MATCH.pattern}$"}),
    "Last-Event-ID": ("Resume the stream after this event id",
                      {"type": "string", "pattern": "^[0-9]+$"}),
}


def _schemas(models: Iterable[type[BaseModel]]) -> dict[str, Any]:
    _, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    defs: dict[str, Any] = top.get("$defs", {})
    return defs


ALERT_ID_PATTERN = r"^[A-Z][A-Z0-9]{3}-[A-Z]+-[0-9]{8}T[0-9]{4}Z$"
# What a path segment looks like, and a real one (clients and test generators use it).
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "station_id": {"type": "string", "pattern": STATION_ID_PATTERN, "examples": ["KJFK"]},
    "observed_at": {"type": "string", "format": "date-time",
                    "examples": ["2013-07-01T12:00:00Z"]},
    "alert_id": {"type": "string", "pattern": ALERT_ID_PATTERN,
                 "examples": ["KJFK-HEAT-20130706T1600Z"]},
    "slug": {"type": "string", "examples": ["not-found"]},
}


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A model field's schema as a query parameter's: a parameter is absent, never null, so
    the ``null`` branch and default of an optional field go."""
    found = {k: v for k, v in schema.items() if not (k == "default" and v is None)}
    branches = [b for b in found.pop("anyOf", []) if b.get("type") != "null"]
    if len(branches) == 1:
        found = {**branches[0], **found}
    elif branches:
        found["anyOf"] = branches
    return found


def _parameters(op: Operation, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "description": text,
         "schema": PATH_SCHEMAS.get(name, {"type": "string"})}
        for name, text in op.path_params.items()]
    if op.query is not None:
        model = schemas[op.query.__name__]
        required = set(model.get("required", ()))
        for name, schema in model.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required,
                     "schema": _query_schema(schema)}
            if schema.get("type") == "array":
                param.update(style="form", explode=True)
            params.append(param)
    for name in op.request_headers:
        description, schema = REQUEST_HEADERS[name]
        params.append({"name": name, "in": "header", "required": False,
                       "description": description, "schema": schema})
    # (no Authorization parameter: OpenAPI ignores one; the bearer security scheme says it)
    return params


def _responses(op: Operation) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for status, reply in op.replies.items():
        entry: dict[str, Any] = {"description": reply.description}
        if reply.model is not None:
            ref = {"$ref": REF.format(model=reply.model.__name__)}
            entry["content"] = {media: {"schema": ref} for media in reply.media_types}
        elif reply.media_types and status != 204:
            entry["content"] = {media: {"schema": {"type": "string"}}
                                for media in reply.media_types}
        for media in reply.streams:
            entry.setdefault("content", {})[media] = {"schema": {"type": "string"}}
        if reply.headers:
            entry["headers"] = {h: HEADERS[h] for h in reply.headers}
        found[str(status)] = entry
    if op.method == "get":
        found["304"] = {"description": "Not modified (If-None-Match matched)"}
    statuses = set(op.errors) | {406, 500}
    if op.body is not None:
        statuses |= {400, 413, 415}
    if op.writes:
        statuses |= {401, 403, 507}
    problem = {"$ref": REF.format(model="Problem")}
    for status in sorted(statuses):
        found[str(status)] = {"description": ERROR_TITLES[status],
                              "content": {PROBLEM: {"schema": problem}}}
        if status in RETRY_STATUSES:
            found[str(status)]["headers"] = {"Retry-After": HEADERS["Retry-After"]}
    return found


def build_document(resources: Iterable[ResourceBlueprint]) -> dict[str, Any]:
    # query models become parameters, not components (a parameter has no JSON document)
    queries = _schemas(QUERY_MODELS)
    schemas = _schemas([*REQUEST_MODELS, *RESPONSE_MODELS])
    paths: dict[str, Any] = {}
    tags: list[dict[str, str]] = []
    for resource in resources:
        tags.append({"name": resource.name, "description": resource.description})
        for op in resource.operations:
            entry: dict[str, Any] = {
                "operationId": op.operation_id, "summary": op.summary,
                "description": op.description, "tags": [op.tag],
                "parameters": _parameters(op, queries), "responses": _responses(op),
                # reads are open to everyone: said, not left for a linter to guess
                "security": [{"bearer": []}] if op.writes else []}
            if op.body is not None:
                entry["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": {"$ref": REF.format(model=op.body.__name__)}}}}
            paths.setdefault(op.path, {})[op.method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fourcast REST API", "version": "1.0.0",
                 "description": "Hypermedia (HAL) weather API. Start at `/` and follow links. "
                                "Errors are RFC 9457 problem details; problem types: "
                                + ", ".join(f"`/problems/{s}`" for s in PROBLEM_TYPES),
                 "license": {"name": "MIT", "identifier": "MIT"},
                 "contact": {"name": "Fourcast maintainers"}},
        "servers": [{"url": "/"}],
        "tags": tags,
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer",
                       "description": "An API key (FOURCAST_API_KEYS); writes only"}}},
    }
