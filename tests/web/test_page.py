"""The web app's page in a real browser, against the six servers ``fourcast serve`` runs.

Every wait is on the page's own signals (``document.body.dataset.ready``, a panel's
``data-state`` or ``data-live``, an element appearing) with a generous limit; none sleeps. Every
test ends by checking that no request left loopback and the console stayed free of errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from services.supervisor import ServerProcess
from tests.servers import API_KEY
from tests.web.conftest import DESKTOP, PHONE, PageLog, open_page

PROTOCOLS = ("rest", "graphql", "grpc", "soap")
LIMIT_MS = 60_000  # bounds a hang; the page loads in a second or two
STATIONS = ("KSEA", "KLGA")  # seeded stations with observations, chosen away from the default
GRPC_PATH = "/fourcast.weather.v1.WeatherService/"
PANELS = "section.panel[data-protocol]"
CONTROLS = ("select, textarea, button, input:not([type=hidden])")

SNAPSHOT = """() => ({
  ready: document.body.dataset.ready,
  panels: [...document.querySelectorAll('section.panel[data-protocol]')].map((p) => {
    const t = p.querySelector('[data-field="temperature"]');
    return {protocol: p.dataset.protocol, state: p.dataset.state, live: p.dataset.live,
            value: t && t.dataset.value, unit: t && t.dataset.unit,
            items: [...p.querySelectorAll('[data-role="live"] li[data-sequence]')].length};
  }),
  status: (() => { const s = document.querySelector('#live-status');
                   return s && `${s.dataset.state}: ${s.textContent.trim()}`; })(),
})"""
SHOWS_TEMPERATURE = """([value, unit]) => {
  if (document.body.dataset.ready !== 'true') return false;
  const panels = [...document.querySelectorAll('section.panel[data-protocol]')];
  const shown = [document.querySelector('#weather [data-field="temperature"]'),
                 ...panels.map((p) => p.querySelector('[data-field="temperature"]'))];
  return panels.length === 4 && panels.every((p) => p.dataset.state === 'done')
    && shown.every((t) => t && Number(t.dataset.value) === value && t.dataset.unit === unit);
}"""
LIVE_ITEM = """([protocol, value]) => {
  const panel = document.querySelector(`section.panel[data-protocol="${protocol}"]`);
  return [...panel.querySelectorAll('[data-role="live"] li[data-sequence]')].find((li) => {
    const t = li.querySelector('[data-field="temperature"]');
    return t && Number(t.dataset.value) === value;
  }) !== undefined;
}"""


def wait_for(page: Any, predicate: str, arg: Any, what: str) -> None:
    """Wait until ``predicate`` holds in the page; else fail with what the page showed."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(predicate, arg=arg, timeout=LIMIT_MS)
    except PlaywrightTimeout:
        pytest.fail(f"gave up waiting for {what}; the page showed {page.evaluate(SNAPSHOT)}")


def load(page: Any, url: str) -> None:
    page.goto(url)
    wait_for(page, "() => document.body.dataset.ready === 'true'", None,
             "the first load of every panel")


def choose_station(page: Any) -> str:
    """A seeded station other than the one shown first, chosen in the station list."""
    current = page.input_value("#station")
    offered = page.eval_on_selector_all("#station option", "options => options.map(o => o.value)")
    station = next(s for s in STATIONS if s != current)
    assert station in offered, f"{station} is not in the station list {offered}"
    page.select_option("#station", station)
    return station


def rest_temperature(web_stack: dict[str, ServerProcess], station: str,
                     units: str = "si") -> tuple[float, str, str]:
    """(value, unit code, observed_at) of the station's latest observation, from REST."""
    response = httpx.get(f"http://{web_stack['rest'].address}/stations/{station}"
                         f"/observations/latest", params={"units": units}, timeout=30)
    response.raise_for_status()
    body = response.json()
    return body["temperature"]["value"], body["temperature"]["unitCode"], body["observed_at"]


def assert_clean(log: PageLog, expected_console: str | None = None) -> None:
    allowed = re.compile(expected_console) if expected_console else None
    problems = log.problems(lambda text: bool(allowed and allowed.search(text)))
    assert not problems, "\n".join(problems)


@pytest.fixture
def page_and_log(chromium: Any) -> Iterator[tuple[Any, PageLog]]:
    context, page, log = open_page(chromium, DESKTOP)
    try:
        yield page, log
    finally:
        context.close()


def test_every_panel_shows_the_latest_temperature_the_rest_api_returns_in_either_units(
        page_and_log: tuple[Any, PageLog], web_url: str,
        web_stack: dict[str, ServerProcess]) -> None:
    page, log = page_and_log
    load(page, web_url)
    station = choose_station(page)
    value, unit, _ = rest_temperature(web_stack, station)
    wait_for(page, SHOWS_TEMPERATURE, [value, unit],
             f"every panel to show {station}'s latest temperature {value} {unit}")

    page.check('#units input[name="units"][value="us"]')
    us_value, us_unit, _ = rest_temperature(web_stack, station, "us")
    assert us_unit != unit
    wait_for(page, SHOWS_TEMPERATURE, [us_value, us_unit],
             f"every panel to show {station}'s latest temperature {us_value} {us_unit}")
    assert page.eval_on_selector("#agreement", "e => e.dataset.agree") == "true"
    assert_clean(log)


def test_each_panel_reached_its_own_protocols_server(
        page_and_log: tuple[Any, PageLog], web_url: str,
        web_stack: dict[str, ServerProcess]) -> None:
    page, log = page_and_log
    load(page, web_url)
    states = page.eval_on_selector_all(PANELS, "ps => ps.map(p => [p.dataset.protocol, "
                                               "p.dataset.state])")
    assert sorted(states) == sorted([p, "done"] for p in PROTOCOLS)

    def answers(server: str, call: re.Pattern[str]) -> list[str]:
        address = web_stack[server].address
        return [f"{method} {url}" for status, method, url in log.responses
                if urlsplit(url).netloc == address and status == 200
                and call.match(f"{method} {urlsplit(url).path}")]

    assert answers("rest", re.compile(r"GET /stations/")), "no REST read reached the REST server"
    assert answers("graphql", re.compile(r"POST /graphql$")), "no GraphQL query reached it"
    assert answers("soap", re.compile(r"POST /soap$")), "no SOAP envelope reached the server"
    assert answers("grpc-web", re.compile(rf"POST {re.escape(GRPC_PATH)}")), (
        "no gRPC-Web call reached the proxy")
    grpc_address = web_stack["grpc"].address
    assert not [url for _, url in log.requests if urlsplit(url).netloc == grpc_address], (
        "the page called the gRPC port directly, which a browser cannot do")
    assert_clean(log)


def _submit(page: Any, protocol: str, api_key: str, temperature: float) -> None:
    # the previous outcome is cleared first, so that the wait below sees this write's
    page.eval_on_selector("#live-status", "s => { delete s.dataset.state; s.textContent = ''; }")
    page.select_option('#live select[name="protocol"]', protocol)
    page.fill('#live input[name="api_key"]', api_key)
    page.fill('#live input[name="temperature"]', str(temperature))
    page.click('#live [type="submit"]')


def _wait_until_live(page: Any) -> None:
    wait_for(page, """() => {
      const panels = [...document.querySelectorAll('section.panel[data-protocol]')];
      return panels.length === 4 && panels.every((p) => p.dataset.live === 'connected');
    }""", None, "every panel's live watch (SOAP: its polling) to be open")


def test_a_write_through_each_protocol_appears_live_in_every_panel_with_its_delay(
        page_and_log: tuple[Any, PageLog], web_url: str) -> None:
    page, log = page_and_log
    load(page, web_url)  # the station shown first: no reload races the watches' opening
    _wait_until_live(page)
    for offset, writer in enumerate(PROTOCOLS):
        temperature = 31.25 + offset
        _submit(page, writer, API_KEY, temperature)
        wait_for(page, "() => document.querySelector('#live-status').dataset.state === 'ok'",
                 None, f"the write through {writer} to be acknowledged")
        for panel in PROTOCOLS:  # SOAP's by polling, the others pushed
            wait_for(page, LIVE_ITEM, [panel, temperature],
                     f"{temperature} written through {writer} to arrive in the {panel} panel")
    for panel in PROTOCOLS:
        delays = page.eval_on_selector_all(
            f'section.panel[data-protocol="{panel}"] [data-role="live"] li[data-sequence] '
            '[data-field="delay"]', "ds => ds.map(d => d.textContent.trim())")
        assert len(delays) >= len(PROTOCOLS), f"{panel}: {delays}"
        assert all(re.search(r"\d", d) for d in delays), f"{panel} shows no delay: {delays}"
    assert_clean(log)


def test_a_wrong_api_key_shows_the_error_and_writes_nothing(
        page_and_log: tuple[Any, PageLog], web_url: str,
        web_stack: dict[str, ServerProcess]) -> None:
    page, log = page_and_log
    load(page, web_url)
    station = page.input_value("#station")
    before = rest_temperature(web_stack, station)
    for writer in PROTOCOLS:
        _submit(page, writer, "not-a-key", 99.5)
        wait_for(page, "() => document.querySelector('#live-status').dataset.state === 'error'",
                 None, f"the write through {writer} to be refused")
        status = page.text_content("#live-status") or ""
        assert "UNAUTHENTICATED" in status, f"{writer}: {status!r}"
        assert rest_temperature(web_stack, station) == before, f"{writer} wrote anyway"
    assert page.evaluate(LIVE_ITEM, ["rest", 99.5]) is False
    # the browser itself logs each refused call's HTTP error status (REST's 401, SOAP's Fault)
    assert_clean(log, r"^Failed to load resource: the server responded with a status of "
                      r"(401|500)\b")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_page_is_usable_without_horizontal_scrolling_at_a_phones_width_and_a_desktops(
        chromium: Any, web_url: str, viewport: dict[str, int]) -> None:
    context, page, log = open_page(chromium, viewport)
    try:
        load(page, web_url)
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= viewport["width"], f"the page is {width} px wide"
        controls = page.locator(CONTROLS)
        assert controls.count() > 0
        for index in range(controls.count()):
            control = controls.nth(index)
            if control.evaluate("c => c.closest('details:not([open])') !== null"):
                continue  # folded away until opened, as meant
            name = control.evaluate("c => c.outerHTML.slice(0, 120)")
            assert control.is_visible(), f"hidden control: {name}"
            box = control.bounding_box()
            assert box is not None and box["x"] >= 0, f"{name} starts off screen: {box}"
            assert box["x"] + box["width"] <= viewport["width"] + 0.5, (
                f"{name} reaches past the screen's edge: {box}")
        assert_clean(log)
    finally:
        context.close()
