"""Opaque page tokens for keyset paging, bound to the query that made them.

A token is URL-safe base64 of a small JSON document: a fingerprint of the query (operation and
filters, not the page size), the direction, and the sort key of the row it continues from.
Reusing a token with other filters, or passing a token that was tampered with, is an
InvalidArgument on ``page_token``. Keyset paging stays correct while rows are written between
pages, and it lets every listing go backwards too (``prev_page_token``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

from services.core.errors import InvalidArgument

Direction = Literal["after", "before"]


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: strictly ``after`` or strictly ``before`` a sort key."""

    direction: Direction
    key: tuple[Any, ...]


def fingerprint(operation: str, **filters: Any) -> str:
    canonical = json.dumps([operation, sorted((k, str(v)) for k, v in filters.items())])
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode(query: str, cursor: Cursor) -> str:
    raw = json.dumps({"q": query, "d": cursor.direction, "k": list(cursor.key)},
                     separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(token: str | None, query: str) -> Cursor | None:
    """The cursor in a token made for ``query``; None for no token."""
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        direction, key = data["d"], tuple(data["k"])
        if data["q"] != query or direction not in ("after", "before"):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError):
        raise InvalidArgument.single(
            "page_token", "is not a page token of this query (tokens are bound to the "
                          "filters that made them)") from None
    return Cursor(direction, key)
