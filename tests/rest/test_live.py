"""The live feed: Server-Sent Events of observations as they are recorded.

The stream's first bytes are a ``retry:`` line and an ``: open N`` comment; once a client has
read them, everything recorded afterwards reaches it. The tests synchronise on that comment
and on the events themselves, never on time; a quiet stream sends a comment every 2 s, so
reading always makes progress and a missing event fails the test instead of hanging it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from tests.rest.conftest import WRITER, assert_problem, fresh_station_id, station_body

STREAM = {"Accept": "text/event-stream"}
MAX_EVENTS = 5  # keep-alives (one per 2 quiet seconds) read before giving up


class EventStream:
    """The events of one open ``text/event-stream`` response (comments under ``""``)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()

    def __iter__(self) -> Iterator[dict[str, str]]:
        fields: dict[str, str] = {}
        for line in self._lines:
            if not line:
                if fields:
                    yield fields
                fields = {}
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            fields[name] = f"{fields[name]}\n{value}" if name in fields else value

    def opened(self) -> int:
        """Wait for the ``: open N`` comment; N is the change sequence the stream starts at."""
        first = next(iter(self))
        assert first["retry"] == "1000"
        assert first[""].startswith("open ")
        return int(first[""].removeprefix("open "))

    def next_event(self, kind: str = "observation") -> dict[str, str]:
        for count, event in enumerate(self):
            if event.get("event") == kind:
                return event
            assert count < MAX_EVENTS and set(event) == {""}, event  # only keep-alives between
        raise AssertionError("the stream ended")

    def next_observation(self) -> tuple[int, dict[str, Any]]:
        event = self.next_event()
        data: dict[str, Any] = json.loads(event["data"])
        return int(event["id"]), data


@contextmanager
def live(http: httpx.Client, href: str, **headers: str) -> Iterator[EventStream]:
    with http.stream("GET", href, headers={**STREAM, **headers}) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["cache-control"] == "no-cache"
        yield EventStream(response)


def refused(http: httpx.Client, href: str, **headers: str | bytes) -> httpx.Response:
    """The answer to a stream request that must not open (read at once, not waited for)."""
    sent = {name.encode(): value if isinstance(value, bytes) else value.encode()
            for name, value in {**STREAM, **headers}.items()}
    with http.stream("GET", href, headers=sent) as response:
        assert response.status_code != 200, f"{href} opened a stream"
        response.read()
        return response


def put_observation(writer: httpx.Client, station_id: str, at: str, temperature: float
                    ) -> None:
    response = writer.put(f"/stations/{station_id}/observations/{at}",
                          json={"temperature": temperature}, headers=WRITER)
    assert response.status_code == 201, response.text


def test_the_feed_delivers_an_observation_recorded_after_the_stream_opened(
        http: httpx.Client, base_url: str, station: str) -> None:
    with live(http, f"/stations/{station}/observations/live?units=us") as stream, \
            httpx.Client(base_url=base_url, timeout=10) as writer:
        opened_at = stream.opened()
        put_observation(writer, station, "2024-01-01T00:00:00Z", 0.0)
        sequence, observation = stream.next_observation()
    assert sequence > opened_at
    assert observation["station_id"] == station
    assert observation["observed_at"] == "2024-01-01T00:00:00Z"
    assert observation["temperature"] == {"value": 32.0, "unitCode": "degF"}
    assert observation["_links"]["self"]["href"] == (
        f"/stations/{station}/observations/2024-01-01T00:00:00Z?units=us")


def test_last_event_id_resumes_right_after_the_last_event_seen(
        http: httpx.Client, base_url: str, station: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as writer:
        with live(http, f"/stations/{station}/observations/live") as stream:
            stream.opened()
            put_observation(writer, station, "2024-01-01T00:00:00Z", 1.0)
            put_observation(writer, station, "2024-01-01T01:00:00Z", 2.0)
            seen, _ = stream.next_observation()
        # the client went away after the first event; one more is recorded meanwhile
        put_observation(writer, station, "2024-01-01T02:00:00Z", 3.0)
        with live(http, f"/stations/{station}/observations/live",
                  **{"Last-Event-ID": str(seen)}) as resumed:
            resumed.opened()
            (second, b), (third, c) = resumed.next_observation(), resumed.next_observation()
    assert seen < second < third
    assert [b["temperature"]["value"], c["temperature"]["value"]] == [2.0, 3.0]


def test_one_stream_can_follow_several_stations_in_the_order_they_were_recorded(
        http: httpx.Client, base_url: str, station: str) -> None:
    other = fresh_station_id()
    with httpx.Client(base_url=base_url, timeout=10) as writer:
        assert writer.put(f"/stations/{other}", json=station_body(),
                          headers=WRITER).status_code == 201
        try:
            with live(http, f"/live?station={station}&station={other}") as stream:
                stream.opened()
                put_observation(writer, other, "2024-01-01T00:00:00Z", 5.0)
                put_observation(writer, station, "2024-01-01T00:00:00Z", 6.0)
                events = [stream.next_observation(), stream.next_observation()]
        finally:
            writer.delete(f"/stations/{other}", headers=WRITER)
    assert [e[1]["station_id"] for e in events] == [other, station]
    assert events[0][0] < events[1][0]


def test_deleting_the_watched_station_ends_the_stream_with_a_problem_event(
        http: httpx.Client, base_url: str, station: str) -> None:
    with live(http, f"/stations/{station}/observations/live") as stream, \
            httpx.Client(base_url=base_url, timeout=10) as writer:
        stream.opened()
        assert writer.delete(f"/stations/{station}", headers=WRITER).status_code == 204
        problem = json.loads(stream.next_event("problem")["data"])
        assert (problem["status"], problem["code"]) == (404, "NOT_FOUND")
        assert list(stream) == []  # and the stream ends


def test_a_stream_for_an_unknown_station_is_a_plain_404_problem(http: httpx.Client) -> None:
    for href in ("/stations/KZZZ/observations/live", "/live?station=KJFK&station=KZZZ"):
        problem = assert_problem(refused(http, href), 404, "/problems/not-found")
        assert problem["resource_name"] == "KZZZ"


def test_a_malformed_last_event_id_or_units_is_a_400_problem(http: httpx.Client) -> None:
    for last_event_id in ("yesterday", "-1", "1.5", "0x10", "+1", "", "\u0661".encode()):
        response = refused(http, "/stations/KJFK/observations/live",
                           **{"Last-Event-ID": last_event_id})
        problem = assert_problem(response, 400, "/problems/invalid-argument")
        assert problem["violations"][0]["field"] == "Last-Event-ID"
    assert_problem(refused(http, "/stations/KJFK/observations/live?units=kelvin"), 400)
    assert_problem(refused(http, "/live"), 400)


def test_a_client_that_does_not_ask_for_the_stream_gets_a_description_of_the_feed(
        http: httpx.Client) -> None:
    """Only a client that names text/event-stream gets the endless stream: a generic client
    following the ``live`` link (Accept: */*, or none) gets a finite document instead."""
    for accept in ({}, {"Accept": "*/*"}, {"Accept": "application/json"},
                   {"Accept": "application/hal+json, text/event-stream;q=0.5"}):
        response = http.get("/stations/KJFK/observations/live?units=us", headers=accept)
        assert response.status_code == 200, accept
        assert response.headers["vary"] == "Accept, Origin"
        feed = response.json()
        assert (feed["station_ids"], feed["units"]) == (["KJFK"], "us")
        assert feed["_links"]["stream"] == {
            "href": "/stations/KJFK/observations/live?units=us", "type": "text/event-stream"}
        assert feed["_links"]["station"]["href"] == "/stations/KJFK"
    several = http.get("/live?station=KJFK&station=KSEA").json()
    assert several["station_ids"] == ["KJFK", "KSEA"] and "station" not in several["_links"]
    assert_problem(http.get("/live?station=KJFK&station=KZZZ"), 404)
    refused = http.get("/stations/KJFK/observations/live", headers={"Accept": "text/html"})
    assert "text/event-stream" in assert_problem(refused, 406)["detail"]


def test_a_last_event_id_past_the_largest_sequence_is_a_400_before_the_stream_opens(
        http: httpx.Client) -> None:
    """Sequences are signed 64-bit everywhere: 2**63 - 1 is the last event id there can be
    (resuming after it opens a quiet stream); anything larger is refused, not a stream that
    opens and then aborts."""
    largest = 2**63 - 1
    with live(http, "/stations/KJFK/observations/live",
              **{"Last-Event-ID": str(largest)}) as stream:
        assert stream.opened() == largest
    for too_large in (str(largest + 1), str(2**64), "9" * 5000):
        response = refused(http, "/stations/KJFK/observations/live",
                           **{"Last-Event-ID": too_large})
        problem = assert_problem(response, 400, "/problems/invalid-argument")
        assert problem["violations"][0]["field"] == "Last-Event-ID"
