"""GraphiQL without the network: Strawberry's page, its seven files served by this server.

Strawberry's GraphiQL page (``strawberry/static/graphiql.html``, the answer to a GET of
``/graphql`` that accepts HTML) loads React, ReactDOM, js-cookie, GraphiQL and its explorer
plugin from unpkg.com, each with a Subresource Integrity hash. The very same files are
vendored under ``static/graphiql/<package>@<version>/`` (``scripts/vendor_graphiql.py``
fetches them from the npm registry, with each package's licence) and served at
``/graphiql/<package>@<version>/...``, the path they have on unpkg; the page is Strawberry's
with only that prefix changed, so its integrity hashes still hold. Nothing it loads leaves
this server, and its queries and subscriptions go to this server's ``/graphql``.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send
from strawberry.http.ides import get_graphql_ide_html

CDN = "https://unpkg.com/"
#: where the vendored files are served (a prefix of the URL path)
ASSETS_PATH = "/graphiql/"
STATIC_DIR = Path(__file__).parent / "static" / "graphiql"
#: the files' paths name their versions, so a browser may keep them for good
IMMUTABLE = "public, max-age=31536000, immutable"
# Spelled here rather than taken from the machine's mime.types, which differs between systems.
_MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".json": "application/json"}


@dataclass(frozen=True, slots=True)
class Asset:
    """A file a page loads: its URL as the page names it, and its integrity hash, if any."""

    url: str
    integrity: str | None

    @property
    def on_cdn(self) -> bool:
        return self.url.startswith(CDN)

    @property
    def vendored_path(self) -> str:
        """The file's path under :data:`STATIC_DIR` (``react@18.2.0/umd/...``)."""
        for prefix in (CDN, ASSETS_PATH):
            if self.url.startswith(prefix):
                return self.url.removeprefix(prefix)
        raise ValueError(f"{self.url} is neither on {CDN} nor under {ASSETS_PATH}")


class _AssetFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[Asset] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        url = found.get("src") if tag == "script" else found.get("href")
        if tag in ("script", "link") and url and not url.startswith("data:"):
            self.assets.append(Asset(url, found.get("integrity")))


def page_assets(html: str) -> list[Asset]:
    """The scripts and stylesheets ``html`` loads (``data:`` URLs aside), in page order."""
    finder = _AssetFinder()
    finder.feed(html)
    finder.close()
    return finder.assets


def strawberry_page() -> str:
    """Strawberry's GraphiQL page as it ships, loading its files from the CDN."""
    return get_graphql_ide_html("graphiql")


@functools.cache
def offline_page() -> str:
    """Strawberry's page with every CDN URL turned into this server's :data:`ASSETS_PATH`."""
    return strawberry_page().replace(f'"{CDN}', f'"{ASSETS_PATH}')


class GraphiQLAssets(StaticFiles):
    """The vendored files, served at :data:`ASSETS_PATH` with explicit media types, cached
    for good (their paths change with their versions)."""

    def __init__(self, directory: Path = STATIC_DIR) -> None:
        super().__init__(directory=directory)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # the files are looked up by the path below the prefix, as under a Starlette Mount
        scope = {**scope, "root_path": scope.get("root_path", "") + ASSETS_PATH.rstrip("/")}
        try:
            response = await self.get_response(self.get_path(scope), scope)
        except HTTPException as error:  # no Starlette app around to answer it: 404, 405
            response = PlainTextResponse(f"{error.status_code} {error.detail}\n",
                                         error.status_code, headers=error.headers)
        await response(scope, receive, send)

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        if response.status_code == 200:  # a 304 carries no body, so no type
            response.headers["Content-Type"] = _MEDIA_TYPES.get(
                Path(full_path).suffix, "text/plain; charset=utf-8")
        return response


__all__ = ["ASSETS_PATH", "CDN", "STATIC_DIR", "Asset", "GraphiQLAssets", "offline_page",
           "page_assets", "strawberry_page"]
