"""Unexpected failures are masked; the client maps every contract code back to its class."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from gql.transport.exceptions import TransportQueryError

from clients.graphql_client import CODES, core_error
from services.core.auth import KeyChecker
from services.core.budget import StreamBudget
from services.core.domain import Station
from services.core.errors import InvalidArgument, NotFound
from services.core.service import WeatherService
from services.graphql_api.context import Context
from services.graphql_api.errors import CODES as SERVER_CODES
from services.graphql_api.schema import build_schema
from services.store import open_store


class BrokenService(WeatherService):
    def get_station(self, station_id: str) -> Station:
        raise RuntimeError(f"disk I/O error in /var/lib/secret.sqlite3 reading {station_id}")


def a_context(service: WeatherService) -> Context:
    return Context(service, None, StreamBudget(1, 1), "test")


def test_an_unexpected_error_is_masked_and_logged(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    service = BrokenService(open_store(tmp_path / "db.sqlite3"), KeyChecker([]))
    with caplog.at_level(logging.ERROR, "services.graphql_api.errors"):
        result = asyncio.run(build_schema().execute(
            '{ station(id: "KJFK") { id } }', context_value=a_context(service)))
    assert result.errors is not None
    [error] = result.errors
    assert error.message == "internal error"
    assert error.extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert "secret" not in str(error.formatted)
    assert "secret.sqlite3" in caplog.text  # the operator still sees what happened


def test_every_server_code_maps_back_to_its_core_class() -> None:
    for core_class, code in SERVER_CODES.items():
        assert CODES[code] is core_class


def test_the_client_rebuilds_not_found_and_violations() -> None:
    not_found = core_error(TransportQueryError("x", errors=[{
        "message": "station 'KZZZ' not found",
        "extensions": {"code": "NOT_FOUND", "resourceType": "station",
                       "resourceName": "KZZZ"}}]))
    assert isinstance(not_found, NotFound)
    assert not_found.details() == ("NOT_FOUND", "station", "KZZZ")
    invalid = core_error(TransportQueryError("x", errors=[{
        "message": "bad", "extensions": {"code": "BAD_USER_INPUT", "violations": [
            {"field": "days", "description": "must be between 1 and 7"}]}}]))
    assert isinstance(invalid, InvalidArgument) and invalid.details()[1] == ("days",)
