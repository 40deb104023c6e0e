"""What a person with a browser finds on the REST server: the entry point as a page, and the
documentation (Swagger UI at ``/docs``) served whole from the package, offline.

A browser's ``Accept`` names HTML first and everything else after (``*/*;q=0.8``): the entry
point answers it with its links as a page; every other resource still answers the JSON it
has. (The page rendered in a real browser is tests/web's business.)
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx

from tests.rest.conftest import HAL, assert_problem

# Chromium's Accept for a page it navigates to
BROWSER = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
           "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
HTML = "text/html; charset=utf-8"


class Page(HTMLParser):
    """The links, scripts, style sheets and icons of an HTML page, and its inline scripts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.anchors: list[tuple[str, str]] = []  # (href, text)
        self.assets: list[str] = []
        self.inline_scripts: list[str] = []
        self._in_anchor: str | None = None
        self._in_script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "a" and "href" in found:
            self._in_anchor = found["href"]
            self.anchors.append((found["href"], ""))
        elif tag == "script":
            if "src" in found:
                self.assets.append(found["src"])
            else:
                self._in_script = True
        elif tag == "link" and found.get("rel") in ("stylesheet", "icon"):
            self.assets.append(found["href"])
        elif tag == "img" and "src" in found:
            self.assets.append(found["src"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_anchor is not None:
            href, text = self.anchors[-1]
            self.anchors[-1] = (href, text + data)
        if self._in_script:
            self.inline_scripts.append(data)


def test_the_entry_point_links_to_its_description_and_its_documentation(
        http: httpx.Client) -> None:
    """RFC 8631: ``service-desc`` is the OpenAPI document, ``service-doc`` the docs page."""
    links = http.get("/", headers={"Accept": HAL}).json()["_links"]
    assert links["service-desc"]["href"] == "/openapi.json"
    assert links["service-desc"]["type"] == "application/vnd.oai.openapi+json"
    assert links["service-doc"] == {"href": "/docs", "type": "text/html",
                                    "title": "API documentation (Swagger UI)"}
    assert http.get(links["service-desc"]["href"]).json()["openapi"] == "3.1.0"
    assert http.get(links["service-doc"]["href"]).headers["content-type"] == HTML


def test_a_browser_opening_the_entry_point_gets_a_page_that_leads_to_the_docs(
        http: httpx.Client) -> None:
    response = http.get("/", headers={"Accept": BROWSER})
    assert response.status_code == 200
    assert response.headers["content-type"] == HTML
    assert "accept" in response.headers["vary"].lower()
    page = Page(response.text)
    assert page.assets == [] and page.inline_scripts == []  # the page is all there is
    assert ("/docs", "API documentation") in page.anchors
    assert ("/openapi.json", "OpenAPI document") in page.anchors
    hal = http.get("/", headers={"Accept": HAL}).json()["_links"]
    plain = {(link["href"], rel) for rel, link in hal.items() if not link.get("templated")}
    assert plain <= set(page.anchors)  # every link of the HAL document, as an <a>
    for link in hal.values():  # each URI template as text: it names no one resource
        if link.get("templated"):
            assert f"<code>{link['href']}</code>" in response.text
    docs = http.get("/docs", headers={"Accept": BROWSER})
    assert docs.status_code == 200 and docs.headers["content-type"] == HTML


def test_text_html_alone_is_the_page_too(http: httpx.Client) -> None:
    response = http.get("/", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"] == HTML


def test_clients_that_ask_for_json_or_anything_still_get_hal(http: httpx.Client) -> None:
    for accept, media in (({}, HAL), ({"Accept": "*/*"}, HAL), ({"Accept": HAL}, HAL),
                          ({"Accept": "application/json"}, "application/json"),
                          ({"Accept": "application/json, text/html;q=0.9"},
                           "application/json")):
        response = http.get("/", headers=accept)
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == media, accept
        assert response.json()["_links"]["self"]["href"] == "/"


def test_the_page_and_the_json_are_told_apart_by_etag_and_by_the_origin_cache(
        http: httpx.Client) -> None:
    """Asked in turn, each representation comes back as itself (the cache keys on the
    negotiated type), with its own validator, and revalidates to 304."""
    answers = [http.get("/", headers={"Accept": accept})
               for accept in (HAL, BROWSER, HAL, BROWSER, "application/json")]
    kinds = [a.headers["content-type"] for a in answers]
    assert kinds == [HAL, HTML, HAL, HTML, "application/json"]
    tags = {kind: a.headers["etag"] for kind, a in zip(kinds, answers, strict=True)}
    assert len(set(tags.values())) == 3
    for accept, kind in ((BROWSER, HTML), (HAL, HAL)):
        again = http.get("/", headers={"Accept": accept, "If-None-Match": tags[kind]})
        assert again.status_code == 304 and again.content == b""


def test_other_resources_still_refuse_html(http: httpx.Client) -> None:
    for href in ("/stations", "/stations/KJFK", "/alerts", "/problems/not-found"):
        assert_problem(http.get(href, headers={"Accept": "text/html"}), 406)
        # a browser's Accept ends in */*: it gets the JSON, which it can show
        assert http.get(href, headers={"Accept": BROWSER}).headers["content-type"] == HAL


def test_the_docs_page_is_swagger_ui_over_the_openapi_document(http: httpx.Client) -> None:
    for href in ("/docs", "/docs/", "/docs/index.html"):
        response = http.get(href, headers={"Accept": BROWSER})
        assert response.status_code == 200, href
        assert response.headers["content-type"] == HTML
        assert '"url": "/openapi.json"' in response.text
        # no request to swagger.io's validator for its badge
        assert '"validatorUrl": "none"' in response.text
        assert "SwaggerUIBundle(" in "".join(Page(response.text).inline_scripts)


def test_every_script_and_style_of_the_docs_is_served_from_here(http: httpx.Client) -> None:
    page = Page(http.get("/docs").text)
    kinds = {"js": "text/javascript", "css": "text/css", "png": "image/png"}
    assert {asset.rpartition(".")[2] for asset in page.assets} == set(kinds)
    for asset in page.assets:
        address = urlsplit(asset)
        assert not address.scheme and not address.netloc, asset  # this server, nothing else
        response = http.get(asset)
        assert response.status_code == 200, asset
        assert response.headers["content-type"].startswith(kinds[asset.rpartition(".")[2]])
        assert len(response.content) > 100, asset
    scripts = [a for a in page.assets if a.endswith(".js")]
    assert scripts == ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui-standalone-preset.js"]


def test_the_docs_files_revalidate_cheaply(http: httpx.Client) -> None:
    first = http.get("/docs/swagger-ui.css")
    again = http.get("/docs/swagger-ui.css", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_a_missing_docs_file_is_a_problem_like_any_other(http: httpx.Client) -> None:
    for href in ("/docs/no-such-file.js", "/docs/../openapi.json.bak", "/docs/%2e%2e/x"):
        assert_problem(http.get(href), 404)
    for href in ("/docs", "/docs/", "/docs/swagger-ui.css"):
        assert_problem(http.post(href, content=b"x"), 405)
