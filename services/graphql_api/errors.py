"""The error contract for GraphQL: every error leaves with ``extensions.code``.

This module is the one place core errors become GraphQL errors (``docs/errors.md``). It runs as
a schema extension over every operation's result (over HTTP) and every streamed result (over the
websocket: queries, mutations and subscription events alike), so resolvers and DataLoaders
simply let core errors propagate (a subscription resolver's own failure ends its generator:
it converts with :func:`contract_error` itself):

- a core error (found as the GraphQL error's ``original_error``) gets its code from
  :data:`CODES` (by its nearest mapped class: TooManyStreams and StoreFull are
  RESOURCE_EXHAUSTED), plus ``violations`` for InvalidArgument, the resource for NotFound,
  ``perClient`` and ``retryAfterSeconds`` for TooManyStreams;
- an error with no path is a request error raised before execution (syntax, validation, the
  depth/token/alias limits, variable coercion): ``GRAPHQL_PARSE_FAILED``,
  ``GRAPHQL_VALIDATION_FAILED`` or ``BAD_USER_INPUT``, with graphql-core's message;
- anything else is a bug: masked to the client, and logged with its traceback by
  :func:`log_unexpected` (the schema's ``process_errors``, which sees errors before masking).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult as StrawberryExecutionResult

from services.core.errors import (
    FailedPrecondition,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    TooManyStreams,
    Unauthenticated,
)

log = logging.getLogger(__name__)

CODES: dict[type[FourcastError], str] = {
    NotFound: "NOT_FOUND",
    InvalidArgument: "BAD_USER_INPUT",
    FailedPrecondition: "FAILED_PRECONDITION",
    Unauthenticated: "UNAUTHENTICATED",
    PermissionDenied: "FORBIDDEN",
    ResourceExhausted: "RESOURCE_EXHAUSTED",
    Internal: "INTERNAL_SERVER_ERROR",
}
INTERNAL_CODE = "INTERNAL_SERVER_ERROR"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_REQUEST = "BAD_REQUEST"
#: codes of errors that stop a request before execution: HTTP answers them with 400
REQUEST_ERROR_CODES = frozenset({PARSE_FAILED, VALIDATION_FAILED, "BAD_USER_INPUT", BAD_REQUEST,
                                 "QUERY_TOO_COSTLY"})


def core_extensions(error: FourcastError) -> dict[str, Any]:
    """``extensions`` for a core error, by the contract table."""
    code = next((CODES[c] for c in type(error).__mro__ if c in CODES), INTERNAL_CODE)
    extensions: dict[str, Any] = {"code": code}
    if isinstance(error, InvalidArgument):
        extensions["violations"] = [{"field": v.field, "description": v.description}
                                    for v in error.violations]
    elif isinstance(error, NotFound):
        extensions["resourceType"] = error.resource_type
        extensions["resourceName"] = error.resource_name
    elif isinstance(error, TooManyStreams):
        extensions["perClient"] = error.per_client
        extensions["retryAfterSeconds"] = error.retry_after
    return extensions


def _with_contract(error: GraphQLError, parsed: bool) -> GraphQLError:
    if error.extensions and "code" in error.extensions:
        return error
    original = error.original_error
    if isinstance(original, FourcastError):
        message, extensions = original.message, core_extensions(original)
        if isinstance(original, Internal):
            message = Internal().message
    elif error.path is None:
        message = error.message
        if not parsed:
            code = PARSE_FAILED
        elif message.startswith(("Variable '$", "Too many errors processing variables")):
            code = "BAD_USER_INPUT"
        else:
            code = VALIDATION_FAILED
        extensions = {"code": code}
    else:
        message, extensions = Internal().message, {"code": INTERNAL_CODE}
    return GraphQLError(message, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, extensions=extensions)


def is_unexpected(error: GraphQLError) -> bool:
    """A failure during execution that is not a core error: a bug, to be logged and masked."""
    return (error.path is not None and not isinstance(error.original_error, FourcastError)
            and "code" not in (error.extensions or {}))


def log_unexpected(errors: Iterable[GraphQLError]) -> None:
    for error in errors:
        if is_unexpected(error):
            log.error("unexpected error in %s", ".".join(map(str, error.path or ())),
                      exc_info=error.original_error or error)


def contract_error(error: Exception) -> GraphQLError:
    """A GraphQL error, with its code, for an exception raised inside a subscription."""
    if isinstance(error, FourcastError):
        message = Internal().message if isinstance(error, Internal) else error.message
        return GraphQLError(message, extensions=core_extensions(error))
    log.error("unexpected error in a subscription", exc_info=error)
    return GraphQLError(Internal().message, extensions={"code": INTERNAL_CODE})


class ErrorContract(SchemaExtension):
    """Give every error of an operation (or of a subscription event) its contract code."""

    def _process(self, result: object) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            parsed = self.execution_context.graphql_document is not None
            result.errors = [_with_contract(e, parsed) for e in errors]  # type: ignore[attr-defined]

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult):
            self._process(result)

    def on_stream_result(self, result: object) -> Iterator[None]:  # type: ignore[override]
        """Each result a streaming transport sends (a query, a mutation or a subscription's
        event over the websocket) gets its codes before it leaves: there, the operation hook
        above only runs once the whole stream has ended."""
        if isinstance(result, GraphQLExecutionResult | StrawberryExecutionResult):
            self._process(result)
        yield
