"""The cost of a query, estimated before it runs, from the document and its variables.

Within the depth and alias limits a document can still ask for a great deal: 29 aliases of a
listing of stations, each with its alerts and a year of daily summaries, cost 23 s of CPU. So
every operation is priced before execution and refused with ``QUERY_TOO_COSTLY`` (HTTP 400
with ``application/graphql-response+json``) when its estimate is over :data:`MAX_COST`.

The estimate is an upper bound of the work, in rows the store reads and values the answer
holds: each field selected counts 1; a field that reads the store adds its
:data:`CALL_WEIGHTS`; a list multiplies what it selects by the number of items it can return,
taken from the arguments the way the core reads them: a connection's ``first``/``last`` (the
core's default page size when absent, never more than its maximum: a larger one is the core's
BAD_USER_INPUT, not a cost), ``daily``'s ``start``..``end`` (the core's default span without
both, at most its maximum), ``observationsSince``'s ``first``. Each daily summary also reads a
day of hourly rows (:data:`ROWS_PER_DAY`). Introspection counts 1 per field: it reads no store
and graphql-core's MaxIntrospectionDepthRule bounds it.

Like the depth and alias limits (:mod:`.limits`), each fragment is priced once and a spread
reuses its price, so pricing is linear in the document however its fragments nest.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.language import DocumentNode
from strawberry.extensions import SchemaExtension

from services.core.service import DEFAULT_DAILY_DAYS
from services.core.units import MEASUREMENTS
from services.core.validation import (
    DEFAULT_PAGE_SIZE,
    MAX_DAILY_DAYS,
    MAX_FORECAST_DAYS,
    MAX_PAGE_SIZE,
)
from services.graphql_api.limits import fragments_in_order

#: the most an operation may cost: about 1 s of one core on the build machine (a page of 500
#: observations with every field and unit code is about 21,000; a year of daily summaries of
#: one station about 12,500)
MAX_COST = 50_000
TOO_COSTLY = "QUERY_TOO_COSTLY"

#: store work of one call of a field, beyond the values it returns (alerts and forecasts are
#: derived from a station's whole record, then kept until the store changes)
CALL_WEIGHTS: dict[str, int] = {
    "stations": 1, "station": 1, "latestObservation": 1, "observation": 1, "alert": 10,
    "alerts": 10, "changeSequence": 1, "observationsSince": 1, "observations": 1, "daily": 1,
    "forecast": 100, "observationRecorded": 1,
}
ROWS_PER_DAY = 24
#: items of lists no argument sizes (a connection's edges are counted by the connection)
LIST_SIZES: dict[str, int] = {"edges": 1, "unitCodes": len(MEASUREMENTS),
                              "periods": MAX_FORECAST_DAYS}
OTHER_LIST_SIZE = 10
SHOWN_COST = 2**53 - 1  # the largest integer a JavaScript client reads exactly


def _argument(node: FieldNode, name: str, variables: Mapping[str, Any]) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            if isinstance(argument.value, VariableNode):
                return variables.get(argument.value.name.value)
            return value_from_ast_untyped(argument.value)
    return None


def _page_size(node: FieldNode, variables: Mapping[str, Any]) -> int:
    for name in ("first", "last"):
        value = _argument(node, name, variables)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            return min(value, MAX_PAGE_SIZE)
    return DEFAULT_PAGE_SIZE


def _days(node: FieldNode, variables: Mapping[str, Any]) -> int:
    try:
        start = date.fromisoformat(_argument(node, "start", variables))
        end = date.fromisoformat(_argument(node, "end", variables))
    except (TypeError, ValueError):
        return DEFAULT_DAILY_DAYS
    return max(1, min((end - start).days + 1, MAX_DAILY_DAYS))


def _items(node: FieldNode, type_name: str, variables: Mapping[str, Any]) -> int:
    """How many items a field returning a list or a connection can hold."""
    name = node.name.value
    if type_name.endswith("Connection") or name == "observationsSince":
        return _page_size(node, variables)
    if name == "daily":
        return _days(node, variables)
    return LIST_SIZES.get(name, OTHER_LIST_SIZE)


class _Pricer:
    def __init__(self, schema: GraphQLSchema, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments: dict[str, int] = {}

    def selection_set(self, selection_set: SelectionSetNode,
                      parent: GraphQLObjectType | None) -> int:
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FragmentSpreadNode):
                total += self.fragments.get(selection.name.value, 0)
            elif isinstance(selection, InlineFragmentNode):
                total += self.selection_set(selection.selection_set,
                                            self._type(selection.type_condition, parent))
            elif isinstance(selection, FieldNode):
                total += self.field(selection, parent)
        return total

    def _type(self, condition: Any, default: GraphQLObjectType | None
              ) -> GraphQLObjectType | None:
        if condition is None:
            return default
        found = self.schema.get_type(condition.name.value)
        return found if isinstance(found, GraphQLObjectType) else None

    def field(self, node: FieldNode, parent: GraphQLObjectType | None) -> int:
        name = node.name.value
        definition = parent.fields.get(name) if parent is not None else None
        if definition is None or (node.selection_set is None and name not in CALL_WEIGHTS):
            return 1  # a scalar, __typename, or an introspection field
        returned = get_nullable_type(definition.type)
        named = get_named_type(returned)
        child = named if isinstance(named, GraphQLObjectType) else None
        below = self.selection_set(node.selection_set, child) if node.selection_set else 0
        if named.name.endswith("Connection") or is_list_type(returned):
            count = _items(node, named.name, self.variables)
            below = count * (below + (ROWS_PER_DAY if name == "daily" else 0))
        return 1 + CALL_WEIGHTS.get(name, 0) + below

    def operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        return self.selection_set(operation.selection_set, root)


def estimate(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
             variables: Mapping[str, Any] | None) -> int:
    """The estimated cost of the operation of ``document`` that would run."""
    pricer = _Pricer(schema, variables if isinstance(variables, Mapping) else {})
    for fragment in fragments_in_order(document):
        pricer.fragments[fragment.name.value] = pricer.selection_set(
            fragment.selection_set, pricer._type(fragment.type_condition, None))
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = [o for o in operations if o.name is not None and o.name.value == operation_name]
    # without a (matching) name the operation that runs is the executor's choice: price the
    # dearest, an upper bound whichever it is
    return max((pricer.operation(o) for o in named or operations), default=0)


def too_costly(cost: int) -> GraphQLError:
    shown = min(cost, SHOWN_COST)  # a spread-doubling document's cost has hundreds of digits
    return GraphQLError(
        f"the query is too costly: its estimated cost is {shown:,}"
        f"{' or more' if cost > SHOWN_COST else ''}, the limit is {MAX_COST:,} "
        "(ask for smaller pages, shorter ranges or fewer aliases)",
        extensions={"code": TOO_COSTLY, "cost": shown, "maxCost": MAX_COST})


class QueryCostLimit(SchemaExtension):
    """Refuse an operation whose estimate is over :data:`MAX_COST`, as a validation error
    (so before execution, for queries, mutations and subscriptions alike). It runs after
    validation proper: only a valid document is priced."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if not context.pre_execution_errors and context.graphql_document is not None:
            cost = estimate(context.schema._schema, context.graphql_document,
                            context.operation_name, context.variables)
            if cost > MAX_COST:
                context.pre_execution_errors = [too_costly(cost)]
        yield
