"""The committed SDL is the served schema, and a stock client can introspect it."""

from __future__ import annotations

from gql import Client
from gql.transport.httpx import HTTPXTransport
from graphql import build_schema as build_from_sdl
from graphql import lexicographic_sort_schema, print_schema

from services.graphql_api.export_schema import SCHEMA_FILE, main, sdl
from services.supervisor import ServerProcess
from tests.servers import HOST


def test_the_committed_schema_file_matches_the_code() -> None:
    assert SCHEMA_FILE.read_text() == sdl(), (
        "schema.graphql is stale: run python -m services.graphql_api.export_schema")
    assert main(["--check"]) == 0


def test_a_stock_client_introspects_the_served_schema(graphql_server: ServerProcess) -> None:
    transport = HTTPXTransport(f"http://{HOST}:{graphql_server.port}/graphql", timeout=10)
    with Client(transport=transport, fetch_schema_from_transport=True) as session:
        served = session.client.schema
    assert served is not None
    committed = build_from_sdl(SCHEMA_FILE.read_text())
    assert print_schema(lexicographic_sort_schema(served)) == \
        print_schema(lexicographic_sort_schema(committed))
