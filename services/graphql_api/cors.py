"""What a page on another origin may do here: CORS for the web app's origins, and no other.

Starlette's ``CORSMiddleware`` over everything the server answers over HTTP, with the exact
origins of :meth:`services.config.Settings.web_origins` (no pattern, no ``*``):

- a preflight from one of them is answered 200 with ``Access-Control-Allow-Origin`` (that
  origin), the methods and the request headers the page sends, and a ``Max-Age``; from any
  other origin it is a 400 without ``Access-Control-Allow-Origin``, so the browser refuses;
- an answer to one of them carries ``Access-Control-Allow-Origin`` and
  ``Timing-Allow-Origin`` (that origin), so the page may read it and its Resource Timing
  entry (the bytes each way the web app shows); ``Vary: Origin`` in any case.

Websockets are not under CORS: their ``Origin`` is checked by Strawberry's view when the
handshake arrives (:func:`services.graphql_api.routes.create_app`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Send

ALLOWED_METHODS = ("GET", "POST", "OPTIONS")
#: what the web app's GraphQL client sends (Accept and Content-Type are always allowed too)
ALLOWED_HEADERS = ("Accept", "Authorization", "Content-Type")
#: how long a browser may keep a preflight's answer, in seconds (as REST and SOAP say)
MAX_AGE = 600


class BrowserAccess(CORSMiddleware):
    """CORS for ``origins`` (exactly those), with ``Timing-Allow-Origin`` on their answers."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(app, allow_origins=tuple(origins), allow_methods=ALLOWED_METHODS,
                         allow_headers=ALLOWED_HEADERS, max_age=MAX_AGE)

    async def send(self, message: Message, send: Send, request_headers: Headers) -> None:
        if message["type"] == "http.response.start":
            origin = request_headers.get("origin")
            if origin is not None and self.is_allowed_origin(origin):
                MutableHeaders(scope=message)["Timing-Allow-Origin"] = origin
        await super().send(message, send, request_headers)


__all__ = ["ALLOWED_HEADERS", "ALLOWED_METHODS", "MAX_AGE", "BrowserAccess"]
