"""Client values past the core's limits are the same invalid argument in every protocol.

Forged page tokens, too many stations in one filter, sequences past 64 bits and dates off the
calendar the core keeps: each was a server error in some protocol (issue 13, items 7 and 8).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from clients.base import WeatherClient
from services.core import FourcastError, paging
from services.core.domain import Station
from tests.comparative.test_parity import Call, agree

T = datetime(2013, 7, 1, tzinfo=UTC)
TOO_MANY_IDS = ["KJFK"] * 1001


def signed(query: str, key: Any) -> str:
    """A token with the payload we chose, signed as the servers sign (they share the secret
    with this process: the public default unless FOURCAST_PAGE_TOKEN_SECRET is set)."""
    raw = json.dumps({"q": query, "d": "after", "k": key}).encode()
    payload = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return f"{payload}.{paging._b64(paging._signature(payload))}"


def unsigned(query: str, key: Any) -> str:
    return signed(query, key).partition(".")[0]


LISTINGS: dict[str, tuple[str, Any]] = {
    "stations": (paging.fingerprint("stations"),
                 lambda token: lambda c: c.list_stations(page_token=token)),
    "observations": (paging.fingerprint("observations", station="KJFK",
                                        start=T.isoformat(),
                                        end=(T + timedelta(days=1)).isoformat(), units="si"),
                     lambda token: lambda c: c.list_observations(
                         "KJFK", T, T + timedelta(days=1), page_token=token)),
    "alerts": (paging.fingerprint("alerts", station="", start="", end=""),
               lambda token: lambda c: c.list_alerts(page_token=token)),
}
FORGED_KEYS: dict[str, Any] = {
    "a key of the wrong type": ["KJFK", "x"],
    "a huge integer": [10**40],
    "a nested list": [[[["KJFK"]]]],
    "a key of nulls": [None, None],
}


@pytest.mark.parametrize("listing", list(LISTINGS))
@pytest.mark.parametrize("forgery", [*FORGED_KEYS, "an unsigned token"])
def test_a_forged_page_token_is_the_same_invalid_argument_in_every_protocol(
        clients: dict[str, WeatherClient], listing: str, forgery: str) -> None:
    query, call = LISTINGS[listing]
    token = (unsigned(query, [0]) if forgery == "an unsigned token"
             else signed(query, FORGED_KEYS[forgery]))
    assert agree(clients, call(token)) == ("error", ("INVALID_ARGUMENT", ("page_token",)))


def test_a_page_token_round_trips_through_every_protocol(
        clients: dict[str, WeatherClient]) -> None:
    for client in clients.values():
        first = client.list_stations(page_size=2)
        assert first.next_page_token
        assert client.list_stations(page_size=2, page_token=first.next_page_token).items


OUT_OF_CALENDAR: dict[str, Call] = {
    "daily summaries in the year 9999": lambda c: c.daily_summaries(
        "KJFK", date(9999, 12, 30), date(9999, 12, 31)),
    "daily summaries ending in the year 1": lambda c: c.daily_summaries(
        "KJFK", None, date(1, 1, 1)),
    "observations ending at the first instant there is": lambda c: c.list_observations(
        "KJFK", None, datetime(1, 1, 1, tzinfo=UTC)),
    "a range starting at an offset no zone has (+14:30)": lambda c: c.list_observations(
        "KJFK", datetime(2013, 7, 1, tzinfo=timezone(timedelta(hours=14, minutes=30))),
        datetime(2013, 7, 3, tzinfo=UTC)),
    "alerts from an offset no zone has (-14:01)": lambda c: c.list_alerts(
        "KJFK", datetime(2013, 7, 1, tzinfo=timezone(-timedelta(hours=14, minutes=1))),
        datetime(2013, 7, 3, tzinfo=UTC)),
    "a station in a file of the zone database that is no zone": lambda c: c.put_station(
        Station("ZTZA", "Not a zone", 40.0, -73.0, 5.0, "posixrules")),
}


@pytest.mark.parametrize("name", list(OUT_OF_CALENDAR))
def test_dates_off_the_calendar_are_the_same_invalid_argument_in_every_protocol(
        clients: dict[str, WeatherClient], name: str) -> None:
    kind, details = agree(clients, OUT_OF_CALENDAR[name])
    assert kind == "error" and details[0] == "INVALID_ARGUMENT"


def test_a_watch_of_too_many_stations_is_refused_alike_by_every_protocol_that_pushes(
        clients: dict[str, WeatherClient]) -> None:
    refused = {}
    for protocol, client in clients.items():
        if client.supports_push:
            with pytest.raises(FourcastError) as caught:
                client.watch_observations(TOO_MANY_IDS).close()
            refused[protocol] = caught.value.details()
    assert set(refused) == {"rest", "graphql", "grpc"}
    assert set(refused.values()) == {("INVALID_ARGUMENT", ("station_ids",))}


def polling(clients: dict[str, WeatherClient]) -> dict[str, WeatherClient]:
    return {p: c for p, c in clients.items() if not c.supports_push or p == "graphql"}


def test_polling_too_many_stations_is_an_invalid_argument(
        clients: dict[str, WeatherClient]) -> None:
    assert agree(polling(clients), lambda c: c.observations_since(0, TOO_MANY_IDS)) == (
        "error", ("INVALID_ARGUMENT", ("station_ids",)))


def test_polling_300000_stations_is_an_invalid_argument_not_a_server_error(
        clients: dict[str, WeatherClient]) -> None:
    # GraphQL may refuse the document itself (field ``query``) before the core sees the list.
    for client in polling(clients).values():
        with pytest.raises(FourcastError) as caught:
            client.observations_since(0, ["KJFK"] * 300_000)
        assert caught.value.code == "INVALID_ARGUMENT"


def test_polling_past_a_64_bit_sequence_is_an_invalid_argument(
        clients: dict[str, WeatherClient]) -> None:
    soap = {p: c for p, c in clients.items() if p == "soap"}
    for sequence in (2**63, 2**70):
        def poll(client: WeatherClient, after: int = sequence) -> Any:
            return client.observations_since(after, ["KJFK"])

        assert agree(soap, poll) == ("error", ("INVALID_ARGUMENT", ("sequence",)))
