"""Hostile documents are refused before execution, in milliseconds, with a clear error."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from services.graphql_api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.graphql.conftest import codes

#: generous for a loopback round trip, far below what executing these documents would take
QUICK = 0.5


def timed(post: Callable[..., httpx.Response], query: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = post(query)
    return response, time.perf_counter() - started


def test_a_deep_introspection_query_is_refused_quickly(
        post: Callable[..., httpx.Response]) -> None:
    # introspection is where the schema has cycles: each level multiplies the answer
    query = "{ __schema { types { " + "fields { type { " * 30 + "name" + " } }" * 30 + " } } }"
    response, elapsed = timed(post, query)
    assert response.status_code == 400 and codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert response.json()["errors"][0]["message"] == "Maximum introspection depth exceeded"
    assert elapsed < QUICK
    deeper = "{ __schema { types { " + "fields { type { " * 300 + "name" + " } }" * 300 + " } } }"
    response, elapsed = timed(post, deeper)
    assert response.status_code == 400 and codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert "nested too deeply" in response.json()["errors"][0]["message"]
    assert elapsed < QUICK


def test_a_query_deeper_than_the_field_limit_is_refused(
        post: Callable[..., httpx.Response]) -> None:
    # the schema has no cycles outside introspection, so nesting through unknown fields is the
    # only way to get this deep: the depth limit speaks before the unknown-field errors pile up
    query = "{ stations { " + "edges { node { " * 5 + "id" + " } }" * 5 + " } }"
    response, elapsed = timed(post, query)
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert any(f"exceeds maximum operation depth of {MAX_DEPTH}" in m for m in messages)
    assert elapsed < QUICK


def test_an_alias_bomb_is_refused_quickly(post: Callable[..., httpx.Response]) -> None:
    costly = "stations(first: 500) { edges { node { observations(first: 500) { edges { node " \
             "{ temperature } } } } } }"
    query = "{ " + " ".join(f"a{i}: {costly}" for i in range(MAX_ALIASES * 3)) + " }"
    response, elapsed = timed(post, query)
    assert response.status_code == 400 and codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases found" in response.json()["errors"][0]["message"]
    assert elapsed < QUICK


def test_a_flood_of_tokens_is_refused_while_parsing(post: Callable[..., httpx.Response]) -> None:
    query = "{ " + "changeSequence " * (MAX_TOKENS * 20) + "}"
    response, elapsed = timed(post, query)
    assert response.status_code == 400 and codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert f"more than {MAX_TOKENS} tokens" in response.json()["errors"][0]["message"]
    assert elapsed < QUICK


def test_a_page_larger_than_the_core_allows_is_bad_user_input(
        post: Callable[..., httpx.Response]) -> None:
    response = post("{ station(id: \"KJFK\") { observations(first: 100000) "
                    "{ edges { node { temperature } } } } }")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["violations"][0]["field"] == "page_size"
