"""GraphQL over HTTP against the served process: GET, POST, and clean answers to bad input."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Iterator

import httpx

from services.graphql_api.app import MAX_BODY_BYTES, MAX_LIST_ITEMS
from services.graphql_api.media import GRAPHQL_RESPONSE
from services.supervisor import ServerProcess
from tests.graphql.conftest import codes
from tests.servers import API_KEY, READ_ONLY_KEY

LATEST = "{ latestObservation(stationId: \"KJFK\") { temperature windGust units } }"
STATION_INPUT = {"id": "ZQ01", "name": "Auth", "latitude": 1.0, "longitude": 2.0,
                 "elevation": 3.0, "timezone": "UTC"}
PUT_STATION = ("mutation($s: StationInput!) { putStation(station: $s) { created version "
               "station { id } } }")


def test_a_query_is_served_over_get(http: httpx.Client) -> None:
    response = http.get("/graphql", params={"query": LATEST})
    assert response.status_code == 200
    latest = response.json()["data"]["latestObservation"]
    assert latest["units"] == "SI" and isinstance(latest["temperature"], float)


def test_a_mutation_over_get_is_refused_with_405(http: httpx.Client) -> None:
    response = http.get("/graphql", params={"query": "mutation { deleteStation(id: \"KJFK\") "
                                                     "{ id } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert codes(response) == ["METHOD_NOT_ALLOWED"]
    assert http.get("/graphql", params={"query": "{ station(id: \"KJFK\") { id } }"}
                    ).json()["data"]["station"]["id"] == "KJFK"


def test_malformed_json_is_a_clean_400(http: httpx.Client) -> None:
    deep = b'{"query": "{ changeSequence }", "variables": {"v": ' + b"[" * 100_000 \
        + b"]" * 100_000 + b"}}"
    for body in (b"{not json", b'"a string"', b"[1, 2]", b"\xff\xfe", b"{}", b"",
                 b'{"query": "{ changeSequence \xff }"}', deep,
                 b'{"query": 42}', b'{"query": "{ changeSequence }", "variables": [1]}'):
        for accept in ("application/json", GRAPHQL_RESPONSE):
            response = http.post("/graphql", content=body,
                                 headers={"Content-Type": "application/json", "Accept": accept})
            assert response.status_code == 400, body[:60]
            assert response.headers["content-type"].startswith(accept)
            assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST", body
    deep_get = http.get("/graphql", params={"query": "{ changeSequence }",
                                            "variables": "[" * 3000 + "]" * 3000})
    assert deep_get.status_code == 400 and codes(deep_get) == ["BAD_REQUEST"]
    assert http.get("/graphql", params={"query": "{ changeSequence }"}).status_code == 200


def test_a_body_that_is_not_json_is_415(http: httpx.Client) -> None:
    query = b'{"query": "{ changeSequence }"}'
    for content_type in (None, "text/plain", "application/graphql",
                         "application/x-www-form-urlencoded", "multipart/form-data"):
        headers = {"Content-Type": content_type} if content_type else {}
        response = http.post("/graphql", content=query, headers=headers)
        assert response.status_code == 415, content_type
        assert codes(response) == ["BAD_REQUEST"]
        assert response.headers["accept-post"] == "application/json"


def test_huge_lists_in_variables_are_bad_user_input_before_coercion(
        post: Callable[..., httpx.Response]) -> None:
    since = ("query($ids: [String!]) { observationsSince(afterSequence: 0, stationIds: $ids) "
             "{ sequence } }")
    huge = post(since, {"ids": ["KJFK"] * (MAX_LIST_ITEMS + 1)})
    assert huge.status_code == 400 and codes(huge) == ["BAD_USER_INPUT"]
    # coercion reports at most graphql-core's 50 errors (and says it stopped), each a
    # BAD_USER_INPUT: a list of wrong items is not an answer of megabytes
    wrong = post(since, {"ids": list(range(1000))})
    assert wrong.status_code == 400 and "data" not in wrong.json()
    assert len(wrong.json()["errors"]) <= 51
    assert set(codes(wrong)) == {"BAD_USER_INPUT"}
    # the core's own cap on station ids speaks for a long list it can see
    many = post(since, {"ids": ["KJFK"] * 30_000})
    error = many.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["violations"][0]["field"] == "station_ids"


def test_a_forged_page_token_is_bad_user_input(post: Callable[..., httpx.Response]) -> None:
    forged = ["eyJ4Ijo1fQ", "AAAA", "not a token at all", "eyJ0IjogMTIzfQ==", "%%%%"]
    for token in forged:
        response = post("query($t: String) { stations(first: 1, after: $t) "
                        "{ edges { node { id } } } }", {"t": token})
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", token
        assert error["extensions"]["violations"][0]["field"] == "page_token", token


def test_the_media_type_is_negotiated_as_graphql_over_http_says(http: httpx.Client) -> None:
    unknown = {"query": "{ station(id: \"KJFK\") { colour } }"}
    modern = http.post("/graphql", json=unknown, headers={"Accept": GRAPHQL_RESPONSE})
    assert modern.status_code == 400
    assert modern.headers["content-type"] == GRAPHQL_RESPONSE
    assert "data" not in modern.json() and codes(modern) == ["GRAPHQL_VALIDATION_FAILED"]
    for accept in ("application/json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        legacy = http.post("/graphql", json=unknown, headers=headers)
        assert legacy.status_code == 200, accept  # legacy clients read a 4xx as a failure
        assert legacy.headers["content-type"] == "application/json"
        assert "data" not in legacy.json() and codes(legacy) == ["GRAPHQL_VALIDATION_FAILED"]
    both = http.post("/graphql", json={"query": "{ changeSequence }"},
                     headers={"Accept": f"application/json;q=0.9, {GRAPHQL_RESPONSE}"})
    assert both.status_code == 200 and both.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert isinstance(both.json()["data"]["changeSequence"], int)


def test_an_unknown_field_or_a_syntax_error_is_a_400_with_a_graphql_code(
        post: Callable[..., httpx.Response]) -> None:
    unknown = post("{ station(id: \"KJFK\") { id colour } }")
    assert unknown.status_code == 400
    assert codes(unknown) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "colour" in unknown.json()["errors"][0]["message"]
    broken = post("{ station(id: ")
    assert broken.status_code == 400 and codes(broken) == ["GRAPHQL_PARSE_FAILED"]
    badly_typed = post("query($at: DateTime!) { observation(stationId: \"KJFK\", "
                       "observedAt: $at) { temperature } }", {"at": "yesterday"})
    assert badly_typed.status_code == 400 and codes(badly_typed) == ["BAD_USER_INPUT"]


def test_a_missing_station_is_not_found_with_its_resource(
        post: Callable[..., httpx.Response]) -> None:
    response = post("{ station(id: \"KZZZ\") { id } }")
    assert response.status_code == 200  # an execution error: data is there, with a null
    body = response.json()
    assert body["data"] == {"station": None}
    assert body["errors"][0]["path"] == ["station"]
    assert body["errors"][0]["extensions"] == {
        "code": "NOT_FOUND", "resourceType": "station", "resourceName": "KZZZ"}


def test_invalid_input_carries_each_field_violation(
        post: Callable[..., httpx.Response]) -> None:
    response = post("mutation($o: ObservationInput!) { putObservation(observation: $o) "
                    "{ version } }",
                    {"o": {"stationId": "KJFK", "observedAt": "2013-07-01T00:00:00+00:00",
                           "temperature": 99.0, "relativeHumidity": -1.0}}, key=API_KEY)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert {v["field"] for v in error["extensions"]["violations"]} == {
        "temperature", "relative_humidity"}


def test_writes_need_a_bearer_key_that_may_write(post: Callable[..., httpx.Response]) -> None:
    assert codes(post(PUT_STATION, {"s": STATION_INPUT})) == ["UNAUTHENTICATED"]
    assert codes(post(PUT_STATION, {"s": STATION_INPUT}, key="wrong")) == ["UNAUTHENTICATED"]
    assert codes(post(PUT_STATION, {"s": STATION_INPUT}, key=READ_ONLY_KEY)) == ["FORBIDDEN"]
    written = post(PUT_STATION, {"s": STATION_INPUT}, key=API_KEY).json()
    assert written["data"]["putStation"]["station"]["id"] == "ZQ01"


def test_missing_measurements_are_null_and_units_are_named(
        post: Callable[..., httpx.Response]) -> None:
    # KJFK reports no gust in most hours: find one such observation in a day of data
    body = post("{ station(id: \"KJFK\") { observations(start: \"2013-07-01T00:00:00Z\", "
                "end: \"2013-07-02T00:00:00Z\", units: US) { edges { node { windGust "
                "temperature units unitCodes { field unit } } } } } }").json()
    nodes = [e["node"] for e in body["data"]["station"]["observations"]["edges"]]
    assert any(n["windGust"] is None for n in nodes)
    assert all(n["windGust"] != 0 for n in nodes)
    units = {c["field"]: c["unit"] for c in nodes[0]["unitCodes"]}
    assert nodes[0]["units"] == "US" and units["temperature"] == "degF"
    assert units["windGust"] == "mph"


def test_connections_page_forward_and_back_with_core_tokens(
        post: Callable[..., httpx.Response]) -> None:
    query = ("query($first: Int, $after: String, $last: Int, $before: String) { stations("
             "first: $first, after: $after, last: $last, before: $before) { edges { cursor "
             "node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }")
    first = post(query, {"first": 1}).json()["data"]["stations"]
    assert first["pageInfo"]["hasNextPage"] and not first["pageInfo"]["hasPreviousPage"]
    assert first["edges"][-1]["cursor"] == first["pageInfo"]["endCursor"]
    second = post(query, {"first": 1, "after": first["pageInfo"]["endCursor"]}
                  ).json()["data"]["stations"]
    assert second["edges"][0]["node"]["id"] > first["edges"][0]["node"]["id"]
    back = post(query, {"last": 1, "before": second["pageInfo"]["startCursor"]}
                ).json()["data"]["stations"]
    assert [e["node"] for e in back["edges"]] == [first["edges"][0]["node"]]
    both = post(query, {"first": 1, "last": 1})
    assert both.json()["errors"][0]["extensions"]["violations"][0]["field"] == "last"
    too_big = post(query, {"first": 501})
    assert too_big.json()["errors"][0]["extensions"]["violations"] == [
        {"field": "page_size", "description": "must be between 1 and 500"}]


def test_other_paths_are_a_json_404(http: httpx.Client) -> None:
    response = http.get("/elsewhere")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_a_body_over_the_limit_is_refused_with_413_and_the_server_stays_up(
        http: httpx.Client) -> None:
    padding = " " * (MAX_BODY_BYTES + 1)
    declared = http.post("/graphql", content=b'{"query": "{ changeSequence }' + padding.encode()
                         + b'"}', headers={"Content-Type": "application/json"})
    assert declared.status_code == 413
    assert codes(declared) == ["RESOURCE_EXHAUSTED"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is met as it streams in
        yield b'{"query": "{ changeSequence }'
        for _ in range(MAX_BODY_BYTES // 65536 + 2):
            yield b" " * 65536
        yield b'"}'

    streamed = http.post("/graphql", content=chunks(),
                         headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert codes(streamed) == ["RESOURCE_EXHAUSTED"]
    assert http.get("/graphql", params={"query": "{ changeSequence }"}).status_code == 200


def test_other_requests_are_answered_while_a_large_import_is_decoded(
        http: httpx.Client, graphql_server: ServerProcess) -> None:
    # coercing and converting 20,000 input objects is seconds of pure Python; on the event
    # loop it held every other request until it was done (one or two got in before it)
    import_all = ("mutation($o: [ObservationInput!]!) { importObservations(observations: $o) "
                  "{ imported } }")
    rows = [{"stationId": "KJFK", "observedAt": f"2031-01-01T00:00:{n % 60:02d}+00:00",
             "temperature": 1.0} for n in range(20_000)]
    with concurrent.futures.ThreadPoolExecutor(1) as pool, \
            httpx.Client(base_url=http.base_url, timeout=120) as slow:
        pending = pool.submit(slow.post, "/graphql",
                              json={"query": import_all, "variables": {"o": rows}})
        answered = 0
        while not pending.done():
            assert http.get("/graphql", params={"query": "{ changeSequence }"}
                            ).status_code == 200
            answered += 1
        # anonymous: the core refuses the write, once the arguments are decoded
        assert codes(pending.result()) == ["UNAUTHENTICATED"]
    assert answered >= 10
