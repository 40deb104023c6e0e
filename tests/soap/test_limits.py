"""Work grows with the request, not faster; every limit is a client fault that names it; the
documented import size fits through SOAP."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from clients.soap_client import SoapClient
from services.core.domain import Station
from services.core.errors import MAX_REPORTED_VIOLATIONS, NotFound
from services.soap_api.envelope import MAX_ATTRIBUTES
from services.soap_api.violations import WINDOW
from tests.soap.conftest import (
    ENVELOPE,
    WSSE,
    fault_code,
    fault_of,
    still_answers,
    violated_fields,
)

Post = Callable[[bytes | str], httpx.Response]
WRITER = (f'<wsse:Security xmlns:wsse="{WSSE}"><wsse:UsernameToken>'
          "<wsse:Username>u</wsse:Username><wsse:Password>test-writer-key</wsse:Password>"
          "</wsse:UsernameToken></wsse:Security>")
START = datetime(2031, 1, 1, tzinfo=UTC)


def _import(station: str, temperatures: list[str], *, indent: str = "") -> str:
    """An ImportObservations body with one hourly observation per temperature."""
    items = "".join(
        f"{indent}<f:ObservationInput>{indent}<f:stationId>{station}</f:stationId>{indent}"
        f"<f:observedAt>{START + timedelta(hours=i):%Y-%m-%dT%H:%M:%SZ}</f:observedAt>"
        f"{indent}<f:temperature>{t}</f:temperature>{indent}<f:windSpeed>3.5</f:windSpeed>"
        f"{indent}</f:ObservationInput>" for i, t in enumerate(temperatures))
    return f"<f:ImportObservations><f:observations>{items}</f:observations></f:ImportObservations>"


def test_an_element_with_60000_attributes_is_refused_before_it_is_judged(post: Post) -> None:
    """It took 97 s and answered a 10 MB fault listing every attribute."""
    attributes = " ".join(f'a{i}="x"' for i in range(60_000))
    body = f"<f:GetStation {attributes}><f:stationId>KJFK</f:stationId></f:GetStation>"
    reply = post(ENVELOPE.format(header="", body=body))
    assert fault_code(reply) == "Client.ResourceExhausted"
    assert f"at most {MAX_ATTRIBUTES} attributes" in fault_of(reply).findtext("faultstring", "")
    assert len(reply.content) < 2_000
    still_answers(post)


def test_a_fault_lists_at_most_the_cores_number_of_violations(post: Post) -> None:
    """20,000 bad values: quadratic before (each error's path scanned its siblings)."""
    reply = post(ENVELOPE.format(header=WRITER, body=_import("KJFK", ["99"] * 20_000)))
    fields = violated_fields(reply)
    assert len(fields) == MAX_REPORTED_VIOLATIONS
    assert fields[:2] == ["observations[0].temperature", "observations[1].temperature"]
    assert len(reply.content) < 100_000


def test_a_violation_beyond_the_first_window_is_named_by_its_index(post: Post) -> None:
    temperatures = ["1"] * (3 * WINDOW)
    temperatures[WINDOW + 44] = "99"
    temperatures[2 * WINDOW + 1] = "-99"
    reply = post(ENVELOPE.format(header=WRITER, body=_import("KJFK", temperatures)))
    assert violated_fields(reply) == [f"observations[{WINDOW + 44}].temperature",
                                      f"observations[{2 * WINDOW + 1}].temperature"]


def test_an_anonymous_import_is_refused_before_its_body_is_decoded(post: Post) -> None:
    reply = post(ENVELOPE.format(header="", body=_import("KJFK", ["99"] * 20_000)))
    assert fault_code(reply) == "Client.Unauthenticated"


@pytest.mark.parametrize("sequence", [2**63, 2**70])
def test_a_sequence_past_64_bits_is_invalid_argument_naming_it(
        post: Post, sequence: int) -> None:
    body = (f"<f:GetObservationsSince><f:sequence>{sequence}</f:sequence>"
            "</f:GetObservationsSince>")
    reply = post(ENVELOPE.format(header="", body=body))
    assert fault_code(reply) == "Client.InvalidArgument"
    assert violated_fields(reply) == ["sequence"]


def test_a_3_mib_import_is_accepted(endpoint: str, client: SoapClient) -> None:
    """Spyne's own default limit (2 MiB) refused it as 'Request too long'."""
    client.put_station(Station("ZLIM", "Large import", 1.0, 2.0, 3.0, "UTC"))
    count = 4_000
    body = _import("ZLIM", ["12.5"] * count, indent="\n" + " " * 120)
    document = ENVELOPE.format(header=WRITER, body=body)
    assert len(document) > 3 * 2**20
    with httpx.Client(timeout=120) as http:  # a generous bound on a shared, loaded machine
        reply = http.post(endpoint, content=document.encode(),
                          headers={"Content-Type": "text/xml"})
    assert reply.status_code == 200, reply.text[:500]
    assert f"<tns:imported>{count}</tns:imported>" in reply.text
    assert client.get_latest_observation("ZLIM").observed_at == START + timedelta(hours=count - 1)


def test_a_deeply_nested_body_is_resource_exhausted(post: Post) -> None:
    body = "<f:GetStation>" + "<f:x>" * 300 + "</f:x>" * 300 + "</f:GetStation>"
    assert fault_code(post(ENVELOPE.format(header="", body=body))) == "Client.ResourceExhausted"
    still_answers(post)


def test_a_huge_text_node_is_resource_exhausted(post: Post, client: SoapClient) -> None:
    body = f"<f:GetAlert><f:alertId>{'x' * 11_000_000}</f:alertId></f:GetAlert>"
    assert fault_code(post(ENVELOPE.format(header="", body=body))) == "Client.ResourceExhausted"
    with pytest.raises(NotFound):
        client.get_alert("KJFK-WIND-19000101T0000Z")


def test_polling_300000_stations_is_invalid_argument_naming_station_ids(post: Post) -> None:
    """Decoded lazily: the core's limit stops reading at the first id too many."""
    ids = "<f:StationId>KJFK</f:StationId>" * 300_000
    body = (f"<f:GetObservationsSince><f:sequence>0</f:sequence><f:stationIds>{ids}"
            "</f:stationIds></f:GetObservationsSince>")
    reply = post(ENVELOPE.format(header="", body=body))
    assert fault_code(reply) == "Client.InvalidArgument"
    assert violated_fields(reply) == ["station_ids"]
    still_answers(post)


def test_items_declaring_their_own_prefixes_are_named_in_any_window(post: Post) -> None:
    items = [f'<o{i}:ObservationInput xmlns:o{i}="urn:fourcast:weather:v1">'
             f"<o{i}:stationId>KJFK</o{i}:stationId>"
             f"<o{i}:observedAt>{START + timedelta(hours=i):%Y-%m-%dT%H:%M:%SZ}</o{i}:observedAt>"
             f"<o{i}:temperature>{99 if i in (1, WINDOW + 3) else 1}</o{i}:temperature>"
             f"</o{i}:ObservationInput>" for i in range(2 * WINDOW)]
    body = ("<f:ImportObservations><f:observations>" + "".join(items)
            + "</f:observations></f:ImportObservations>")
    reply = post(ENVELOPE.format(header=WRITER, body=body))
    assert violated_fields(reply) == ["observations[1].temperature",
                                      f"observations[{WINDOW + 3}].temperature"]


def test_five_hostile_requests_at_once_leave_the_server_answering(endpoint: str) -> None:
    """The issue's attack: five of them held all four SOAP threads for 46 s."""
    attributes = " ".join(f'a{i}="x"' for i in range(60_000))
    hostile = ENVELOPE.format(header="", body=f"<f:GetStation {attributes}>"
                                               "<f:stationId>KJFK</f:stationId></f:GetStation>")
    with httpx.Client(timeout=30) as http, ThreadPoolExecutor(5) as pool:
        def send(document: str) -> httpx.Response:
            return http.post(endpoint, content=document.encode(),
                             headers={"Content-Type": "text/xml"})

        replies = list(pool.map(send, [hostile] * 5))
        normal = send(ENVELOPE.format(header="", body="<f:GetStation><f:stationId>KJFK"
                                                       "</f:stationId></f:GetStation>"))
    assert [fault_code(r) for r in replies] == ["Client.ResourceExhausted"] * 5
    assert normal.status_code == 200 and "John F Kennedy" in normal.text
