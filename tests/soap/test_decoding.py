"""Values the schema lets through but Python cannot hold: each is the caller's mistake,
``Client.InvalidArgument`` naming the field, never ``Server.Internal``; and XSD's end of day
``24:00:00`` is the next day's midnight, as XSD 1.0 defines it."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.soap.conftest import ENVELOPE, fault_code, still_answers, violated_fields

Post = Callable[[bytes | str], httpx.Response]
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WRITER = (f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken><wsse:Username>u'
          "</wsse:Username><wsse:Password>test-writer-key</wsse:Password>"
          "</wsse:UsernameToken></wsse:Security>")


def _get_observation(observed_at: str) -> str:
    return (f"<f:GetObservation><f:stationId>KJFK</f:stationId>"
            f"<f:observedAt>{observed_at}</f:observedAt></f:GetObservation>")


def _alerts_from(start: str) -> str:
    return f"<f:ListAlerts><f:start>{start}</f:start></f:ListAlerts>"


def test_24_00_is_midnight_of_the_next_day(post: Post) -> None:
    reply = post(ENVELOPE.format(header="", body=_get_observation("2013-01-31T24:00:00Z")))
    assert reply.status_code == 200, reply.text[:500]
    assert "<tns:observedAt>2013-02-01T00:00:00+00:00</tns:observedAt>" in reply.text
    reply = post(ENVELOPE.format(header="", body=_alerts_from("2013-01-01T24:00:00.000Z")))
    assert reply.status_code == 200, reply.text[:500]


@pytest.mark.parametrize(("header", "body", "field"), [
    pytest.param("", _get_observation("9999-12-31T24:00:00Z"), "observed_at",
                 id="24:00 past year 9999"),
    pytest.param("", _alerts_from("10000-01-01T00:00:00Z"), "start", id="year 10000"),
    pytest.param("", _alerts_from("-0001-01-01T00:00:00Z"), "start", id="negative year"),
    pytest.param("", _alerts_from("0000-01-01T00:00:00Z"), "start", id="year 0000"),
    pytest.param("", _alerts_from("2013-13-01T00:00:00Z"), "start", id="month 13"),
    pytest.param("", _alerts_from("2016-12-31T23:59:60Z"), "start", id="leap second"),
    pytest.param("", _alerts_from("2013-01-01T00:00:00." + "1" * 5000 + "Z"), "start",
                 id="5000 fractional digits"),
    pytest.param("", "<f:ListDailySummaries><f:stationId>KJFK</f:stationId>"
                     "<f:start>10000-01-01</f:start></f:ListDailySummaries>", "start",
                 id="date in year 10000"),
    pytest.param("", f"<f:GetObservationsSince><f:sequence>{'9' * 5000}</f:sequence>"
                     "</f:GetObservationsSince>", "sequence", id="5000-digit integer"),
    pytest.param("", f"<f:ListStations><f:pageSize>{'0' * 5000}1</f:pageSize>"
                     "</f:ListStations>", "page_size", id="5000 leading zeros"),
    pytest.param(WRITER, "<f:ImportObservations><f:observations><f:ObservationInput>"
                         "<f:stationId>KJFK</f:stationId>"
                         "<f:observedAt>9999-12-31T24:00:00Z</f:observedAt>"
                         "</f:ObservationInput></f:observations></f:ImportObservations>",
                 "observations[0].observed_at", id="import past year 9999"),
])
def test_a_value_python_cannot_hold_is_invalid_argument_naming_its_field(
        post: Post, header: str, body: str, field: str) -> None:
    reply = post(ENVELOPE.format(header=header, body=body))
    assert fault_code(reply) == "Client.InvalidArgument"
    assert violated_fields(reply) == [field]
    still_answers(post)

