"""Unexpected failures are masked; the client maps every contract code back to its class."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from gql.transport.exceptions import TransportQueryError

from clients.graphql_client import CODES, GraphQLClient, core_error
from services.core.auth import KeyChecker
from services.core.budget import StreamBudget
from services.core.domain import Station
from services.core.errors import InvalidArgument, NotFound, ResourceExhausted
from services.core.service import WeatherService
from services.graphql_api.context import Context
from services.graphql_api.errors import CODES as SERVER_CODES
from services.graphql_api.schema import build_schema
from services.store import open_store
from services.supervisor import ServerProcess
from tests.servers import HOST


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


def test_a_value_graphql_refuses_names_the_core_field_through_the_served_client(
        graphql_server: ServerProcess) -> None:
    client = GraphQLClient.connect(HOST, graphql_server.port)
    try:
        with pytest.raises(InvalidArgument) as too_big:  # past GraphQL Int's 32 bits
            client.observations_since(2**70)
        assert too_big.value.details() == ("INVALID_ARGUMENT", ("sequence",))
        with pytest.raises(InvalidArgument) as negative:  # the core's own answer
            client.observations_since(-1)
        assert negative.value.details() == too_big.value.details()
    finally:
        client.close()


def test_a_query_over_the_cost_limit_is_resource_exhausted_for_the_client() -> None:
    costly = core_error(TransportQueryError("x", errors=[{
        "message": "too costly", "extensions": {"code": "QUERY_TOO_COSTLY", "cost": 10**9}}]))
    assert isinstance(costly, ResourceExhausted)
