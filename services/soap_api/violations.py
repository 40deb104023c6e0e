"""A body's XSD violations, in the core's field names, in time linear in the body.

libxml2 validates a tree in linear time, but for every error lxml records the element's path,
whose computation scans the element's siblings: an import of 40,000 observations each with a
bad value took 42 s to validate, 20,000 only 8 s. So long lists are validated a window of
:data:`WINDOW` items at a time (the rest of the list detached meanwhile), and validation stops
once ``MAX_REPORTED_VIOLATIONS`` (the core's number) are found.
"""

from __future__ import annotations

import re
from copy import deepcopy
from itertools import islice

from lxml import etree

from services.core.errors import MAX_REPORTED_VIOLATIONS, FieldViolation

WINDOW = 256
# The lists with more than WINDOW items (one linear pass inside libxml2).
_LONG_LISTS = etree.XPath(f"//*[*[{WINDOW + 1}]]")
_NAMESPACES = etree.XPath("//namespace::*")
# Parameters that carry one entity: the core names that entity's fields without a prefix.
_ENTITY_PARAMS = frozenset({"station", "observation"})
_EXPECTED = re.compile(r"Expected is (?:one of )?\( ?(?:\{[^}]*\})?(\w+)")
_SUBJECT = re.compile(r"^Element '[^']*'(?:, attribute '[^']*')?: ")


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def field_of(element: etree._Element, operation: etree._Element) -> str:
    """The core's field name of an element below ``operation`` in the request's tree."""
    return _field_of(element, "", {}, operation)


def _field_of(element: etree._Element, message: str, offset: dict[etree._Element, int],
              operation: etree._Element | None = None) -> str:
    """The core's dotted field path of an element below the operation element:
    ``ImportObservations/observations/ObservationInput[4]/temperature`` ->
    ``observations[3].temperature`` (``offset``: where each windowed list starts; the
    operation is the root unless given)."""
    steps: list[etree._Element] = []
    node: etree._Element | None = element
    while node is not None and node is not operation and node.getparent() is not None:
        steps.append(node)
        node = node.getparent()
    parts: list[str] = []
    for step in reversed(steps):
        name = etree.QName(step).localname
        parent = step.getparent()
        if name[:1].isupper() and parts and parent is not None:  # an array item
            parts[-1] += f"[{offset.get(parent, 0) + parent.index(step)}]"
        else:
            parts.append(_snake(name))
    expected = _EXPECTED.search(message)
    if expected and "not expected" in message:  # name what was missing, not its neighbour
        parts[-1:] = [_snake(expected.group(1))]
    elif expected and "Missing child" in message:
        parts.append(_snake(expected.group(1)))
    if len(parts) > 1 and parts[0] in _ENTITY_PARAMS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def schema_violations(schema: etree.XMLSchema, body: etree._Element) -> list[FieldViolation]:
    """Up to ``MAX_REPORTED_VIOLATIONS`` XSD violations of the operation element ``body``
    (none: it is valid)."""
    # The common case, a small valid body, is judged in place (as Spyne itself validates):
    # the copy below is only needed to name the fields of violations, and a body of at most
    # WINDOW elements cannot make libxml2's error paths costly.
    if next(islice(body.iter(), WINDOW, None), None) is None and schema.validate(body):
        return []
    # libxml2 reports paths in a document rooted at the validated element: validate a copy
    # rooted there, so that each path can be resolved back to its element.
    copy = etree.ElementTree(deepcopy(body))
    lists = _LONG_LISTS(copy)
    items = [list(parent) for parent in lists]
    for parent in lists:
        parent[:] = []
    windows = max((len(held) for held in items), default=0)
    violations: list[FieldViolation] = []
    offset: dict[etree._Element, int] = {}
    for start in range(0, max(windows, 1), WINDOW):
        for parent, held in zip(lists, items, strict=True):
            parent[:] = held[start:start + WINDOW]
            offset[parent] = start
        if schema.validate(copy):
            continue
        # per window: the items in it may declare prefixes of their own
        namespaces = {ns[0]: ns[1] for ns in _NAMESPACES(copy) if ns[0]}
        for entry in schema.error_log[:MAX_REPORTED_VIOLATIONS - len(violations)]:
            found = copy.xpath(entry.path, namespaces=namespaces) if entry.path else []
            element = found[0] if found and isinstance(found[0], etree._Element) else None
            field = _field_of(element, entry.message, offset) if element is not None else "body"
            violations.append(FieldViolation(field, _SUBJECT.sub("", entry.message).strip()))
        if len(violations) >= MAX_REPORTED_VIOLATIONS:
            break
    return violations
