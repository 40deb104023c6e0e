"""Page tokens are opaque and bound to the query that made them."""

from __future__ import annotations

import pytest

from services.core import InvalidArgument, paging


def test_a_token_round_trips_for_its_own_query() -> None:
    query = paging.fingerprint("observations", station="KJFK", start="a", end="b")
    token = paging.encode(query, paging.Cursor("after", (1372636800,)))
    assert paging.decode(token, query) == paging.Cursor("after", (1372636800,))
    assert paging.decode(None, query) is None


@pytest.mark.parametrize("token", ["garbage", "e30", "!!!", "eyJxIjoxfQ"])
def test_a_forged_token_is_an_invalid_argument(token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        paging.decode(token, paging.fingerprint("stations"))
    assert caught.value.violations[0].field == "page_token"


def test_a_token_reused_with_other_filters_is_refused() -> None:
    mine = paging.fingerprint("observations", station="KJFK")
    other = paging.fingerprint("observations", station="KLGA")
    token = paging.encode(mine, paging.Cursor("after", (1,)))
    with pytest.raises(InvalidArgument):
        paging.decode(token, other)
