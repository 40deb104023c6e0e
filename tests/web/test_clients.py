"""The page's four protocol clients (static/js/api/) in Chromium, against the served stack.

Each test imports the clients into the served page (``import()`` of /static/js/api/*.js in
``page.evaluate``) and calls them as the page does: the four must return the same results,
equal to what the Python REST client reads, fail the same way, write through each protocol,
and each call must go to its own protocol's server (gRPC: through the gRPC-Web proxy).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from clients import graphql_documents
from clients.rest_client import RestClient
from services.core.domain import Observation
from services.core.units import MEASUREMENTS, Units
from services.supervisor import ServerProcess
from tests.servers import API_KEY
from tests.web.conftest import PageLog

PROTOCOLS = ("rest", "graphql", "grpc", "soap")
WRITE_STATION = "KSFO"  # the page tests write to other stations, at "now"
LIMIT_MS = 30_000

# Loads the clients into the page once: window.fourcast = {clients, model, exchange, config}.
SETUP = """async (protocols) => {
  const exchange = await import('/static/js/api/exchange.js');
  const model = await import('/static/js/api/model.js');
  const config = await exchange.loadConfig();
  const clients = {};
  for (const p of protocols) {
    clients[p] = (await import(`/static/js/api/${p}.js`)).createClient(config);
  }
  window.fourcast = {clients, model, exchange, config};
  return Object.fromEntries(Object.entries(clients).map(([p, c]) => [p, {
    protocol: c.protocol, title: c.title, route: c.route, directNote: c.directNote,
    pushes: c.pushes}]));
}"""
# Calls one method of every client: {protocol: {result, exchanges} or {error: {code, ...}}}.
CALL_ALL = """async ([method, args]) => {
  const {clients} = window.fourcast;
  const out = {};
  await Promise.all(Object.entries(clients).map(async ([p, client]) => {
    try {
      out[p] = await client[method](...args);
    } catch (error) {
      out[p] = {error: {code: error.code ?? null, message: String(error.message),
                        name: error.name, exchanges: error.exchanges ?? []}};
    }
  }));
  return out;
}"""
CANONICAL = "(value) => window.fourcast.model.canonicalJson(value)"
FAILED_LOAD = "Failed to load resource: the server responded with a status of"


@contextmanager
def clients_page(browser_page: tuple[Any, PageLog], web_url: str,
                 http_errors_expected: bool = False) -> Iterator[Any]:
    """The served page with the four clients loaded. Afterwards: no request off loopback and
    no console error, but (where a test expects them) the browser's own report of an HTTP
    error answer, which is how a 404 or a SOAP Fault's 500 shows in the console."""
    page, log = browser_page
    page.goto(web_url)
    page.set_default_timeout(LIMIT_MS)
    described = page.evaluate(SETUP, list(PROTOCOLS))
    assert [described[p]["protocol"] for p in PROTOCOLS] == list(PROTOCOLS)
    yield page
    assert log.problems(lambda text: http_errors_expected and text.startswith(FAILED_LOAD)) == []


@pytest.fixture
def page(browser_page: tuple[Any, PageLog], web_url: str) -> Iterator[Any]:
    with clients_page(browser_page, web_url) as loaded:
        yield loaded


@pytest.fixture
def failing_page(browser_page: tuple[Any, PageLog], web_url: str) -> Iterator[Any]:
    """:func:`page` for calls the servers refuse."""
    with clients_page(browser_page, web_url, http_errors_expected=True) as loaded:
        yield loaded


def call_all(page: Any, method: str, *args: Any) -> dict[str, Any]:
    return page.evaluate(CALL_ALL, [method, list(args)])  # type: ignore[no-any-return]


def results(page: Any, method: str, *args: Any) -> dict[str, Any]:
    answers = call_all(page, method, *args)
    failed = {p: a["error"] for p, a in answers.items() if "error" in a}
    assert failed == {}
    return {p: answers[p]["result"] for p in PROTOCOLS}


def as_page_shows(observation: Observation) -> dict[str, Any]:
    """An observation of the Python client as the page's clients give it."""
    shown: dict[str, Any] = {m: getattr(observation, m) for m in MEASUREMENTS}
    shown.update(station_id=observation.station_id, units=observation.units.value,
                 observed_at=observation.observed_at.astimezone(UTC)
                 .strftime("%Y-%m-%dT%H:%M:%SZ"))
    return shown


@pytest.fixture(scope="module")
def rest_client(web_stack: dict[str, ServerProcess]) -> Iterator[RestClient]:
    rest = web_stack["rest"]
    with RestClient.connect(rest.settings.host, rest.port, API_KEY) as client:
        yield client


def test_the_clients_describe_how_the_page_reaches_their_server(page: Any) -> None:
    described = page.evaluate(SETUP, list(PROTOCOLS))
    config = page.evaluate("() => window.fourcast.config")
    assert described["grpc"]["route"] == (
        f"gRPC-Web (fetch) → Envoy {config['grpcWeb']} → gRPC {config['grpc']}")
    assert "trailers" in described["grpc"]["directNote"]
    assert [described[p]["directNote"] for p in ("rest", "graphql", "soap")] == [None] * 3
    assert {p: d["pushes"] for p, d in described.items()} == {
        "rest": True, "graphql": True, "grpc": True, "soap": False}


@pytest.mark.parametrize("units", ["si", "us"])
def test_the_four_latest_observations_agree_with_the_python_client(
        page: Any, rest_client: RestClient, units: str) -> None:
    found = results(page, "latest", "KJFK", units)
    expected = as_page_shows(rest_client.get_latest_observation("KJFK", Units(units)))
    assert {p: found[p] for p in PROTOCOLS} == {p: expected for p in PROTOCOLS}
    canonical = {page.evaluate(CANONICAL, found[p]) for p in PROTOCOLS}
    assert len(canonical) == 1


@pytest.mark.parametrize(("method", "args"), [
    ("stations", []),
    ("forecast", ["KSEA", 3, "us"]),
    ("daily", ["KJFK", "2013-12-01", "2013-12-14", "si"]),
    ("alerts", ["KJFK", "2013-01-01T00:00:00Z", "2014-01-01T00:00:00Z"]),
])
def test_the_four_agree_on_every_read_the_page_makes(page: Any, method: str,
                                                     args: list[Any]) -> None:
    found = results(page, method, *args)
    assert found["rest"], f"{method} read nothing: the comparison would prove little"
    canonical = {p: page.evaluate(CANONICAL, found[p]) for p in PROTOCOLS}
    assert {p: canonical[p] == canonical["rest"] for p in PROTOCOLS} == dict.fromkeys(
        PROTOCOLS, True)


def test_an_unknown_station_is_not_found_in_every_protocol(failing_page: Any) -> None:
    answers = call_all(failing_page, "latest", "KZZZ", "si")
    assert {p: a.get("error", {}).get("code") for p, a in answers.items()} == dict.fromkeys(
        PROTOCOLS, "NOT_FOUND")
    for protocol, answer in answers.items():
        assert answer["error"]["name"] == "ApiError"
        assert "KZZZ" in answer["error"]["message"], protocol
        assert answer["error"]["exchanges"], f"{protocol}: the failed call shows no exchange"


def test_a_write_with_a_wrong_key_is_unauthenticated_in_every_protocol(
        failing_page: Any) -> None:
    observation = {"station_id": WRITE_STATION, "observed_at": "2013-03-01T12:34:56Z",
                   "temperature": 1.0}
    answers = call_all(failing_page, "record", "not-a-key", observation)
    assert {p: a.get("error", {}).get("code") for p, a in answers.items()} == dict.fromkeys(
        PROTOCOLS, "UNAUTHENTICATED")


def test_a_record_through_each_protocol_is_stored(page: Any, rest_client: RestClient) -> None:
    written = {}
    for minute, protocol in enumerate(PROTOCOLS):
        observation = {"station_id": WRITE_STATION,
                       "observed_at": f"2013-03-02T12:{minute:02d}:17Z",
                       "temperature": 10.5 + minute, "dewpoint": -2.25, "wind_speed": None}
        answer = page.evaluate("async ([p, key, o]) => window.fourcast.clients[p].record(key, o)",
                               [protocol, API_KEY, observation])
        assert answer["result"]["temperature"] == 10.5 + minute
        assert answer["result"]["dewpoint"] == -2.25 and answer["result"]["wind_speed"] is None
        assert API_KEY not in str(answer["exchanges"]), f"{protocol} shows the API key"
        written[protocol] = answer["result"]
    for minute, protocol in enumerate(PROTOCOLS):
        stored = rest_client.get_observation(
            WRITE_STATION, datetime(2013, 3, 2, 12, minute, 17, tzinfo=UTC))
        assert as_page_shows(stored) == written[protocol]


def test_each_client_calls_its_own_protocols_server(page: Any,
                                                    web_stack: dict[str, ServerProcess]) -> None:
    settings = web_stack["web"].settings
    server_of = {"rest": "rest", "graphql": "graphql", "soap": "soap", "grpc": "grpc-web"}
    answers = results_with_exchanges(page)
    for protocol, exchanges in answers.items():
        ports = {urlsplit(e["url"]).port for e in exchanges}
        assert ports == {settings.port(server_of[protocol])}, protocol
        assert all(e["protocol"] == protocol and e["bytesReceived"] > 0 and e["status"]
                   for e in exchanges), protocol


# Reads of different sizes at once, as the page makes them: GraphQL and SOAP POST every call to
# one address, so only the answer tells their Resource Timing entries apart.
CONCURRENT_READS = """async ([protocol, stations]) => {
  const client = window.fourcast.clients[protocol];
  const answers = await Promise.all(stations.flatMap((station) => [
    client.latest(station, 'si'), client.forecast(station, 7, 'si'),
    client.daily(station, '2013-12-01', '2013-12-14', 'si'), client.alerts(station)]));
  return answers.flatMap((answer) => answer.exchanges);
}"""


@pytest.mark.parametrize("protocol", ["graphql", "soap"])
def test_each_of_several_calls_to_one_address_counts_its_own_answers_bytes(
        page: Any, protocol: str) -> None:
    exchanges = page.evaluate(CONCURRENT_READS, [protocol, ["KJFK", "KSEA", "KLGA"]])
    assert len({len(e["responseBody"]) for e in exchanges}) >= 4, "the answers' sizes differ"
    # the servers answer these uncompressed: the body on the wire is the body as read
    received = {(i, e["label"]): e["bytesReceived"] for i, e in enumerate(exchanges)}
    assert received == {(i, e["label"]): len(e["responseBody"].encode())
                        for i, e in enumerate(exchanges)}
    assert all("Resource Timing measured" in e["note"] for e in exchanges), [
        e["note"] for e in exchanges]


def results_with_exchanges(page: Any) -> dict[str, list[dict[str, Any]]]:
    answers = call_all(page, "latest", "KLGA", "si")
    return {p: answers[p]["exchanges"] for p in PROTOCOLS}


WATCH_ALL = """async ([station, units]) => {
  const {clients} = window.fourcast;
  window.arrived = {};
  window.watches = [];
  await Promise.all(Object.entries(clients).map(([p, client]) => new Promise((opened, failed) => {
    window.arrived[p] = [];
    window.watches.push(client.watch([station], units, {
      onOpen: () => opened(),
      onError: (error) => failed(new Error(`${p}: ${error.code} ${error.message}`)),
      onEvent: (recorded) => window.arrived[p].push(recorded),
    }));
  })));
}"""


def test_a_write_reaches_every_watch(page: Any, rest_client: RestClient) -> None:
    page.evaluate(WATCH_ALL, [WRITE_STATION, "si"])
    written = rest_client.put_observation(Observation(
        station_id=WRITE_STATION, observed_at=datetime(2013, 3, 3, 6, 0, 41, tzinfo=UTC),
        temperature=-3.5, units=Units.SI)).value
    page.wait_for_function("(n) => Object.values(window.arrived).every((a) => a.length >= n)",
                           arg=1, timeout=LIMIT_MS)
    arrived = page.evaluate("() => { window.watches.forEach((w) => w.stop()); "
                            "return window.arrived; }")
    assert {p: [r["observation"] for r in arrived[p]] for p in PROTOCOLS} == {
        p: [as_page_shows(written)] for p in PROTOCOLS}
    assert len({r["sequence"] for p in PROTOCOLS for r in arrived[p]}) == 1


def test_the_graphql_documents_are_the_python_clients(page: Any) -> None:
    sent = page.evaluate("async () => (await import('/static/js/api/graphql.js')).DOCUMENTS")
    for name, document in sent.items():
        assert document == getattr(graphql_documents, name).document.loc.source.body, name


def test_a_page_of_servers_on_every_address_calls_them_by_its_own_host(page: Any) -> None:
    resolved = page.evaluate("""() => window.fourcast.exchange.resolveConfig({
        rest: 'http://0.0.0.0:8000/', graphqlWs: 'ws://0.0.0.0:8001/graphql',
        grpcWeb: 'http://0.0.0.0:8081', grpc: '0.0.0.0:50051', hostFromPage: true},
        'weather.example')""")
    assert resolved == {"rest": "http://weather.example:8000/",
                        "graphqlWs": "ws://weather.example:8001/graphql",
                        "grpcWeb": "http://weather.example:8081",
                        "grpc": "weather.example:50051", "hostFromPage": False}
