"""Every use case, and every error, gives the same answer through all four protocols."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from clients.base import WeatherClient
from services.core import FourcastError, Units
from services.core.domain import to_plain

T = datetime(2013, 7, 1, tzinfo=UTC)
Call = Callable[[WeatherClient], Any]


def outcome(call: Call, client: WeatherClient) -> tuple[str, Any]:
    """What a call did, comparable across protocols: its plain result or its core error."""
    try:
        result = call(client)
    except FourcastError as error:
        return ("error", error.details())
    if isinstance(result, list):
        return ("ok", [to_plain(r) for r in result])
    return ("ok", to_plain(result))


def agree(clients: dict[str, WeatherClient], call: Call) -> tuple[str, Any]:
    outcomes = {protocol: outcome(call, client) for protocol, client in clients.items()}
    first = next(iter(outcomes.values()))
    differing = {p: o for p, o in outcomes.items() if o != first}
    assert not differing, f"protocols disagree: {outcomes}"
    return first


READS: dict[str, Call] = {
    "a station": lambda c: c.get_station("KLGA"),
    "a page of stations": lambda c: c.list_stations(page_size=3),
    "the latest observation in US units": lambda c: c.get_latest_observation("KEWR", Units.US),
    "an observation given in another time zone": lambda c: c.get_observation(
        "KJFK", datetime(2013, 7, 1, 8, tzinfo=timezone(timedelta(hours=-4)))),
    "a day of observations in US units": lambda c: c.list_observations(
        "KJFK", T, T + timedelta(days=1), page_size=500, units=Units.US),
    "observations across the fall-back hour": lambda c: c.list_observations(
        "KSFO", datetime(2010, 11, 7, 6, tzinfo=UTC), datetime(2010, 11, 7, 12, tzinfo=UTC)),
    "an empty range": lambda c: c.list_observations(
        "KJFK", datetime(2000, 1, 1, tzinfo=UTC), datetime(2000, 1, 2, tzinfo=UTC)),
    "the largest allowed range, first page": lambda c: c.list_observations(
        "KLGA", datetime(2013, 1, 1, tzinfo=UTC), datetime(2014, 1, 2, tzinfo=UTC),
        page_size=500),
    "daily summaries across spring-forward": lambda c: c.daily_summaries(
        "KSFO", date(2010, 3, 13), date(2010, 3, 15), Units.US),
    "a year of daily summaries": lambda c: c.daily_summaries(
        "KEWR", date(2013, 1, 1), date(2013, 12, 31)),
    "a one-day forecast": lambda c: c.get_forecast("KSEA", 1),
    "a seven-day forecast in US units": lambda c: c.get_forecast("KJFK", 7, Units.US),
    "a page of alerts of every station": lambda c: c.list_alerts(page_size=25),
    "alerts of one station in a range": lambda c: c.list_alerts(
        "KEWR", datetime(2013, 7, 1, tzinfo=UTC), datetime(2013, 8, 1, tzinfo=UTC)),
    "an alert by id": lambda c: c.get_alert("KJFK-WIND-20130131T0300Z"),
}


@pytest.mark.parametrize("name", list(READS))
def test_every_read_returns_the_same_data_in_every_protocol(
        clients: dict[str, WeatherClient], name: str) -> None:
    kind, _ = agree(clients, READS[name])
    assert kind == "ok"


ERRORS: dict[str, tuple[Call, tuple[Any, ...]]] = {
    "an unknown station": (lambda c: c.get_station("KZZZ"), ("NOT_FOUND", "station", "KZZZ")),
    "a malformed station id": (lambda c: c.get_station("jfk"),
                               ("INVALID_ARGUMENT", ("station_id",))),
    "the latest of an unknown station": (lambda c: c.get_latest_observation("KZZZ"),
                                         ("NOT_FOUND", "station", "KZZZ")),
    "an observation that was never made": (
        lambda c: c.get_observation("KJFK", datetime(1990, 1, 1, tzinfo=UTC)),
        ("NOT_FOUND", "observation", "KJFK/1990-01-01T00:00:00Z")),
    "an unknown alert": (lambda c: c.get_alert("KJFK-WIND-19900101T0000Z"),
                         ("NOT_FOUND", "alert", "KJFK-WIND-19900101T0000Z")),
    "a range that runs backwards": (
        lambda c: c.list_observations("KJFK", T, T - timedelta(days=1)),
        ("INVALID_ARGUMENT", ("end",))),
    "a range longer than allowed": (
        lambda c: c.list_observations("KJFK", T, T + timedelta(days=400)),
        ("INVALID_ARGUMENT", ("end",))),
    "a page too large": (lambda c: c.list_stations(page_size=1000),
                         ("INVALID_ARGUMENT", ("page_size",))),
    "a forged page token": (lambda c: c.list_stations(page_token="forged"),
                            ("INVALID_ARGUMENT", ("page_token",))),
    "a forecast too long": (lambda c: c.get_forecast("KJFK", 8),
                            ("INVALID_ARGUMENT", ("days",))),
    "daily summaries over two years": (
        lambda c: c.daily_summaries("KJFK", date(2012, 1, 1), date(2013, 12, 31)),
        ("INVALID_ARGUMENT", ("end",))),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_every_error_is_the_same_core_error_in_every_protocol(
        clients: dict[str, WeatherClient], name: str) -> None:
    call, expected = ERRORS[name]
    assert agree(clients, call) == ("error", expected)


def test_paging_through_every_page_gives_the_same_pages(
        clients: dict[str, WeatherClient]) -> None:
    def all_pages(client: WeatherClient) -> list[Any]:
        pages, token = [], None
        while True:
            page = client.list_observations("KJFK", T, T + timedelta(days=3), page_size=7,
                                            page_token=token)
            pages.append(page.items)
            token = page.next_page_token
            if not token:
                return pages

    results = {p: all_pages(c) for p, c in clients.items()}
    reference = results.pop(next(iter(results)))
    assert len(reference) == 11  # 72 hourly observations, 7 a page
    assert all(pages == reference for pages in results.values())


def test_a_watch_of_no_station_is_refused_alike_by_every_protocol_that_pushes(
        clients: dict[str, WeatherClient]) -> None:
    refused = {}
    for protocol, client in clients.items():
        if client.supports_push:
            with pytest.raises(FourcastError) as caught:
                client.watch_observations([])
            refused[protocol] = caught.value.details()
    assert set(refused) == {"rest", "graphql", "grpc"}
    assert set(refused.values()) == {("INVALID_ARGUMENT", ("station_ids",))}
