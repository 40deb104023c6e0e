"""The media type negotiated from Accept, as GraphQL over HTTP describes it."""

from __future__ import annotations

import pytest

from services.graphql_api.media import GRAPHQL_RESPONSE, JSON, negotiate


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, JSON),
    ("", JSON),
    ("*/*", JSON),
    ("application/*", JSON),
    ("text/html", JSON),  # nothing we serve: the spec lets us answer the default
    (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE}, application/json", GRAPHQL_RESPONSE),
    (f"application/json, {GRAPHQL_RESPONSE}", JSON),  # equal weights: the first listed
    (f"application/json;q=0.9, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE};q=0, application/json", JSON),
    (f"{GRAPHQL_RESPONSE}; charset=latin-1, application/json", JSON),
    (f"{GRAPHQL_RESPONSE}; charset=UTF-8", GRAPHQL_RESPONSE),
    (f"{GRAPHQL_RESPONSE};q=bogus, */*", JSON),
])
def test_the_most_preferred_type_we_serve_is_chosen(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen
