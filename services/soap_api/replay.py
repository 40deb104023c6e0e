"""Replay protection for WS-Security UsernameTokens (UsernameToken Profile 1.0, section 4).

A token may carry a ``Nonce`` and a ``wsu:Created`` time. When it does, the message is accepted
once: a ``Created`` more than :data:`FRESHNESS` old, or more than :data:`CLOCK_SKEW` in the
future, is refused, and so is a ``Nonce`` already seen within that window. A token with neither
cannot be told from its replay (a plain PasswordText token over TLS, as SoapUI sends it by
default): it is accepted, and the documentation asks clients to send both.

A ``Nonce`` is compared as the bytes it encodes, not as text: its ``EncodingType`` is
Base64Binary (the profile's default, and the only one accepted), so ``QUJDRA==``,
``QUJD RA==`` (XML base64 allows whitespace) and ``QUJDRB==`` (other unused
trailing bits) are one nonce: they all encode ``ABCD``. A Nonce that is not base64 (``!!!``, or
``QUJDRA`` without its padding) is refused as ``Unauthenticated``, like any other malformed
token.

The server remembers nonces in the store (``WeatherService.claim_once``), for the freshness
window: every process and every replica sharing the database sees the same memory, so a message
replayed to another replica behind a load balancer is refused too, and the store's primary key
decides between two replicas that receive the same message at once. Only the nonce of a token
that authenticates a known key is remembered: a token with an unknown key grants nothing, so its
replay gains nothing, and an anonymous client cannot fill the store with nonces. Expired nonces
are deleted as new ones arrive.

Without a store (:class:`NonceCache` built with no ``claim``, as unit tests do) the nonces are
remembered in this process, at most :data:`CAPACITY` of them, the oldest forgotten first.
"""

from __future__ import annotations

import base64
import binascii
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from lxml import etree

from services.core.errors import Unauthenticated

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
FRESHNESS = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=1)
CAPACITY = 100_000
MAX_NONCE_LENGTH = 256
BASE64_BINARY = ("http://docs.oasis-open.org/wss/2004/01/"
                 "oasis-200401-wss-soap-message-security-1.0#Base64Binary")
_XML_WHITESPACE = str.maketrans("", "", " \t\r\n")


def _nonce_bytes(nonce: etree._Element) -> bytes:
    """The bytes a Nonce encodes (base64Binary: whitespace allowed, padding required)."""
    if nonce.get("EncodingType", BASE64_BINARY) != BASE64_BINARY:
        raise Unauthenticated("a UsernameToken Nonce must be Base64Binary (its EncodingType "
                              "defaults to it)")
    text = (nonce.text or "").translate(_XML_WHITESPACE)
    if not text or len(text) > MAX_NONCE_LENGTH:
        raise Unauthenticated(f"a UsernameToken Nonce has 1 to {MAX_NONCE_LENGTH} characters")
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        raise Unauthenticated("the UsernameToken's Nonce is not base64 (with its = "
                              "padding)") from None


def _created(text: str) -> datetime:
    try:
        created = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Unauthenticated(f"the UsernameToken's Created {text[:40]!r} is not an "
                              "xs:dateTime") from None
    if created.tzinfo is None:
        raise Unauthenticated("the UsernameToken's Created needs a time zone (Z)")
    return created


Claim = Callable[[bytes, float], bool]
"""``claim(nonce, lifetime)``: True the first time ``nonce`` is seen within ``lifetime`` s."""

NONCE_SCOPE = "ws-security-nonce"  # the store's scope for the nonces this module claims


class NonceCache:
    """Refuses a stale UsernameToken, and a second use of a Nonce within the window."""

    def __init__(self, claim: Claim | None = None, capacity: int = CAPACITY,
                 clock: Callable[[], float] = time.time) -> None:
        self._claim = claim or self._remember
        self._seen: OrderedDict[bytes, float] = OrderedDict()  # nonce -> forget after (epoch s)
        self._capacity = capacity
        self._clock = clock
        self._lock = threading.Lock()

    def check(self, header_entries: Iterable[etree._Element], remember: bool = True) -> None:
        """Raise ``Unauthenticated`` if the message's UsernameToken is stale, or replayed.

        ``remember``: whether the token authenticates a known key, so that its Nonce is worth
        remembering (the caller knows the keys); a stale token is refused either way.
        """
        for entry in header_entries:
            if entry.tag == f"{{{WSSE}}}Security":
                token = entry.find(f"{{{WSSE}}}UsernameToken")
                if token is not None:
                    self._admit(token.find(f"{{{WSSE}}}Nonce"),
                                token.findtext(f"{{{WSU}}}Created"), remember)

    def _admit(self, nonce_element: etree._Element | None, created_text: str | None,
               remember: bool) -> None:
        now = self._clock()
        if created_text is not None:
            age = datetime.fromtimestamp(now, UTC) - _created(created_text)
            if age > FRESHNESS:
                raise Unauthenticated("the UsernameToken is stale: Created must be within "
                                      f"{FRESHNESS.seconds // 60} minutes of the server's clock")
            if age < -CLOCK_SKEW:
                raise Unauthenticated("the UsernameToken's Created is in the future")
        if nonce_element is None:
            return
        nonce = _nonce_bytes(nonce_element)
        # Long enough that a token accepted now (Created up to CLOCK_SKEW ahead) stays refused
        # until its Created is too old anyway.
        if remember and not self._claim(nonce, (FRESHNESS + CLOCK_SKEW).total_seconds()):
            raise Unauthenticated("the UsernameToken's Nonce was already used: a replayed "
                                  "message is refused (send a fresh Nonce per message)")

    def _remember(self, nonce: bytes, lifetime: float) -> bool:
        """The in-process memory, where no store is given."""
        now = self._clock()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now:
                self._seen.popitem(last=False)
            if nonce in self._seen:
                return False
            if len(self._seen) >= self._capacity:
                self._seen.popitem(last=False)
            self._seen[nonce] = now + lifetime
        return True
