"""GraphiQL works with no network but loopback: the page names only this server's files, each
is served (the bytes Strawberry's integrity hashes name), and in Chromium the editor runs a
query and a subscription with no request leaving the GraphQL server. Against the served
process."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from services.evidence.capabilities.browser import browser_problem, headless_chromium
from services.graphql_api.graphiql import ASSETS_PATH, IMMUTABLE, page_assets, strawberry_page
from services.supervisor import ServerProcess
from tests.graphql.recorded import recorded_after

WAIT_MS = 30_000  # bounds a hang only
STATION = "ZGQ1"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}


def graphiql(http: httpx.Client, path: str = "/graphql") -> httpx.Response:
    return http.get(path, headers={"Accept": "text/html"})


class _Links(HTMLParser):
    """Every URL an attribute of the page names (src, href, action, ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs
                      if value and name in ("src", "href", "action", "srcset", "data")]


def test_the_page_names_no_other_server(http: httpx.Client) -> None:
    response = graphiql(http)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    links = _Links()
    links.feed(response.text)
    links.close()
    assert links.urls, "the page names no file at all"
    external = [u for u in links.urls if urlsplit(u).scheme not in ("", "data")
                or u.startswith("//")]
    assert external == []
    assert "unpkg.com" not in response.text
    # the same seven files as Strawberry's page, under this server's path
    assets = page_assets(response.text)
    assert [a.vendored_path for a in assets] == [
        a.vendored_path for a in page_assets(strawberry_page())]
    assert all(a.url.startswith(ASSETS_PATH) and a.integrity for a in assets)


def test_every_file_the_page_loads_is_served_as_the_page_expects(http: httpx.Client) -> None:
    for asset in page_assets(graphiql(http).text):
        response = http.get(asset.url)
        assert response.status_code == 200, asset.url
        suffix = asset.url[asset.url.rindex("."):]
        assert response.headers["content-type"].split(";")[0] == MEDIA_TYPES[suffix]
        assert response.headers["cache-control"] == IMMUTABLE
        assert asset.integrity is not None
        algorithm, expected = asset.integrity.split("-", 1)
        digest = base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode()
        assert digest == expected, f"{asset.url} is not the file Strawberry's page names"


def test_the_licences_ship_with_the_files(http: httpx.Client) -> None:
    for package in ("react@18.2.0", "react-dom@18.2.0", "js-cookie@3.0.5", "graphiql@3.8.3"):
        licence = http.get(f"{ASSETS_PATH}{package}/LICENSE")
        assert licence.status_code == 200 and "MIT License" in licence.text, package
    explorer = http.get(f"{ASSETS_PATH}@graphiql/plugin-explorer@1.0.2/package.json")
    assert explorer.json()["license"] == "MIT"  # the package ships no licence file of its own


@pytest.mark.parametrize("path", ["react@18.2.0/umd/nothing.js", "..%2F..%2Fapp.py",
                                  "%2e%2e/%2e%2e/app.py"])
def test_nothing_else_is_served_there(http: httpx.Client, path: str) -> None:
    assert http.get(ASSETS_PATH + path).status_code == 404


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    problem = browser_problem()
    if problem is not None:
        pytest.skip(problem)
    with headless_chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def replayable(graphql_server: ServerProcess) -> int:
    """A sequence after which one observation of :data:`STATION` (21.5 °C) is recorded."""
    return recorded_after(graphql_server.port, STATION, "GraphiQL", [
        {"temperature": 21.5, "observedAt": "2021-06-01T12:00:00+00:00"}], timeout=10)


def run_in_graphiql(chromium: Any, server: ServerProcess, document: str,
                    expected: str) -> tuple[dict[str, Any], list[str], list[str]]:
    """Open GraphiQL with ``document`` in its editor, run it, and wait until the result pane
    holds ``expected``: (the result, every URL the page asked for, its console errors)."""
    # localhost, as a person types it: Chromium here resolves no other name (loopback only)
    origin = f"http://localhost:{server.port}"
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    urls: list[str] = []
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("request", lambda r: urls.append(r.url))
        page.on("websocket", lambda w: urls.append(w.url))
        page.on("requestfailed", lambda r: errors.append(f"{r.url}: {r.failure}"))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.goto(f"{origin}/graphql?q={quote(document)}", timeout=WAIT_MS)
        page.locator(".graphiql-query-editor .CodeMirror").wait_for(timeout=WAIT_MS)
        page.locator(".graphiql-execute-button").click()
        result = page.locator(".result-window")
        page.wait_for_function("([pane, text]) => pane.innerText.includes(text)",
                               arg=[result.element_handle(), expected], timeout=WAIT_MS)
        # the pane shows the JSON as CodeMirror lines (indented with no-break spaces)
        shown = "\n".join(result.locator(".CodeMirror-line").all_inner_texts())
        return json.loads(shown.replace("\xa0", " ").replace("\u200b", "")), urls, errors
    finally:
        context.close()


def test_graphiql_runs_a_query_offline(chromium: Any, graphql_server: ServerProcess) -> None:
    result, urls, errors = run_in_graphiql(
        chromium, graphql_server, '{ station(id: "KJFK") { id name } }', "KJFK")
    assert result == {"data": {"station": {"id": "KJFK", "name": "John F Kennedy Intl"}}}
    origin = f"http://localhost:{graphql_server.port}/"
    assert [u for u in urls if not u.startswith(origin)] == []
    assert errors == []


def test_graphiql_subscribes_over_its_own_websocket(chromium: Any, replayable: int,
                                                    graphql_server: ServerProcess) -> None:
    document = (f'subscription {{ observationRecorded(stationIds: ["{STATION}"], '
                f"afterSequence: {replayable}) {{ sequence observation {{ temperature }} }} }}")
    result, urls, errors = run_in_graphiql(chromium, graphql_server, document, "21.5")
    event = result["data"]["observationRecorded"]
    assert event["sequence"] > replayable and event["observation"]["temperature"] == 21.5
    assert f"ws://localhost:{graphql_server.port}/graphql" in urls
    assert errors == []
