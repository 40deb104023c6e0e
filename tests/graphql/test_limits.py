"""Hostile documents are refused before execution, with a clear error code, and the server goes
on answering. No timing is asserted: a hang is bounded only by the client's 10 s timeout."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from services.graphql_api.cost import MAX_COST
from services.graphql_api.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.servers import API_KEY

Post = Callable[..., httpx.Response]
YEAR = 'start: "2013-01-01", end: "2013-12-31"'


def still_answers(post: Post) -> None:
    response = post('{ station(id: "KJFK") { id } }')
    assert response.status_code == 200
    assert response.json()["data"] == {"station": {"id": "KJFK"}}


def refused(response: httpx.Response, code: str) -> dict[str, object]:
    """The single error of a request refused before execution (no data entry at all)."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == code
    return dict(error)


def doubling_fragments(levels: int, leaf: str) -> str:
    """Each fragment spreads the next one twice: 2**levels paths for a 1.7 kB document."""
    fragments = [f"fragment F{i} on Station {{ ...F{i + 1} ...F{i + 1} }}"
                 for i in range(levels)]
    return "\n".join(["{ stations { edges { node { ...F0 } } } }", *fragments,
                      f"fragment F{levels} on Station {{ {leaf} }}"])


def test_a_deep_introspection_query_is_refused(post: Post) -> None:
    # introspection is where the schema has cycles: each level multiplies the answer
    query = "{ __schema { types { " + "fields { type { " * 30 + "name" + " } }" * 30 + " } } }"
    error = refused(post(query), "GRAPHQL_VALIDATION_FAILED")
    assert error["message"] == "Maximum introspection depth exceeded"
    deeper = "{ __schema { types { " + "fields { type { " * 300 + "name" + " } }" * 300 + " } } }"
    error = refused(post(deeper), "GRAPHQL_PARSE_FAILED")
    assert "nested too deeply" in str(error["message"])
    still_answers(post)


def test_a_query_deeper_than_the_field_limit_is_refused(post: Post) -> None:
    # the schema has no cycles outside introspection, so nesting through unknown fields is the
    # only way to get this deep: the depth limit speaks before the unknown-field errors pile up
    query = "{ stations { " + "edges { node { " * 5 + "id" + " } }" * 5 + " } }"
    response = post(query)
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert any(f"exceeds maximum operation depth of {MAX_DEPTH}" in m for m in messages)


def test_an_alias_bomb_is_refused(post: Post) -> None:
    costly = "stations(first: 500) { edges { node { observations(first: 500) { edges { node " \
             "{ temperature } } } } } }"
    query = "{ " + " ".join(f"a{i}: {costly}" for i in range(MAX_ALIASES * 3)) + " }"
    error = refused(post(query), "GRAPHQL_VALIDATION_FAILED")
    assert "aliases found" in str(error["message"])
    still_answers(post)


def test_a_flood_of_tokens_is_refused_while_parsing(post: Post) -> None:
    query = "{ " + "changeSequence " * (MAX_TOKENS * 20) + "}"
    error = refused(post(query), "GRAPHQL_PARSE_FAILED")
    # the parser's own token limit speaks: the document was never built into an AST
    assert f"more than {MAX_TOKENS} tokens" in str(error["message"])
    still_answers(post)


def test_fragments_spreading_each_other_twice_are_refused_and_the_server_still_answers(
        post: Post) -> None:
    # before: the depth and alias limiters walked all 2**40 paths on the event loop, and the
    # server never answered again (the client's 10 s timeout would fail this test)
    document = doubling_fragments(40, "id")
    assert len(document) < 2000
    error = refused(post(document), "QUERY_TOO_COSTLY")
    assert error["extensions"]["cost"] > MAX_COST  # type: ignore[index]
    still_answers(post)
    aliased = refused(post(doubling_fragments(40, "name: id")), "GRAPHQL_VALIDATION_FAILED")
    assert f"{2 ** 40} aliases found" in str(aliased["message"])
    still_answers(post)


def test_a_costly_query_is_refused_before_execution_with_its_estimate(post: Post) -> None:
    listing = (f"stations {{ edges {{ node {{ id alerts {{ edges {{ node {{ id }} }} }} "
               f"daily({YEAR}) {{ date temperatureMax }} }} }} }}")
    query = "{ " + " ".join(f"a{i}: {listing}" for i in range(29)) + " }"
    error = refused(post(query), "QUERY_TOO_COSTLY")
    extensions = error["extensions"]
    assert isinstance(extensions, dict)
    assert extensions["maxCost"] == MAX_COST and extensions["cost"] > MAX_COST
    still_answers(post)


def test_the_cost_counts_page_sizes_from_variables(post: Post) -> None:
    query = ("query($n: Int) { stations(first: $n) { edges { node { id "
             f"daily({YEAR}) {{ date temperatureMax }} }} }} }} }}")
    refused(post(query, {"n": 500}), "QUERY_TOO_COSTLY")
    small = post(query, {"n": 1})
    assert small.status_code == 200 and "errors" not in small.json()
    assert len(small.json()["data"]["stations"]["edges"][0]["node"]["daily"]) > 300


def test_a_document_priced_before_is_priced_again_for_other_variables(post: Post) -> None:
    """The estimate is kept per document with the variables it read: another page size, or
    the variable left out (the core's default page), is priced anew, each way round."""
    query = ("query($n: Int) { stations(first: $n) { edges { node { id "
             f"daily({YEAR}) {{ date }} }} }} }} }}")
    for variables, allowed in (({"n": 1}, True), ({"n": 500}, False), ({"n": 1}, True),
                               ({}, False), ({"n": 1}, True), ({"n": 1, "x": 2}, True)):
        response = post(query, variables)
        if allowed:
            assert response.status_code == 200 and "errors" not in response.json(), variables
        else:
            refused(response, "QUERY_TOO_COSTLY")


def test_a_costly_mutation_writes_nothing(post: Post) -> None:
    station = ('{ id: "ZQ77", name: "Costly", latitude: 1.0, longitude: 2.0, elevation: 3.0, '
               'timezone: "UTC" }')
    selection = (f"station {{ daily({YEAR}) {{ date }} alerts(first: 500) {{ edges {{ node "
                 "{ id headline description } } } }")
    mutation = "mutation { " + " ".join(
        f"w{i}: putStation(station: {station}) {{ {selection} }}" for i in range(8)) + " }"
    refused(post(mutation, key=API_KEY), "QUERY_TOO_COSTLY")
    missing = post('{ station(id: "ZQ77") { id } }').json()
    assert missing["errors"][0]["extensions"]["code"] == "NOT_FOUND"


def test_a_page_larger_than_the_core_allows_is_bad_user_input(post: Post) -> None:
    # the cost estimate takes the core's maximum page: the core's own answer comes through
    response = post("{ station(id: \"KJFK\") { observations(first: 100000) "
                    "{ edges { node { temperature } } } } }")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["violations"][0]["field"] == "page_size"
