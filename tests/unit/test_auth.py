"""Write keys are checked in the core; adapters only pass the credential on."""

from __future__ import annotations

import pytest

from services.core import PermissionDenied, Unauthenticated
from services.core.auth import KeyChecker


def test_keys_come_from_the_environment() -> None:
    keys = KeyChecker.from_env({"FOURCAST_API_KEYS": " a , b ,", "FOURCAST_READ_ONLY_KEYS": "r"})
    keys.require_writer("a")
    keys.require_writer("b")
    with pytest.raises(PermissionDenied):
        keys.require_writer("r")


@pytest.mark.parametrize("credential", [None, "", "c", "a "])
def test_a_missing_or_unknown_key_is_unauthenticated(credential: str | None) -> None:
    with pytest.raises(Unauthenticated):
        KeyChecker(["a"]).require_writer(credential)


def test_with_no_keys_configured_nobody_writes() -> None:
    with pytest.raises(Unauthenticated):
        KeyChecker.from_env({}).require_writer("anything")
