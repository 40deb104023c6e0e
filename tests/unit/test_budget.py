"""The stream budget and who counts as one client: one rule for every protocol."""

from __future__ import annotations

import pytest

from services.core.auth import KeyChecker
from services.core.budget import StreamBudget, client_identity, forwarded_address, proxy_hops
from services.core.errors import TooManyStreams

KEYS = KeyChecker(["writer-key"], ["reader-key"])


def test_a_known_key_is_its_own_client_whatever_the_address() -> None:
    assert client_identity(KEYS, "writer-key", "10.0.0.1") == \
        client_identity(KEYS, "writer-key", "10.0.0.2")
    assert client_identity(KEYS, "reader-key", "a") != client_identity(KEYS, "writer-key", "a")


def test_the_key_itself_is_not_kept_in_the_identity() -> None:
    assert "writer-key" not in client_identity(KEYS, "writer-key", "127.0.0.1")


@pytest.mark.parametrize("credential", [None, "", "invented-key", "another-invented-key"])
def test_an_unknown_or_missing_key_counts_as_its_address(credential: str | None) -> None:
    assert client_identity(KEYS, credential, "127.0.0.1") == "address:127.0.0.1"


def test_inventing_keys_gives_no_fresh_share() -> None:
    budget = StreamBudget(total=10, per_client=2)
    leases = [budget.acquire(client_identity(KEYS, f"invented-{n}", "127.0.0.1"))
              for n in range(2)]
    with pytest.raises(TooManyStreams) as refused:
        budget.acquire(client_identity(KEYS, "invented-3", "127.0.0.1"))
    assert refused.value.per_client is True
    budget.acquire(client_identity(KEYS, "writer-key", "127.0.0.1")).release()  # its own share
    for lease in leases:
        lease.release()
    assert budget.in_use == 0


def test_a_full_server_budget_refuses_every_client() -> None:
    budget = StreamBudget(total=2, per_client=2)
    held = [budget.acquire("a"), budget.acquire("b")]
    with pytest.raises(TooManyStreams) as refused:
        budget.acquire("c")
    assert refused.value.per_client is False
    held[0].release()
    with budget.acquire("c"):
        assert budget.in_use == 2


@pytest.mark.parametrize(("forwarded_for", "hops", "expected"), [
    (None, 1, "10.0.0.9"),                       # no header: the peer
    ("203.0.113.7", 0, "10.0.0.9"),              # no trusted proxy: the header is ignored
    ("203.0.113.7", 1, "203.0.113.7"),           # one proxy: the address it saw
    ("1.1.1.1, 203.0.113.7", 1, "203.0.113.7"),  # a client-forged entry left of it is ignored
    ("1.1.1.1, 203.0.113.7", 2, "1.1.1.1"),
    ("203.0.113.7", 2, "10.0.0.9"),              # fewer entries than proxies: the peer
])
def test_the_address_behind_trusted_proxies_is_read_from_the_right(
        forwarded_for: str | None, hops: int, expected: str) -> None:
    assert forwarded_address("10.0.0.9", forwarded_for, hops) == expected


def test_proxy_hops_come_from_the_environment() -> None:
    assert proxy_hops({}) == 0
    assert proxy_hops({"FOURCAST_PROXY_HOPS": "1"}) == 1
