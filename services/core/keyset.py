"""Keyset pages: one page of any listing, its next/prev tokens, and the sort key each listing's
tokens carry (checked before a decoded key reaches a query)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.core import paging, validation
from services.core.domain import Alert, Page


def _is_instant(value: str) -> bool:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None and validation.EARLIEST <= parsed < validation.LATEST


# The sort keys each listing's page tokens carry, checked before they reach a query.
STATION_KEY = paging.key_of(validation.is_station_id)
OBSERVATION_KEY = paging.key_of(paging.is_int_in(int(validation.EARLIEST.timestamp()),
                                                 int(validation.LATEST.timestamp())))
ALERT_KEY = paging.key_of(paging.is_text(40, _is_instant), paging.is_text(64))


def alert_key(alert: Alert) -> tuple[str, str]:
    return (alert.onset.isoformat(), alert.id)


def keyset_page(fetch: Any, key: Any, size: int, cursor: paging.Cursor | None,
                 query: str) -> Page[Any]:
    """One page from ``fetch(after, before, limit)`` with next/prev tokens."""
    if cursor is not None and cursor.direction == "before":
        rows = fetch(None, cursor.key, size + 1)
        more_before = len(rows) > size
        items = rows[-size:] if rows else []
        prev_token: str | None = (paging.encode(query, paging.Cursor("before", key(items[0])))
                                  if more_before and items else None)
        next_token: str | None = (paging.encode(query, paging.Cursor("after", key(items[-1])))
                      if items else paging.encode(query, paging.Cursor("after", cursor.key)))
        return Page(tuple(items), next_token, prev_token)
    rows = fetch(cursor.key if cursor else None, None, size + 1)
    items = rows[:size]
    next_token = (paging.encode(query, paging.Cursor("after", key(items[-1])))
                  if len(rows) > size else None)
    prev_token = None
    if cursor is not None:
        anchor = key(items[0]) if items else cursor.key
        prev_token = paging.encode(query, paging.Cursor("before", anchor))
    return Page(tuple(items), next_token, prev_token)
