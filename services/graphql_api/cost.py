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

import threading
from collections import OrderedDict
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
from strawberry.types import ExecutionContext

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


_ABSENT = object()


def _same(given: Mapping[str, Any], read: Mapping[str, Any]) -> bool:
    """Whether ``given`` holds what an estimate read (1, 1.0 and True apart)."""
    for name, value in read.items():
        now = given.get(name, _ABSENT)
        if now is not value and (type(now) is not type(value) or now != value):
            return False
    return True


class _Reads(Mapping[str, Any]):
    """The variables, remembering which of them the estimate read."""

    def __init__(self, variables: Mapping[str, Any]) -> None:
        self.variables = variables
        self.read: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        value = self.variables.get(name, _ABSENT)
        self.read[name] = value  # an absent one too: its absence priced the document
        if value is _ABSENT:
            raise KeyError(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)


class _CostCache:
    """Estimates by document text and operation name, each kept with the variables it read
    (usually none): the same document with the same page sizes and ranges is priced once, as
    the parser and validation caches parse and validate it once."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.entries: OrderedDict[tuple[str, str | None], tuple[dict[str, Any], int]] = \
            OrderedDict()
        self.lock = threading.Lock()  # heavy requests price on worker threads

    def cost(self, schema: GraphQLSchema, document: DocumentNode, query: str | None,
             operation_name: str | None, variables: Mapping[str, Any] | None) -> int:
        given = variables if isinstance(variables, Mapping) else {}
        key = (query or "", operation_name)
        with self.lock:
            entry = self.entries.get(key)
            if query is not None and entry is not None and _same(given, entry[0]):
                self.entries.move_to_end(key)
                return entry[1]
        reads = _Reads(given)
        cost = estimate(schema, document, operation_name, reads)
        if query is not None:
            with self.lock:
                self.entries[key] = (reads.read, cost)
                self.entries.move_to_end(key)
                if len(self.entries) > self.maxsize:
                    self.entries.popitem(last=False)
        return cost


_cache = _CostCache(maxsize=256)


def cost_error(context: ExecutionContext) -> GraphQLError | None:
    """QUERY_TOO_COSTLY when the operation about to run is estimated over :data:`MAX_COST`
    (checked after validation proper, before execution: only a valid document is priced)."""
    if context.graphql_document is None:
        return None
    cost = _cache.cost(context.schema._schema, context.graphql_document, context.query,
                       context.operation_name, context.variables)
    return too_costly(cost) if cost > MAX_COST else None
