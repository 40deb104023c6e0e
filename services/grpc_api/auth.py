"""The one server interceptor: it extracts the caller's credential, and decides nothing.

``authorization: Bearer <api-key>`` metadata becomes the value of :data:`CREDENTIAL` while the
RPC's handler runs; the servicer passes it as ``credential=`` to the use case, and the core
decides (Unauthenticated, PermissionDenied). Reads never look at it, so they stay open.

The credential travels in a context variable set inside a wrapper around the handler's own
behaviour, so it is in place in the very task that runs the handler, for every RPC kind.
"""

from __future__ import annotations

import contextvars
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc

CREDENTIAL: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "fourcast_grpc_credential", default=None)

_SCHEME = "bearer "


def bearer_token(metadata: Any) -> str | None:
    """The token of an ``authorization: Bearer <token>`` entry (scheme case-insensitive)."""
    for key, value in metadata or ():
        if key == "authorization" and isinstance(value, str) \
                and value[:len(_SCHEME)].lower() == _SCHEME:
            return value[len(_SCHEME):].strip() or None
    return None


def _with_credential(behavior: Callable[..., Any], credential: str | None) -> Callable[..., Any]:
    if inspect.isasyncgenfunction(behavior):
        async def streaming(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            CREDENTIAL.set(credential)
            async for response in behavior(request, context):
                yield response
        return streaming

    async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
        CREDENTIAL.set(credential)
        return await behavior(request, context)
    return unary


_KINDS = ("unary_unary", "unary_stream", "stream_unary", "stream_stream")


class CredentialInterceptor(grpc.aio.ServerInterceptor):
    async def intercept_service(
            self, continuation: Callable[[grpc.HandlerCallDetails],
                                         Awaitable[grpc.RpcMethodHandler]],
            handler_call_details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        credential = bearer_token(handler_call_details.invocation_metadata)  # type: ignore[attr-defined]
        if handler is None or credential is None:
            return handler
        for kind in _KINDS:
            behavior = getattr(handler, kind, None)
            if inspect.iscoroutinefunction(behavior) or inspect.isasyncgenfunction(behavior):
                # grpc's handlers are namedtuples: swap in the wrapped behaviour, keep the rest
                return handler._replace(**{kind: _with_credential(behavior, credential)})  # type: ignore[attr-defined,no-any-return]
        return handler
