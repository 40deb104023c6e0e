"""Page tokens are opaque, signed, bound to the query that made them, and checked in shape."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from services.core import InvalidArgument, paging
from services.core.keyset import ALERT_KEY, OBSERVATION_KEY, STATION_KEY

ANY_KEY = paging.key_of(lambda _: True)


def forged(query: str, key: Any, direction: str = "after") -> str:
    """A token whose payload we chose, signed as the server signs (the default secret is
    public, so the signature alone cannot keep this out: the key check must)."""
    raw = json.dumps({"q": query, "d": direction, "k": key}).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{paging._b64(paging._signature(payload))}"


def test_a_token_round_trips_for_its_own_query() -> None:
    query = paging.fingerprint("observations", station="KJFK", start="a", end="b")
    token = paging.encode(query, paging.Cursor("after", (1372636800,)))
    assert paging.decode(token, query, OBSERVATION_KEY) == paging.Cursor("after", (1372636800,))
    assert paging.decode(None, query, OBSERVATION_KEY) is None


@pytest.mark.parametrize("token", ["garbage", "e30", "!!!", "eyJxIjoxfQ", "a.b.c", "." * 5000])
def test_a_malformed_token_is_an_invalid_argument(token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        paging.decode(token, paging.fingerprint("stations"), STATION_KEY)
    assert caught.value.violations[0].field == "page_token"


def test_a_token_reused_with_other_filters_is_refused() -> None:
    mine = paging.fingerprint("observations", station="KJFK")
    other = paging.fingerprint("observations", station="KLGA")
    token = paging.encode(mine, paging.Cursor("after", (1,)))
    with pytest.raises(InvalidArgument):
        paging.decode(token, other, ANY_KEY)


def test_an_unsigned_token_with_the_right_fingerprint_is_refused() -> None:
    query = paging.fingerprint("stations")
    payload = forged(query, ["KJFK"]).partition(".")[0]
    with pytest.raises(InvalidArgument):
        paging.decode(payload, query, STATION_KEY)
    with pytest.raises(InvalidArgument):
        paging.decode(payload + ".AAAAAAAAAAAAAAAAAAAAAA", query, STATION_KEY)


def test_a_token_signed_with_another_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    query = paging.fingerprint("stations")
    token = paging.encode(query, paging.Cursor("after", ("KJFK",)))
    monkeypatch.setenv(paging.SECRET_VARIABLE, "the replicas' shared secret")
    with pytest.raises(InvalidArgument):
        paging.decode(token, query, STATION_KEY)
    ours = paging.encode(query, paging.Cursor("after", ("KJFK",)))
    assert paging.decode(ours, query, STATION_KEY) == paging.Cursor("after", ("KJFK",))


@pytest.mark.parametrize(("check", "key"), [
    (STATION_KEY, [1]),
    (STATION_KEY, ["kjfk"]),
    (STATION_KEY, [["KJFK"]]),
    (STATION_KEY, ["KJFK", "KLGA"]),
    (STATION_KEY, []),
    (OBSERVATION_KEY, [10**30]),
    (OBSERVATION_KEY, [-(10**30)]),
    (OBSERVATION_KEY, ["1372636800"]),
    (OBSERVATION_KEY, [1.5]),
    (OBSERVATION_KEY, [True]),
    (OBSERVATION_KEY, [None]),
    (ALERT_KEY, ["2013-01-31T03:00:00+00:00", 7]),
    (ALERT_KEY, ["not a time", "KJFK-WIND-20130131T0300Z"]),
    (ALERT_KEY, ["9999-12-31T23:59:59+00:00", "KJFK-WIND-20130131T0300Z"]),
    (ALERT_KEY, ["2013-01-31T03:00:00", "KJFK-WIND-20130131T0300Z"]),
    (ALERT_KEY, [{"a": 1}, "x"]),
])
def test_a_signed_token_whose_key_has_the_wrong_shape_is_refused(
        check: paging.KeyCheck, key: Any) -> None:
    query = paging.fingerprint("any")
    with pytest.raises(InvalidArgument) as caught:
        paging.decode(forged(query, key), query, check)
    assert caught.value.violations[0].field == "page_token"


def test_a_deeply_nested_key_is_refused_not_a_recursion_error() -> None:
    query = paging.fingerprint("stations")
    payload = base64.urlsafe_b64encode(
        b'{"q":"' + query.encode() + b'","d":"after","k":' + b"[" * 100_000 + b"]" * 100_000
        + b"}").decode()
    with pytest.raises(InvalidArgument):
        paging.decode(payload, query, STATION_KEY)


def test_valid_keys_of_every_listing_pass() -> None:
    assert STATION_KEY(("KJFK",))
    assert OBSERVATION_KEY((1372636800,))
    assert ALERT_KEY(("2013-01-31T03:00:00+00:00", "KJFK-WIND-20130131T0300Z"))
