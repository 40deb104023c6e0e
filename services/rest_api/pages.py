"""The entry point as a page, for a person who opens the API's address in a browser.

A browser asks for ``text/html`` first, which the JSON resources refuse (406); the entry point
offers it too (``representation.ENTRY_OFFERED``), as a third representation of the same links:
each link an ``<a>`` with its relation, each URI template as text (it names no one resource
until a client fills it in), and the documentation (``/docs``) and the OpenAPI document first.
Everything is in the page itself: no script, no style sheet, no request elsewhere.
"""

from __future__ import annotations

from html import escape
from typing import Any

TITLE = "Fourcast REST API"

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="service-doc" href="{docs}">
<link rel="service-desc" href="{openapi}" type="application/vnd.oai.openapi+json">
</head>
<body>
<main>
<h1>{title}</h1>
<p>A hypermedia weather API: this is its entry point. Programs ask for
<code>application/hal+json</code> here and follow the links; people start with the
<a href="{docs}">API documentation</a> (Swagger UI, to read and try every operation) or the
<a href="{openapi}">OpenAPI document</a>.</p>
<h2>Links</h2>
<ul>
{links}
</ul>
<h2>URI templates</h2>
<p>RFC 6570 templates: fill in the variables to name one resource.</p>
<ul>
{templates}
</ul>
</main>
</body>
</html>
"""


def _link_item(rel: str, link: dict[str, Any]) -> str:
    href = escape(link["href"])
    title = link.get("title")
    described = f" — {escape(title)}" if title else ""
    return f'<li><a rel="{escape(rel)}" href="{href}">{escape(rel)}</a>{described}</li>'


def _template_item(rel: str, link: dict[str, Any]) -> str:
    return f"<li>{escape(rel)}: <code>{escape(link['href'])}</code></li>"


def entry_page(document: dict[str, Any]) -> str:
    """The HAL entry point ``document`` as an HTML page."""
    found: dict[str, dict[str, Any]] = document["_links"]
    plain = [_link_item(rel, link) for rel, link in found.items() if not link.get("templated")]
    templated = [_template_item(rel, link) for rel, link in found.items()
                 if link.get("templated")]
    return _PAGE.format(title=TITLE, docs=escape(found["service-doc"]["href"]),
                        openapi=escape(found["service-desc"]["href"]),
                        links="\n".join(plain), templates="\n".join(templated))
