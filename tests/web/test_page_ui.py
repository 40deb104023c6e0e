"""The page's own behaviour in a real browser: keyboard use, a phone's width, the dark theme,
and the API key typed into the live form.

The data the page shows and the live path through the four protocols are tested in
``test_page.py``; these tests are about the page a person uses. Every wait is on the page's
own signals (``document.body.dataset.ready``, a panel's state) with a generous limit.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.servers import API_KEY
from tests.web.conftest import DESKTOP, PHONE, PageLog, open_page

LIMIT_MS = 60_000  # bounds a hang; the page loads in a second or two
TAB_LIMIT = 400  # more Tab presses than the page has stops
READY = "() => document.body.dataset.ready === 'true'"
ALL_DONE = """() => document.body.dataset.ready === 'true' &&
  [...document.querySelectorAll('section.panel[data-protocol]')].length === 4"""

# What has the keyboard focus, and how it is drawn.
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const style = getComputedStyle(e);
  const panel = e.closest('section.panel[data-protocol]');
  return {
    tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'), type: e.type || null,
    value: e.value ?? null, role: e.closest('[data-role]')?.dataset.role ?? null,
    panel: panel ? panel.dataset.protocol : null,
    outlineStyle: style.outlineStyle, outlineWidth: parseFloat(style.outlineWidth),
    boxShadow: style.boxShadow, text: (e.textContent || '').trim().slice(0, 60),
  };
}"""


@pytest.fixture
def desktop(chromium: Any, web_url: str) -> Iterator[tuple[Any, PageLog]]:
    context, page, log = open_page(chromium, DESKTOP)
    try:
        load(page, web_url)
        yield page, log
    finally:
        context.close()


def load(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function(ALL_DONE, timeout=LIMIT_MS)


def focus_stops(page: Any) -> list[dict[str, Any]]:
    """Every element Tab reaches, from the top of the page round to it again."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    stops: list[dict[str, Any]] = []
    for _ in range(TAB_LIMIT):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:  # past the last stop: the focus left the document
            break
        if stops and focused == stops[0]:
            break
        stops.append(focused)
    return stops


def test_every_control_is_reached_with_the_tab_key_and_shows_a_focus_ring(
        desktop: tuple[Any, PageLog]) -> None:
    page, log = desktop
    stops = focus_stops(page)
    reached = {(s["tag"], s["name"] or s["id"]) for s in stops}
    for control in [("select", "station"), ("input", "units"), ("button", "reload"),
                    ("select", "protocol"),
                    ("input", "api_key"), ("input", "temperature")]:
        assert control in reached, f"Tab never reaches {control}; it reaches {sorted(reached)}"
    assert any(s["tag"] == "button" and s["text"] == "Record observation" for s in stops)
    links = {s["text"] for s in stops if s["tag"] == "a"}
    assert {"REST docs", "OpenAPI", "GraphiQL", "WSDL"} <= links, links
    # each panel's exchanges open from the keyboard: their summaries are stops
    summaries = {s["panel"] for s in stops if s["tag"] == "summary" and s["role"] == "exchange"}
    assert summaries == {"rest", "graphql", "grpc", "soap"}, summaries
    unringed = [s for s in stops
                if not (s["outlineStyle"] not in ("none", "") and s["outlineWidth"] >= 2)
                and s["boxShadow"] in ("none", "")]
    assert not unringed, f"focused without a visible ring: {unringed[:3]}"
    assert not log.problems()


def test_units_and_an_exchange_are_usable_with_the_keyboard_alone(
        desktop: tuple[Any, PageLog]) -> None:
    page, log = desktop
    page.focus("#units-si")
    page.keyboard.press("ArrowRight")  # a radio group moves with the arrow keys
    assert page.is_checked("#units-us")
    page.wait_for_function(READY, timeout=LIMIT_MS)
    unit = page.get_attribute('#weather [data-field="temperature"]', "data-unit")
    assert unit == "degF"
    assert page.get_attribute("#agreement", "data-agree") == "true"

    page.focus("#reload")
    # a reload may start and end while the key press returns (on a loaded machine): the page
    # itself counts the reloads it starts
    page.evaluate("""() => {
        window.reloadsStarted = 0;
        new MutationObserver(() => {
            if (document.body.dataset.ready === "false") window.reloadsStarted += 1;
        }).observe(document.body, { attributes: true, attributeFilter: ["data-ready"] });
    }""")
    page.keyboard.press("Enter")  # the four load again
    page.wait_for_function(
        '() => window.reloadsStarted > 0 && document.body.dataset.ready === "true"',
        timeout=LIMIT_MS)
    assert page.get_attribute('#weather [data-field="temperature"]', "data-unit") == "degF"

    summary = page.locator('section.panel[data-protocol="soap"] details[data-role="exchange"] '
                           "> summary").first
    summary.focus()
    page.keyboard.press("Enter")
    details = summary.locator("xpath=..")
    assert details.evaluate("d => d.open") is True
    envelope = details.locator('[data-role="request-body"]').inner_text()
    assert "Envelope" in envelope and "GetLatestObservation" in envelope
    assert not log.problems()


def test_a_long_body_is_cut_and_shown_whole_from_the_keyboard(
        desktop: tuple[Any, PageLog]) -> None:
    page, log = desktop
    # REST's seven-day forecast, indented, is longer than an exchange shows at first
    forecast = page.locator('section.panel[data-protocol="rest"] details[data-role="exchange"]',
                            has_text="/forecast").first
    forecast.locator("> summary").focus()
    page.keyboard.press("Enter")
    body = forecast.locator('[data-role="response-body"]')
    cut = body.inner_text()
    assert cut.rstrip().endswith("…")
    show_all = forecast.get_by_role("button", name=re.compile(r"^Show all \(\d+ more lines\)$"))
    show_all.focus()
    page.keyboard.press("Enter")
    whole = body.inner_text()
    assert len(whole) > len(cut) and whole.startswith(cut.rstrip("…\n"))
    assert '"periods"' in whole and whole.rstrip().endswith("}")
    assert show_all.count() == 0
    assert not log.problems()


def test_at_a_phones_width_the_panels_stack_and_nothing_scrolls_sideways(
        chromium: Any, web_url: str) -> None:
    context, page, log = open_page(chromium, PHONE)
    try:
        load(page, web_url)
        # every exchange open: the longest URLs, headers and bodies on the page
        page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")
        width = page.evaluate("() => document.scrollingElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']}"
        boxes = [page.locator(f'section.panel[data-protocol="{p}"]').bounding_box()
                 for p in ("rest", "graphql", "grpc", "soap")]
        assert all(box is not None for box in boxes)
        lefts = {round(box["x"]) for box in boxes}
        assert len(lefts) == 1, f"the panels are not in one column: {boxes}"
        for above, below in itertools.pairwise(boxes):
            assert below["y"] >= above["y"] + above["height"], "panels overlap"
        for box in boxes:
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert not log.problems()
    finally:
        context.close()


def _luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted([_luminance(foreground), _luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


COLOURS = """() => {
  const colour = (selector, property) =>
    getComputedStyle(document.querySelector(selector))[property];
  return {
    page: colour('body', 'backgroundColor'), text: colour('body', 'color'),
    card: colour('.card', 'backgroundColor'), muted: colour('.card .hint', 'color'),
    link: colour('.doc-links a', 'color'), header: colour('.site-header', 'backgroundColor'),
    panel: colour('section.panel', 'backgroundColor'),
    label: colour('section.panel .label', 'color'),
  };
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_follows_the_system_setting_with_readable_contrast(
        chromium: Any, web_url: str, scheme: str) -> None:
    context, page, log = open_page(chromium, DESKTOP, color_scheme=scheme)
    try:
        load(page, web_url)
        colours = page.evaluate(COLOURS)
        if scheme == "dark":
            assert _luminance(colours["page"]) < 0.05, colours
        else:
            assert _luminance(colours["page"]) > 0.8, colours
        pairs = {"text on the page": ("text", "page"), "hints on a card": ("muted", "card"),
                 "links in the header": ("link", "header"),
                 "labels in a panel": ("label", "panel")}
        for what, (foreground, background) in pairs.items():
            ratio = _contrast(colours[foreground], colours[background])
            assert ratio >= 4.5, f"{scheme}: {what} has contrast {ratio:.2f} ({colours})"
        assert not log.problems()
    finally:
        context.close()


def test_the_api_key_typed_is_sent_but_never_kept_shown_or_put_in_the_address(
        desktop: tuple[Any, PageLog]) -> None:
    page, log = desktop
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text))
    page.select_option('#live select[name="protocol"]', "soap")  # the key goes in the envelope
    page.fill('#live input[name="api_key"]', API_KEY)
    page.fill('#live input[name="temperature"]', "12.5")
    page.click('#live [type="submit"]')
    page.wait_for_function("() => document.querySelector('#live-status').dataset.state === 'ok'",
                           timeout=LIMIT_MS)
    assert page.locator('#live-exchanges details[data-role="exchange"]').count() >= 1
    page.eval_on_selector_all("details", "ds => ds.forEach(d => { d.open = true; })")
    kept = page.evaluate("""() => ({
      address: location.href, html: document.documentElement.outerHTML,
      text: document.body.innerText,
      stored: JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage}),
      cookies: document.cookie })""")
    for where, content in kept.items():
        assert API_KEY not in content, f"the API key is in the page's {where}"
    assert not [m for m in messages if API_KEY in m], "the API key was logged"
    assert page.get_attribute('#live input[name="api_key"]', "type") == "password"
    assert page.get_attribute('#live input[name="api_key"]', "autocomplete") == "off"
    assert not log.problems()
