"""A station with observations recorded after a known point of the change sequence: a
subscription started from that point has those events to send at once."""

from __future__ import annotations

from typing import Any

import httpx

from tests.servers import API_KEY, HOST


def recorded_after(port: int, station: str, name: str, rows: list[dict[str, Any]],
                   timeout: float = 60) -> int:
    """Put ``station`` (named ``name``) through the GraphQL server on ``port``, then record
    ``rows`` (ObservationInput values) in one import; return the sequence before the import."""
    with httpx.Client(base_url=f"http://{HOST}:{port}", timeout=timeout,
                      headers={"Authorization": f"Bearer {API_KEY}"}) as http:
        def post(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
            body: dict[str, Any] = http.post("/graphql", json={
                "query": query, "variables": variables or {}}).json()
            assert "errors" not in body, body
            return body

        post("mutation($s: StationInput!) { putStation(station: $s) { version } }",
             {"s": {"id": station, "name": name, "latitude": 1.0, "longitude": 2.0,
                    "elevation": 3.0, "timezone": "UTC"}})
        after = int(post("{ changeSequence }")["data"]["changeSequence"])
        post("mutation($o: [ObservationInput!]!) { importObservations(observations: $o) "
             "{ imported } }", {"o": [{"stationId": station, **row} for row in rows]})
    return after
