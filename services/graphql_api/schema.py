"""The schema, its limits against hostile queries, and its caches.

Limits (each refused before execution, with an error code):

- depth: :data:`MAX_DEPTH` levels of fields (the deepest useful query here is 7). The limit
  skips introspection, where the schema's only cycles are (``__Type.fields.type…``);
  graphql-core's own ``MaxIntrospectionDepthRule`` (a standard rule) bounds those, and its
  parser refuses documents nested too deeply;
- tokens: :data:`MAX_TOKENS` per document (checked while parsing: a huge document is never
  built into an AST);
- aliases: :data:`MAX_ALIASES` per document (an alias bomb repeats one costly field);
- cost: :data:`~services.graphql_api.cost.MAX_COST`, estimated from the page sizes and ranges
  asked for (:mod:`.cost`), refused with ``QUERY_TOO_COSTLY``;
- page size: the core's limit (``first``/``last`` at most 500) applies to every connection.

Depth, aliases and cost are measured once per fragment (:mod:`.limits`), so checking them is
linear in the document however its fragments spread one another.

A document of several operations must name the one to run (``operationName``), else the request
is refused with ``BAD_REQUEST`` (:func:`unnamed_operation`). A subscription is never executed as a
single result: over HTTP it is refused (subscriptions are served over the websocket).

Introspection is on: Fourcast is a showcase of API styles, and GraphQL's self-description is one
of the things it demonstrates (stock clients fetch the schema, GraphiQL completes queries). It
reveals nothing that ``schema.graphql`` in the repository does not already publish.

Parsing and validating a document costs more than resolving a simple query, so both are cached
(keyed by the document text): a client that sends the same document with variables, as every
well-behaved client does, pays for them once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import strawberry
from graphql import ASTValidationRule, GraphQLError, OperationDefinitionNode
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.schema import DEFAULT_ALLOWED_OPERATION_TYPES
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from services.graphql_api.cost import cost_error
from services.graphql_api.errors import BAD_REQUEST, ErrorContract, log_unexpected
from services.graphql_api.limits import limits_rule
from services.graphql_api.mutation import Mutation
from services.graphql_api.query import Query
from services.graphql_api.subscription import Subscription

MAX_DEPTH = 10
MAX_TOKENS = 5000
MAX_ALIASES = 30
CACHE_SIZE = 256
# The rule class is made once, here: a new class per request would make every
# ValidationCache lookup (keyed by the rule classes) a miss.
LIMIT_RULES: tuple[type[ASTValidationRule], ...] = (limits_rule(MAX_DEPTH, MAX_ALIASES),)


class LimitedParserCache(ParserCache):
    """Strawberry's ParserCache with the token limit (:data:`MAX_TOKENS`, Strawberry's
    MaxTokensLimiter folded in: one extension less to run per request), except that a document
    that does not parse is left to Strawberry's own parse step, which reports the syntax (or
    token limit) error as part of the operation, where :class:`ErrorContract` gives it its code.
    (Raised from the cache's hook, the error would escape the operation and reach the client
    without a code.)"""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query,
                                                                  **context.parse_options)
        yield


class CheckedValidationCache(ValidationCache):
    """Strawberry's ValidationCache over the standard rules plus :data:`LIMIT_RULES` (as
    AddValidationRules would add them), then, for a document found valid, what needs the
    request: its operation named when it holds several (:func:`unnamed_operation`) and its
    estimated cost (:func:`~.cost.cost_error`). One extension for what used to take four: each
    extension's hooks cost every request."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = context.validation_rules + LIMIT_RULES
        # ValidationCache's own step, then what only a valid document is checked for
        context.pre_execution_errors = self.cached_validate_document(
            context.schema._schema, context.graphql_document, context.validation_rules)
        if context.pre_execution_errors == []:
            error = unnamed_operation(context) or cost_error(context)
            if error is not None:
                context.pre_execution_errors = [error]
        yield


def unnamed_operation(context: ExecutionContext) -> GraphQLError | None:
    """A document of several operations needs ``operationName`` (GraphQL's GetOperation: a
    request error), where Strawberry would run the first one."""
    operations = [d for d in getattr(context.graphql_document, "definitions", ())
                  if isinstance(d, OperationDefinitionNode)]
    # the name the client sent: Strawberry's operation_name falls back to the first's
    if len(operations) > 1 and context._provided_operation_name is None:
        return GraphQLError("the document holds several operations: name the one to run "
                            "with operationName", extensions={"code": BAD_REQUEST})
    return None


class FourcastSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        """Log bugs only: a NOT_FOUND or a bad input is an answer, not a server problem
        (Strawberry would log every error with its traceback)."""
        log_unexpected(errors)

    async def execute(
            self, query: str | None, variable_values: dict[str, Any] | None = None,
            context_value: Any | None = None, root_value: Any | None = None,
            operation_name: str | None = None,
            allowed_operation_types: Iterable[OperationType] | None = None,
            operation_extensions: dict[str, Any] | None = None) -> ExecutionResult:
        """Run a query or a mutation. A subscription is never executed as a single result
        (it would be a null where a stream belongs, a non-null error): it is refused with
        InvalidOperationTypeError, which HTTP answers as a request error. Subscriptions are
        served by :meth:`stream`, over websockets."""
        allowed = set(allowed_operation_types or DEFAULT_ALLOWED_OPERATION_TYPES)
        return await super().execute(query, variable_values, context_value, root_value,
                                     operation_name, allowed - {OperationType.SUBSCRIPTION},
                                     operation_extensions)


def build_schema() -> strawberry.Schema:
    return FourcastSchema(
        query=Query, mutation=Mutation, subscription=Subscription,
        # Factories: Strawberry builds fresh extension instances for each operation.
        extensions=[
            ErrorContract,
            lambda: LimitedParserCache(maxsize=CACHE_SIZE),
            lambda: CheckedValidationCache(maxsize=CACHE_SIZE),
        ])
