"""Depth and alias limits, checked in time linear in the document.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter walk every path a document expands to:
fragments that each spread the next one twice make that walk double per fragment (40 of them,
1.7 kB, never finished). Here each fragment is measured once, in an order where every fragment
it spreads was measured before it, and a spread reuses that measure: depth is the deepest
spread, aliases add up per spread (the count the document expands to, a big integer computed
in a few additions). A cycle of spreads is cut where it closes (graphql-core's
NoFragmentCyclesRule reports it).

The messages are Strawberry's, so clients see the same errors as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from graphql.language import DocumentNode


def spread_names(selection_set: SelectionSetNode | None) -> Iterator[str]:
    """The fragments spread anywhere inside ``selection_set`` (not following the spreads)."""
    pending = [selection_set] if selection_set is not None else []
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                yield selection.name.value
            elif isinstance(selection, FieldNode | InlineFragmentNode) \
                    and selection.selection_set is not None:
                pending.append(selection.selection_set)


def fragments_in_order(document: DocumentNode) -> list[FragmentDefinitionNode]:
    """Every fragment definition, each after the fragments it spreads (cycles cut; a name
    defined twice keeps its first definition, as graphql-core's lookup does)."""
    fragments: dict[str, FragmentDefinitionNode] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            fragments.setdefault(definition.name.value, definition)
    ordered: list[FragmentDefinitionNode] = []
    state: dict[str, bool] = {}  # False: being visited, True: done
    for root in fragments:
        if root in state:
            continue
        state[root] = False
        stack = [(root, iter(list(spread_names(fragments[root].selection_set))))]
        while stack:  # iterative: a chain of a thousand fragments must not hit recursion
            name, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                state[name] = True
                ordered.append(fragments[name])
            elif child in fragments and child not in state:
                state[child] = False
                stack.append((child, iter(list(spread_names(fragments[child].selection_set)))))
    return ordered


@dataclass(frozen=True, slots=True)
class Shape:
    """What a selection set expands to: its depth in fields and the aliases it holds."""

    depth: int = 0
    aliases: int = 0


def _shape(selection_set: SelectionSetNode, known: dict[str, Shape]) -> Shape:
    depth = aliases = 0
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            inner = known.get(selection.name.value, Shape())
        elif isinstance(selection, InlineFragmentNode):
            inner = _shape(selection.selection_set, known)
        else:
            assert isinstance(selection, FieldNode)
            aliases += selection.alias is not None
            # introspection is bounded by graphql-core's MaxIntrospectionDepthRule instead
            if selection.selection_set is None or selection.name.value.startswith("__"):
                continue
            below = _shape(selection.selection_set, known)
            inner = Shape(below.depth + 1, below.aliases)
        depth = max(depth, inner.depth)
        aliases += inner.aliases
    return Shape(depth, aliases)


def document_shapes(document: DocumentNode) -> dict[OperationDefinitionNode, Shape]:
    """The shape of each operation of ``document``, every fragment measured once."""
    known: dict[str, Shape] = {}
    for fragment in fragments_in_order(document):
        known[fragment.name.value] = _shape(fragment.selection_set, known)
    return {definition: _shape(definition.selection_set, known)
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)}


def limits_rule(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """A validation rule refusing operations deeper than ``max_depth`` fields and documents
    holding more than ``max_aliases`` aliases once their fragments are spread."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            shapes = document_shapes(context.document)
            for operation, shape in shapes.items():
                if shape.depth > max_depth:
                    name = operation.name.value if operation.name else "anonymous"
                    context.report_error(GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {max_depth}",
                        [operation]))
            aliases = sum(shape.aliases for shape in shapes.values())
            if aliases > max_aliases:
                context.report_error(GraphQLError(
                    f"{aliases} aliases found. Allowed: {max_aliases}"))

    return DocumentLimits
