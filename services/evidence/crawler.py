"""A generic hypermedia crawler: from the root, follow every link a response offers.

Links are whatever a generic agent can recognise without knowing the API: ``href`` values
anywhere in a JSON document (HAL ``_links`` included), ``Link`` headers (RFC 8288) and
``<a href>`` in HTML. Only same-origin links are followed; templated links (``{...}``) are
not expanded (that would need knowledge of the API).
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from services.evidence.decode import Exchange
from services.evidence.http import Requester, Sent
from services.evidence.payload import media_type

MAX_REQUESTS = 60
LINK_HEADER = re.compile(r"<([^>]*)>")


def _json_hrefs(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "href" and isinstance(item, str):
                yield item
            else:
                yield from _json_hrefs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_hrefs(item)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def links(x: Exchange) -> list[str]:
    found = [m for header in x.headers_named("link") for m in LINK_HEADER.findall(header)]
    kind = media_type(x.content_type)
    if kind.endswith("json"):
        with contextlib.suppress(ValueError):
            found += list(_json_hrefs(json.loads(x.response_body)))
    elif kind == "text/html":
        parser = _Anchors()
        parser.feed(x.response_body.decode("utf-8", "replace"))
        found += parser.hrefs
    return found


@dataclass
class Crawl:
    visited: list[Sent] = field(default_factory=list)
    reached: dict[str, int] = field(default_factory=dict)  # path (no query) → status
    links_seen: int = 0


def _parent(path: str) -> str:
    return urlsplit(path).path.rstrip("/").rpartition("/")[0]


def crawl(requester: Requester, root: str = "/", limit: int = MAX_REQUESTS) -> Crawl:
    """Breadth first, but with a budget: a link whose parent path was visited least goes
    first, so 50 sibling items do not starve the links one level deeper."""
    result = Crawl()
    queue = [root]
    seen = {root}
    parents: dict[str, int] = {}
    while queue and len(result.visited) < limit:
        queue.sort(key=lambda path: parents.get(_parent(path), 0))
        target = queue.pop(0)
        parents[_parent(target)] = parents.get(_parent(target), 0) + 1
        sent = requester.send("GET", target, [("accept", "application/json, text/html;q=0.9, "
                                                          "*/*;q=0.1")])
        result.visited.append(sent)
        if sent.exchange is None or sent.exchange.status is None:
            continue
        result.reached[urlsplit(target).path] = sent.exchange.status
        if not 200 <= sent.exchange.status < 300:
            continue
        for href in links(sent.exchange):
            result.links_seen += 1
            if "{" in href:
                continue
            absolute = urlsplit(urljoin(requester.base + target, href))
            if f"{absolute.scheme}://{absolute.netloc}" != requester.base:
                continue
            path = absolute.path + (f"?{absolute.query}" if absolute.query else "")
            if path not in seen:
                seen.add(path)
                queue.append(path)
    return result
