"""WS-Security replay protection: a UsernameToken with a Nonce and Created is accepted once,
within a freshness window; the zeep client sends a fresh pair in every message."""

from __future__ import annotations

import base64
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from lxml import etree

from clients.soap_client import FreshUsernameToken, SoapClient
from services.core.domain import Station
from services.core.errors import Unauthenticated
from services.soap_api.replay import WSSE, WSU, NonceCache
from tests.servers import API_KEY, served
from tests.soap.conftest import ENVELOPE, fault_code, fault_of

Post = Callable[[bytes | str], httpx.Response]


def _token(nonce: str, created: datetime, key: str = API_KEY) -> str:
    return (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>u</wsse:Username><wsse:Password>{key}</wsse:Password>"
            f"<wsse:Nonce>{nonce}</wsse:Nonce>"
            f"<wsu:Created>{created:%Y-%m-%dT%H:%M:%SZ}</wsu:Created>"
            "</wsse:UsernameToken></wsse:Security>")


def _put(station_id: str) -> str:
    return (f"<f:PutStation><f:station><f:id>{station_id}</f:id><f:name>Replay</f:name>"
            "<f:latitude>1</f:latitude><f:longitude>2</f:longitude><f:elevation>3</f:elevation>"
            "<f:timezone>UTC</f:timezone></f:station></f:PutStation>")


def _fresh_nonce() -> str:
    return base64.b64encode(os.urandom(16)).decode()


def _put_observation() -> str:
    return ("<f:PutObservation><f:observation><f:stationId>KJFK</f:stationId>"
            "<f:observedAt>2013-01-03T05:00:00Z</f:observedAt><f:temperature>2</f:temperature>"
            "</f:observation></f:PutObservation>")


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _other_unused_bits(nonce: str) -> str:
    """The same 16 bytes written with different unused trailing bits (``...A==`` -> ``...B==``)."""
    last = nonce[-3]
    return nonce[:-3] + _B64[_B64.index(last) ^ 1] + "=="


@pytest.mark.parametrize("rewrite", [
    pytest.param(lambda n: n[:12] + " " + n[12:], id="a space inside"),
    pytest.param(lambda n: n[:8] + "\n" + n[8:16] + "\r\n\t" + n[16:], id="line breaks inside"),
    pytest.param(lambda n: f" {n} ", id="surrounding spaces"),
    pytest.param(_other_unused_bits, id="other unused trailing bits"),
])
def test_a_replay_whose_nonce_is_written_differently_is_refused(
        post: Post, rewrite: Callable[[str], str]) -> None:
    """The nonce is the bytes it encodes: the same bytes in another spelling are a replay."""
    nonce, created = _fresh_nonce(), datetime.now(UTC)
    assert post(ENVELOPE.format(header=_token(nonce, created), body=_put_observation())
                ).status_code == 200
    replayed = post(ENVELOPE.format(header=_token(rewrite(nonce), created),
                                    body=_put_observation()))
    assert fault_code(replayed) == "Client.Unauthenticated"
    assert "already used" in fault_of(replayed).findtext("faultstring", "")


@pytest.mark.parametrize("nonce", [
    pytest.param("!!!", id="not base64"),
    pytest.param(_fresh_nonce().rstrip("="), id="without its padding"),
    pytest.param(_fresh_nonce()[:-2] + "=A", id="padding in the middle"),
])
def test_a_nonce_that_is_not_base64_is_refused(post: Post, nonce: str) -> None:
    reply = post(ENVELOPE.format(header=_token(nonce, datetime.now(UTC)),
                                 body=_put_observation()))
    assert fault_code(reply) == "Client.Unauthenticated"
    assert "not base64" in fault_of(reply).findtext("faultstring", "")


def test_a_nonce_in_another_encoding_is_refused(post: Post) -> None:
    header = _token(_fresh_nonce(), datetime.now(UTC)).replace(
        "<wsse:Nonce>", '<wsse:Nonce EncodingType="urn:example#HexBinary">')
    reply = post(ENVELOPE.format(header=header, body=_put_observation()))
    assert fault_code(reply) == "Client.Unauthenticated"


def test_a_replayed_message_is_refused(post: Post) -> None:
    message = ENVELOPE.format(header=_token(_fresh_nonce(), datetime.now(UTC)),
                              body=_put("ZRPA"))
    assert post(message).status_code == 200
    replayed = post(message)
    assert fault_code(replayed) == "Client.Unauthenticated"
    assert "already used" in fault_of(replayed).findtext("faultstring", "")


def test_a_message_replayed_to_another_replica_is_refused(
        served_db: str | Path, server_logs: Path, post: Post) -> None:
    # two SOAP servers on one database, as replicas behind a load balancer: the nonce is
    # remembered in the store, not in the process that first saw it
    message = ENVELOPE.format(header=_token(_fresh_nonce(), datetime.now(UTC)),
                              body=_put("ZRPR"))
    assert post(message).status_code == 200
    with served("soap", served_db, server_logs) as replica, httpx.Client(timeout=30) as http:
        replayed = http.post(f"http://{replica.address}/soap", content=message.encode(),
                             headers={"Content-Type": "text/xml; charset=utf-8"})
    assert fault_code(replayed) == "Client.Unauthenticated"
    assert "already used" in fault_of(replayed).findtext("faultstring", "")


def test_the_nonce_of_a_token_with_an_unknown_key_is_not_remembered() -> None:
    claimed: list[bytes] = []
    cache = NonceCache(lambda nonce, lifetime: claimed.append(nonce) is None)
    entries = _entries(_fresh_nonce(), datetime.now(UTC))
    cache.check(entries, remember=False)  # an anonymous client cannot fill the store
    assert claimed == []
    cache.check(entries, remember=True)
    assert len(claimed) == 1


@pytest.mark.parametrize("created", [
    pytest.param(timedelta(minutes=-10), id="stale"),
    pytest.param(timedelta(hours=1), id="from the future"),
])
def test_a_token_created_outside_the_freshness_window_is_refused(
        post: Post, created: timedelta) -> None:
    message = ENVELOPE.format(header=_token(_fresh_nonce(), datetime.now(UTC) + created),
                              body=_put("ZRPB"))
    assert fault_code(post(message)) == "Client.Unauthenticated"


def test_the_zeep_client_sends_a_fresh_nonce_and_created_in_every_message() -> None:
    token = FreshUsernameToken("api-key", "secret")
    nonces = set()
    for _ in range(2):
        envelope = etree.fromstring(
            '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header/>'
            "<e:Body/></e:Envelope>")
        token.apply(envelope, {})
        nonces.add(envelope.findtext(f".//{{{WSSE}}}Nonce"))
        assert envelope.findtext(f".//{{{WSU}}}Created", "").endswith("Z")
    assert len(nonces) == 2 and None not in nonces


def test_the_client_writes_twice_in_a_row(client: SoapClient) -> None:
    client.put_station(Station("ZRPC", "Twice", 1.0, 2.0, 3.0, "UTC"))
    client.delete_station("ZRPC")


def _entries(nonce: str, created: datetime) -> list[etree._Element]:
    return list(etree.fromstring(f"<h>{_token(nonce, created)}</h>"))


def test_the_nonce_memory_is_bounded_and_forgets_after_the_window() -> None:
    now = [datetime(2030, 1, 1, tzinfo=UTC).timestamp()]
    cache = NonceCache(capacity=2, clock=lambda: now[0])
    created = datetime.fromtimestamp(now[0], UTC)
    a, b, c, d = "YQ==", "Yg==", "Yw==", "ZA=="
    cache.check(_entries(a, created))
    with pytest.raises(Unauthenticated):
        cache.check(_entries(a, created))
    cache.check(_entries(b, created))
    cache.check(_entries(c, created))  # full: the oldest (a) is forgotten
    cache.check(_entries(a, created))
    now[0] += 7 * 60  # past the window: the Created is stale, whatever the nonce
    with pytest.raises(Unauthenticated, match="stale"):
        cache.check(_entries(d, created))
