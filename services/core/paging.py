"""Opaque page tokens for keyset paging, bound to the query that made them.

A token is ``PAYLOAD.SIGNATURE``: URL-safe base64 of a small JSON document (a fingerprint of the
query, i.e. operation and filters but not the page size, the direction, and the sort key of the
row it continues from) and an HMAC-SHA256 of it. Reusing a token with other filters, a token
that was tampered with, or one whose key does not have the shape the listing sorts by, is an
InvalidArgument on ``page_token``: never a server error.

The signing secret comes from ``FOURCAST_PAGE_TOKEN_SECRET`` and must be the same on every
replica. Unset, a fixed public default is used, so restarts and replicas keep accepting each
other's tokens; the signature then only catches corruption, and the key check below is what
keeps a forged token harmless. Production sets the variable.

Keyset paging stays correct while rows are written between pages, and it lets every listing go
backwards too (``prev_page_token``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from services.core.errors import InvalidArgument

Direction = Literal["after", "before"]
KeyCheck = Callable[[tuple[Any, ...]], bool]

SECRET_VARIABLE = "FOURCAST_PAGE_TOKEN_SECRET"
DEFAULT_SECRET = "fourcast-public-default-page-token-secret"  # documented, not a secret
MAX_TOKEN_LENGTH = 1024  # our tokens are under 300 characters
_SIGNATURE_BYTES = 16


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where a page starts: strictly ``after`` or strictly ``before`` a sort key."""

    direction: Direction
    key: tuple[Any, ...]


def fingerprint(operation: str, **filters: Any) -> str:
    canonical = json.dumps([operation, sorted((k, str(v)) for k, v in filters.items())])
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode((text + "=" * (-len(text) % 4)).encode("ascii"))


def _signature(payload: str) -> bytes:
    secret = os.environ.get(SECRET_VARIABLE) or DEFAULT_SECRET
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).digest()
    return digest[:_SIGNATURE_BYTES]


def encode(query: str, cursor: Cursor) -> str:
    raw = json.dumps({"q": query, "d": cursor.direction, "k": list(cursor.key)},
                     separators=(",", ":"))
    payload = _b64(raw.encode())
    return f"{payload}.{_b64(_signature(payload))}"


def _refused() -> InvalidArgument:
    return InvalidArgument.single(
        "page_token", "is not a page token of this query (tokens are bound to the filters "
                      "that made them)")


def decode(token: str | None, query: str, key_is_valid: KeyCheck) -> Cursor | None:
    """The cursor in a token made for ``query`` whose key passes ``key_is_valid``; None for
    no token. Nothing in a token is trusted before its signature and shape are checked."""
    if not token:
        return None
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise _refused()
    try:
        payload, _, signature = token.partition(".")
        if not hmac.compare_digest(_unb64(signature), _signature(payload)):
            raise ValueError
        data = json.loads(_unb64(payload))
        if not isinstance(data, dict) or not isinstance(data.get("k"), list):
            raise ValueError
        direction, key = data["d"], tuple(data["k"])
        if data["q"] != query or direction not in ("after", "before") \
                or not key_is_valid(key):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeError, RecursionError,
            OverflowError):
        raise _refused() from None
    return Cursor(direction, key)


# -- the keys each listing sorts by --------------------------------------------------------


def is_int_in(low: int, high: int) -> Callable[[object], bool]:
    return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high


def is_text(max_length: int, check: Callable[[str], bool] = lambda _: True
            ) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and len(v) <= max_length and check(v)


def key_of(*parts: Callable[[object], bool]) -> KeyCheck:
    """A key check: exactly these parts, each passing its own check."""
    return lambda key: len(key) == len(parts) and all(p(v) for p, v in zip(parts, key,
                                                                          strict=True))
