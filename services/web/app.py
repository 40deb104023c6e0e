"""The web app's ASGI application: the page, its packaged assets and its configuration.

- ``GET /`` is ``static/index.html``; ``GET /static/...`` any packaged file under ``static/``;
  ``GET /config.json`` the addresses the page calls (:mod:`.addresses`);
- every answer carries the security headers: a Content-Security-Policy that lets the page
  run only its own scripts and styles and connect only to itself and the configured servers,
  ``X-Content-Type-Options: nosniff``, no referrer, no framing;
- ``/static/vendor/`` (the bundled third-party libraries, rebuilt only with a release) is
  cached for a day; everything else is revalidated on each use (``no-cache`` with its ETag),
  so a changed page is seen at once;
- an unknown path is a 404 and a method other than GET or HEAD a 405 with ``Allow``, as
  short plain-text answers.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from services.config import Settings
from services.web.addresses import connect_sources, page_config

STATIC_DIR = Path(__file__).parent / "static"
VENDOR_PREFIX = "/static/vendor/"
VENDOR_CACHE = "public, max-age=86400"
REVALIDATE = "no-cache"
ALLOW = "GET, HEAD"

# The types of what the page ships, spelled here rather than taken from the machine's
# mime.types (which differs between systems, and knows no .binpb).
MEDIA_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".mjs": "text/javascript", ".json": "application/json", ".map": "application/json",
    ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
    ".txt": "text/plain", ".md": "text/markdown", ".woff2": "font/woff2",
    ".binpb": "application/octet-stream", ".webmanifest": "application/manifest+json",
}


def media_type(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(str(path))[0] or \
        "application/octet-stream"


class PackagedFiles(StaticFiles):
    """Starlette's static files with the media types above."""

    def file_response(self, full_path: str | os.PathLike[str], stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = FileResponse(full_path, status_code=status_code, stat_result=stat_result,
                                media_type=media_type(full_path))
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return Response(status_code=304, headers={
                k: v for k, v in response.headers.items()
                if k in ("cache-control", "content-location", "date", "etag", "expires",
                         "vary")})
        return response


def content_security_policy(settings: Settings, request_host: str | None) -> str:
    connect = " ".join(["'self'", *connect_sources(settings, request_host)])
    return "; ".join([
        "default-src 'none'", "script-src 'self'", "style-src 'self'",
        "img-src 'self' data:", "font-src 'self'", f"connect-src {connect}",
        "manifest-src 'self'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    """Adds the security and caching headers to every answer (errors included)."""

    def __init__(self, app: Starlette, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        policy = content_security_policy(self.settings, Headers(scope=scope).get("host"))
        cache = VENDOR_CACHE if path.startswith(VENDOR_PREFIX) else REVALIDATE

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = policy
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cache-Control"] = cache if message["status"] < 400 else "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, static_dir: Path = STATIC_DIR) -> SecurityHeaders:
    """The web app for servers at the addresses ``settings`` names."""
    files = PackagedFiles(directory=static_dir, check_dir=False)
    config = page_config(settings)

    async def index(request: Request) -> Response:
        return await files.get_response("index.html", request.scope)

    async def config_json(request: Request) -> Response:
        return JSONResponse(config)

    async def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 405:  # every resource here is read-only (Starlette's own
            headers["Allow"] = ALLOW  # Allow lists a set, in a different order per process)
        return PlainTextResponse(f"{error.status_code} {error.detail}\n", error.status_code,
                                 headers=headers)

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),  # and HEAD, which Starlette adds
            Route("/config.json", config_json, methods=["GET"]),
            Mount("/static", app=files, name="static"),
        ],
        exception_handlers={HTTPException: http_error},
    )
    app.router.redirect_slashes = False  # "/static" is no page: a 404, not a redirect to one
    return SecurityHeaders(app, settings)
