"""API keys for writes: a core rule, so every protocol refuses exactly the same requests.

Adapters only extract the credential (a Bearer token, ``authorization`` metadata, a
WS-Security UsernameToken password) and pass it to the use case. Keys come from the environment:

- ``FOURCAST_API_KEYS``: comma-separated keys that may write;
- ``FOURCAST_READ_ONLY_KEYS``: comma-separated keys that are known but may not write
  (they get PermissionDenied rather than Unauthenticated).

Comparison is constant-time. With no write key configured, every write is refused.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Iterable, Mapping

from services.core.errors import PermissionDenied, Unauthenticated

API_KEYS_ENV = "FOURCAST_API_KEYS"
READ_ONLY_KEYS_ENV = "FOURCAST_READ_ONLY_KEYS"


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(k.strip() for k in (value or "").split(",") if k.strip())


def _contains(keys: Iterable[str], credential: str) -> bool:
    found = False
    for key in keys:  # no early exit: the time taken does not depend on which key matched
        found |= hmac.compare_digest(key.encode(), credential.encode())
    return found


class KeyChecker:
    def __init__(self, write_keys: Iterable[str], read_only_keys: Iterable[str] = ()) -> None:
        self.write_keys = tuple(write_keys)
        self.read_only_keys = tuple(read_only_keys)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> KeyChecker:
        env = os.environ if environ is None else environ
        return cls(_split(env.get(API_KEYS_ENV)), _split(env.get(READ_ONLY_KEYS_ENV)))

    def is_known(self, credential: str | None) -> bool:
        """Whether ``credential`` is a configured key (a write key or a read-only one)."""
        if not credential:
            return False
        return _contains(self.write_keys, credential) | _contains(self.read_only_keys,
                                                                   credential)

    def require_writer(self, credential: str | None) -> None:
        """Raise unless ``credential`` is a key that may write."""
        if not credential:
            raise Unauthenticated("this operation needs an API key")
        if _contains(self.write_keys, credential):
            return
        if _contains(self.read_only_keys, credential):
            raise PermissionDenied("this API key may read but not write")
        raise Unauthenticated("the API key is not valid")


def generate_key() -> str:
    """A fresh development key (``fourcast serve`` prints it when none is configured)."""
    return "dev-" + secrets.token_urlsafe(18)
