"""Relay-style connections (edges, cursor, pageInfo) over the core's opaque page tokens.

The core pages by keyset and hands out two tokens per page: ``next_page_token`` (continue after
the last item) and ``prev_page_token`` (go back before the first). They are the connection's
``endCursor`` and ``startCursor``, passed back as ``after`` and ``before``. The core does not
mint a token per row, so only the first and last edge carry a cursor (the others are null):
that is what a client needs to page forwards or backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from services.core.domain import Page
from services.core.errors import InvalidArgument

Node = TypeVar("Node")
Item = TypeVar("Item")


@strawberry.type(description="Where a page sits in its listing (Relay cursor connections).")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None = strawberry.field(
        description="pass as `before` (with `last`) for the previous page")
    end_cursor: str | None = strawberry.field(
        description="pass as `after` (with `first`) for the next page")


@strawberry.type
class Edge(Generic[Node]):
    node: Node
    cursor: str | None = strawberry.field(
        description="set on the first edge (startCursor) and the last (endCursor)")


@strawberry.type
class Connection(Generic[Node]):
    edges: list[Edge[Node]]
    page_info: PageInfo

    @classmethod
    def from_domain(cls, page: Page[Item],
                    convert: Callable[[Item], Node]) -> Connection[Node]:
        edges = [Edge(node=convert(item), cursor=None) for item in page.items]
        if edges:
            edges[0].cursor = page.prev_page_token
            edges[-1].cursor = page.next_page_token
        return cls(edges=edges, page_info=PageInfo(
            has_next_page=page.next_page_token is not None,
            has_previous_page=page.prev_page_token is not None,
            start_cursor=page.prev_page_token, end_cursor=page.next_page_token))


def page_request(first: int | None, after: str | None, last: int | None,
                 before: str | None) -> tuple[int | None, str | None]:
    """The core's (page_size, page_token) for Relay's arguments: one direction at a time."""
    if first is not None and last is not None:
        raise InvalidArgument.single("last", "cannot be combined with first")
    if after is not None and before is not None:
        raise InvalidArgument.single("before", "cannot be combined with after")
    return (first if first is not None else last), (after if after is not None else before)
