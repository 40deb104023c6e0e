"""Every error as ``application/problem+json`` (RFC 9457): the one place errors are mapped.

Core errors follow the contract table of ``docs/errors.md``; errors raised by HTTP itself
(unknown route, wrong method, unacceptable media type, body too large, malformed JSON) get the
same treatment, so no path answers HTML or a traceback. Problem ``type`` URIs are relative to
the server root and dereference to a short explanation (``GET /problems/{slug}``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, json
from werkzeug.exceptions import HTTPException

from services.core import errors as core
from services.rest_api.representation import CACHE, PROBLEM, credential

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str


PROBLEM_TYPES: dict[str, ProblemType] = {p.slug: p for p in (
    ProblemType("not-found", 404, "Not Found",
                "The named station, observation, alert or forecast does not exist."),
    ProblemType("invalid-argument", 400, "Invalid Argument",
                "The request failed validation; `violations` lists each field and why."),
    ProblemType("failed-precondition", 412, "Failed Precondition",
                "If-Match named a version that is no longer current: GET it again."),
    ProblemType("unauthenticated", 401, "Unauthenticated",
                "Writes need `Authorization: Bearer <api key>` with a known key."),
    ProblemType("permission-denied", 403, "Permission Denied",
                "This API key may read but not write."),
    ProblemType("resource-exhausted", 413, "Resource Exhausted",
                "A size limit was exceeded (a body or an import batch too large)."),
    ProblemType("too-many-streams", 429, "Too Many Streams",
                "This client has as many live streams open as one client may: close one, "
                "or retry after `Retry-After` seconds. Other requests are still served."),
    ProblemType("streams-full", 503, "Streams Full",
                "The server has as many live streams open as it serves at once: retry after "
                "`Retry-After` seconds. Other requests are still served."),
    ProblemType("store-full", 507, "Store Full",
                "The store has no room left for the write (its disk is full): nothing was "
                "written. It is not the caller's fault; retry once space is freed."),
    ProblemType("internal", 500, "Internal Error",
                "Something failed on the server; it is not the caller's fault."),
)}

# The contract table (docs/errors.md): core error class -> problem type.
CORE_PROBLEMS: dict[type[core.FourcastError], ProblemType] = {
    core.NotFound: PROBLEM_TYPES["not-found"],
    core.InvalidArgument: PROBLEM_TYPES["invalid-argument"],
    core.FailedPrecondition: PROBLEM_TYPES["failed-precondition"],
    core.Unauthenticated: PROBLEM_TYPES["unauthenticated"],
    core.PermissionDenied: PROBLEM_TYPES["permission-denied"],
    core.ResourceExhausted: PROBLEM_TYPES["resource-exhausted"],
    core.StoreFull: PROBLEM_TYPES["store-full"],
    core.Internal: PROBLEM_TYPES["internal"],
}
# TooManyStreams is one core error with two HTTP answers: whose budget is full decides.
STREAM_PROBLEMS = {True: PROBLEM_TYPES["too-many-streams"],
                   False: PROBLEM_TYPES["streams-full"]}
CODES = {kind.slug: cls.code for cls, kind in CORE_PROBLEMS.items()}
CODES.update({kind.slug: core.TooManyStreams.code for kind in STREAM_PROBLEMS.values()})

# HTTP-level statuses that mean the same as a core error get its problem type.
HTTP_PROBLEMS = {404: "not-found", 400: "invalid-argument", 413: "resource-exhausted"}


def problem(status: int, title: str, detail: str, slug: str | None = None,
            headers: dict[str, str] | None = None, **members: Any) -> Response:
    body: dict[str, Any] = {"type": f"/problems/{slug}" if slug else "about:blank",
                            "title": title, "status": status, "detail": detail}
    if slug in CODES:
        body["code"] = CODES[slug]
    body.update(members)
    response = Response(json.dumps(body), status, content_type=PROBLEM)
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = CACHE["none"]
    return response


def from_core(error: core.FourcastError) -> Response:
    # the nearest mapped class: a new subclass of a core error keeps its parent's answer
    kind = next((CORE_PROBLEMS[cls] for cls in type(error).__mro__ if cls in CORE_PROBLEMS),
                PROBLEM_TYPES["internal"])
    members: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, core.TooManyStreams):
        kind = STREAM_PROBLEMS[error.per_client]
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    elif isinstance(error, core.InvalidArgument):
        members["violations"] = [{"field": v.field, "description": v.description}
                                 for v in error.violations]
    elif isinstance(error, core.NotFound):
        members.update(resource_type=error.resource_type, resource_name=error.resource_name)
    elif isinstance(error, core.Unauthenticated):
        challenge = 'Bearer realm="fourcast"'
        if credential():
            challenge += ', error="invalid_token"'
        headers["WWW-Authenticate"] = challenge
    return problem(kind.status, kind.title, error.message, kind.slug, headers, **members)


def from_http(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        return from_unexpected(error)
    slug = HTTP_PROBLEMS.get(status)
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    members: dict[str, Any] = {}
    if slug == "invalid-argument":
        members["violations"] = [{"field": "request", "description": error.description}]
    # one title per problem type (RFC 9457 §3.1.3), whoever raised it; about:blank takes
    # the status phrase
    title = PROBLEM_TYPES[slug].title if slug else error.name
    return problem(status, title, error.description or error.name, slug, headers, **members)


def from_unexpected(error: BaseException) -> Response:
    log.exception("unexpected error", exc_info=error)
    internal = PROBLEM_TYPES["internal"]
    return problem(internal.status, internal.title, "internal error", internal.slug)


def register(app: Flask) -> None:
    app.register_error_handler(core.FourcastError, from_core)
    app.register_error_handler(HTTPException, from_http)
    app.register_error_handler(Exception, from_unexpected)
