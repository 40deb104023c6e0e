"""The GraphQL view: Strawberry's, with Fourcast's context and HTTP answers.

On top of Strawberry's GraphQL-over-HTTP handling:

- a mutation sent with GET is refused with 405 and ``Allow: POST`` (GraphQL over HTTP);
- the answer's media type is negotiated from ``Accept`` (:mod:`.media`): with
  ``application/graphql-response+json`` a request that fails before execution (a syntax
  error, an unknown field, a limit, a bad variable) is a 400 without a ``data`` entry; with
  ``application/json`` (and by default) it is a 200, as GraphQL over HTTP asks for legacy
  clients; a body that is not a GraphQL request (malformed or too deeply nested JSON, not
  UTF-8, not an object) is a 400 and a content type other than JSON a 415, in either media
  type, always as a GraphQL error body with ``extensions.code``, never a traceback or a 5xx;
- a body over :data:`MAX_BODY_BYTES` is refused with 413 and ``RESOURCE_EXHAUSTED`` before
  it is parsed (as declared by ``Content-Length``, or as it streams in);
- the context carries the service, the Bearer credential and per-request DataLoaders;
- a websocket handshake from a browser page is accepted from this server's own origin and
  the ``origins`` given (the web app's), and refused with 403 from any other (Strawberry's
  check; a client that sends no ``Origin`` is not a browser, and is accepted);
- GraphiQL (a GET that accepts HTML) loads its files from this server, not a CDN
  (:mod:`.graphiql`).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import json
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from cross_web import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType

from services.core.budget import StreamBudget, proxy_hops
from services.core.service import WeatherService
from services.core.validation import MAX_IMPORT
from services.graphql_api.context import Context, bearer_credential, client_of
from services.graphql_api.errors import BAD_REQUEST, REQUEST_ERROR_CODES
from services.graphql_api.graphiql import offline_page
from services.graphql_api.media import GRAPHQL_RESPONSE, JSON, content_type, negotiate
from services.graphql_api.schema import build_schema
from services.graphql_api.subscription import (
    MAX_SUBSCRIPTIONS,
    MAX_SUBSCRIPTIONS_PER_CLIENT,
    MAX_SUBSCRIPTIONS_PER_CONNECTION,
    LimitedTransportWS,
)

PATH = "/graphql"
#: how the view is built (the bench ceiling's view is built the same way)
VIEW_SETTINGS: dict[str, Any] = {"graphql_ide": "graphiql",
                                 "subscription_protocols": (GRAPHQL_TRANSPORT_WS_PROTOCOL,)}
# Room for the largest import the core accepts (50,000 observations, ~10 MB of JSON).
MAX_BODY_BYTES = 16 * 1024 * 1024
#: the media type negotiated for the request being answered (one task per request)
_media: ContextVar[str] = ContextVar("media", default=JSON)


#: no argument takes a longer list than an import (the core's limit): a longer one is refused
#: before GraphQL coerces it item by item on the event loop (a million items took seconds)
MAX_LIST_ITEMS = MAX_IMPORT


class _BodyTooLarge(Exception):
    pass


class _BadVariables(HTTPException):
    """Variables refused before GraphQL coerces them: BAD_USER_INPUT, as coercion would say."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


#: a request holding more values than this (an import) runs its operation in a worker thread:
#: GraphQL's coercion and Strawberry's conversion of its arguments are seconds of pure Python
#: (10,000 observations took 10 s), which on the event loop would hold every other request
OFFLOAD_VALUES = 5_000
HEAVY_WORKERS = 2
_TOO_DEEP = "nested too deeply"
_heavy: ContextVar[bool] = ContextVar("heavy", default=False)


def _measure(value: object) -> tuple[int, int]:
    """The longest list in a decoded JSON value, and how many values it holds in all."""
    longest, count, pending = 0, 0, [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            longest = max(longest, len(item))
            count += len(item)
            pending.extend(i for i in item if isinstance(i, list | dict))
        elif isinstance(item, dict):
            count += len(item)
            pending.extend(i for i in item.values() if isinstance(i, list | dict))
    return longest, count


def _limited(receive: Receive, limit: int) -> Receive:
    """``receive`` that gives up once the request body has grown past ``limit`` bytes."""
    seen = 0

    async def limited() -> Any:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLarge
        return message

    return limited


async def _drain(receive: Receive, budget: int) -> None:
    """Read (and drop) what is left of a refused body, up to ``budget`` bytes, so that the
    client, still sending, is not cut off before it reads the 413 (a lingering close)."""
    while budget > 0:
        message = await receive()
        if message["type"] != "http.request":
            return
        budget -= len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return bytes(value).decode("latin-1")
    return None


def _declared_length(scope: Scope) -> int:
    value = _header(scope, b"content-length") or ""
    return int(value) if value.isdigit() else 0


def _is_request_error(data: Mapping[str, Any]) -> bool:
    """Per GraphQL over HTTP: errors and no data at all means execution never started."""
    errors = data.get("errors") or []
    return data.get("data") is None and bool(errors) and all(
        "path" not in e and (e.get("extensions") or {}).get("code") in REQUEST_ERROR_CODES
        for e in errors)


class FourcastGraphQL(GraphQL[Context, None]):
    graphql_transport_ws_handler_class = LimitedTransportWS

    def __init__(self, service: WeatherService, streams: StreamBudget | None = None,
                 origins: Sequence[str] = ()) -> None:
        # a websocket handshake whose Origin is neither this server's own nor one of these
        # is refused (403) before it is upgraded; one without Origin (not a browser) is not
        super().__init__(build_schema(), allowed_origins=origins, **VIEW_SETTINGS)
        self.max_subscriptions_per_connection = MAX_SUBSCRIPTIONS_PER_CONNECTION
        # its own few threads: heavy requests queue here, not in the pool that store reads use
        self.heavy = ThreadPoolExecutor(HEAVY_WORKERS, thread_name_prefix="graphql-heavy")
        self.service = service
        self.proxy_hops = proxy_hops()
        self.streams = streams or StreamBudget.from_env(
            MAX_SUBSCRIPTIONS, MAX_SUBSCRIPTIONS_PER_CLIENT, kind="subscriptions")

    async def get_context(self, request: Request | WebSocket,  # type: ignore[override]
                          response: Response | WebSocket) -> Context:
        credential = bearer_credential(request.headers)
        return Context(self.service, credential, self.streams, functools.partial(
            client_of, request, credential, self.service.keys, self.proxy_hops))

    async def render_graphql_ide(self, request: Request) -> Response:
        return HTMLResponse(offline_page())  # GraphiQL, its files served here (.graphiql)

    def decode_json(self, data: str | bytes) -> object:
        """JSON, where a document nested past the decoder's bound is malformed JSON like any
        other (over websockets too, where the protocol closes with 4400)."""
        try:
            return super().decode_json(data)
        except RecursionError as error:
            raise json.JSONDecodeError(_TOO_DEEP, "", 0) from error

    def parse_json(self, data: str | bytes) -> Any:
        """A JSON object (or a batch list, which Strawberry refuses); anything else is a 400,
        where Strawberry would fail later on a string or a number."""
        try:
            parsed = self.decode_json(data)
        except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
            too_deep = isinstance(error.__cause__, RecursionError)
            raise HTTPException(400, "The request body is nested too deeply" if too_deep
                                else "Unable to parse request body as JSON") from error
        if not isinstance(parsed, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        longest, values = _measure(parsed)  # (GET's variables come here on their own)
        if longest > MAX_LIST_ITEMS:
            raise _BadVariables(f"a list in variables holds at most {MAX_LIST_ITEMS} items")
        _heavy.set(values > OFFLOAD_VALUES)
        return parsed

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:
        try:
            if _heavy.get():  # on an event loop of its own, in a worker thread
                operation = super().execute_single(*args, **kwargs)
                run = functools.partial(contextvars.copy_context().run, asyncio.run, operation)
                return await asyncio.get_running_loop().run_in_executor(self.heavy, run)
            return await super().execute_single(*args, **kwargs)
        except HTTPException as error:
            refused = error.__cause__
            if isinstance(refused, InvalidOperationTypeError):
                if refused.operation_type == OperationType.SUBSCRIPTION:
                    raise HTTPException(400, _SUBSCRIPTION_OVER_HTTP) from error
                raise HTTPException(405, error.reason) from error
            raise

    def create_response(self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
                        sub_response: Response) -> Response:
        media = _media.get()
        before_execution = False
        if isinstance(response_data, Mapping) and _is_request_error(response_data):
            before_execution = True  # GraphQL: no data entry when execution never started
            response_data = {k: v for k, v in response_data.items()  # type: ignore[assignment]
                             if k != "data"}
        response = super().create_response(response_data, sub_response)
        response.headers["content-type"] = content_type(media)
        if before_execution and media == GRAPHQL_RESPONSE:
            response.status_code = 400
        return response

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        too_large = f"the request body is larger than {MAX_BODY_BYTES} bytes"
        _media.set(negotiate(_header(scope, b"accept")))
        try:
            if _declared_length(scope) > MAX_BODY_BYTES:
                raise _BodyTooLarge
            response = await self.run(Request(scope=scope,
                                              receive=_limited(receive, MAX_BODY_BYTES)))
        except HTTPException as error:
            status = 415 if error.reason == _UNSUPPORTED else error.status_code
            code = "BAD_USER_INPUT" if isinstance(error, _BadVariables) else None
            response = error_response(status, error.reason, code)
        except _BodyTooLarge:
            await _drain(receive, 4 * MAX_BODY_BYTES)
            response = error_response(413, too_large)
        except ClientDisconnect:
            # Granian ends the body this way both when the client has gone and when the body
            # is not valid HTTP (a bad chunk-size line): a client still there gets a 400, one
            # that has gone cannot get anything (the send fails), and neither is a server error.
            refusal = error_response(400, "the request body could not be read: it is not "
                                          "valid HTTP/1.1 (a malformed chunked encoding?)")
            with contextlib.suppress(Exception):
                await refusal(scope, receive, send)
            return
        await response(scope, receive, send)


_SUBSCRIPTION_OVER_HTTP = ("subscriptions are served over websockets only, with the "
                           f"graphql-transport-ws protocol at {PATH}, not over HTTP")
_STATUS_CODES = {405: "METHOD_NOT_ALLOWED", 413: "RESOURCE_EXHAUSTED"}
_UNSUPPORTED = "Unsupported content type"  # Strawberry's reason for a body that is not JSON


def error_response(status: int, reason: str, code: str | None = None) -> Response:
    """A refusal as a GraphQL error body with ``extensions.code``, in the negotiated type."""
    code = code or _STATUS_CODES.get(status, BAD_REQUEST)
    headers = {"Allow": "POST"} if status == 405 else {}
    if status == 415:
        reason = "a GraphQL request over POST is JSON: Content-Type: application/json"
        headers = {"Accept-Post": "application/json"}
    body = {"errors": [{"message": reason, "extensions": {"code": code}}]}
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["content-type"] = content_type(_media.get())
    return response


__all__ = ["MAX_BODY_BYTES", "PATH", "VIEW_SETTINGS", "FourcastGraphQL", "error_response"]
