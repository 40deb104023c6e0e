"""Core errors → gRPC status codes with ``google.rpc`` rich details: the one mapping place.

Follows the contract table in ``docs/errors.md``. Every error also carries an ``ErrorInfo``
whose ``reason`` is the core's stable code, so a client can tell a Fourcast error from a
transport one. Anything unexpected is logged here with its traceback and answered as a bare
``INTERNAL`` — never ``UNKNOWN`` with the exception's text.

:func:`map_errors` is the boundary: a class decorator that wraps every RPC method of the
servicer (unary and streaming alike) so that no method needs its own ``try``.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any, TypeVar

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import DecodeError, Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from services.core.errors import (
    FailedPrecondition,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    StoreFull,
    TooManyStreams,
)

log = logging.getLogger(__name__)

ERROR_DOMAIN = "fourcast.weather.v1"

_CODES: dict[str, int] = {
    "NOT_FOUND": code_pb2.NOT_FOUND,
    "INVALID_ARGUMENT": code_pb2.INVALID_ARGUMENT,
    "FAILED_PRECONDITION": code_pb2.FAILED_PRECONDITION,
    "UNAUTHENTICATED": code_pb2.UNAUTHENTICATED,
    "PERMISSION_DENIED": code_pb2.PERMISSION_DENIED,
    "RESOURCE_EXHAUSTED": code_pb2.RESOURCE_EXHAUSTED,
    "INTERNAL": code_pb2.INTERNAL,
}


def _details(error: FourcastError) -> list[Message]:
    """The rich details the contract names for this error, then an ErrorInfo."""
    found: list[Message] = []
    if isinstance(error, NotFound):
        found.append(error_details_pb2.ResourceInfo(
            resource_type=error.resource_type, resource_name=error.resource_name,
            description=error.message))
    elif isinstance(error, InvalidArgument):
        found.append(error_details_pb2.BadRequest(field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
            for v in error.violations]))
    elif isinstance(error, FailedPrecondition):
        found.append(error_details_pb2.PreconditionFailure(violations=[
            error_details_pb2.PreconditionFailure.Violation(
                type="ETAG", subject="etag", description=error.message)]))
    elif isinstance(error, TooManyStreams):
        found.append(error_details_pb2.QuotaFailure(violations=[
            error_details_pb2.QuotaFailure.Violation(
                subject="client" if error.per_client else "server",
                description=error.message)]))
        delay = duration_pb2.Duration()
        delay.FromTimedelta(timedelta(seconds=error.retry_after))
        found.append(error_details_pb2.RetryInfo(retry_delay=delay))
    elif isinstance(error, ResourceExhausted):
        found.append(error_details_pb2.QuotaFailure(violations=[
            error_details_pb2.QuotaFailure.Violation(
                subject="store" if isinstance(error, StoreFull) else "request",
                description=error.message)]))
    found.append(error_details_pb2.ErrorInfo(reason=error.code, domain=ERROR_DOMAIN))
    return found


def status_for(error: FourcastError) -> grpc.Status:
    """The gRPC status (code, message, ``grpc-status-details-bin`` trailer) of a core error."""
    packed = []
    for detail in _details(error):
        wrapper = any_pb2.Any()
        wrapper.Pack(detail)
        packed.append(wrapper)
    return rpc_status.to_status(status_pb2.Status(
        code=_CODES.get(error.code, code_pb2.INTERNAL), message=error.message, details=packed))


async def _abort(context: grpc.aio.ServicerContext, error: BaseException) -> None:
    if not isinstance(error, FourcastError):
        log.error("unexpected error in %s", type(error).__name__, exc_info=error)
        error = Internal()
    await abort_with(context, error)


class Undecodable:
    """Stands in for request bytes that do not parse: grpc.aio would answer ``UNKNOWN`` if a
    deserializer raised, so the error is carried to the guard, which answers INVALID_ARGUMENT."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


def tolerant(deserializer: Callable[[bytes], Any], type_name: str) -> Callable[[bytes], Any]:
    def deserialize(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError:
            return Undecodable(type_name)
    return deserialize


def undecodable_error(message: Undecodable) -> InvalidArgument:
    return InvalidArgument.single("request", f"is not a valid {message.type_name} message")


async def abort_with(context: grpc.aio.ServicerContext, error: FourcastError) -> None:
    status = status_for(error)
    await context.abort(status.code, status.details, status.trailing_metadata)


def _decoded(message: Any) -> Any:
    if isinstance(message, Undecodable):
        raise undecodable_error(message)
    return message


async def _decoded_stream(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    async for message in requests:
        yield _decoded(message)


def _checked(request: Any) -> Any:
    """The request, or its stream, with undecodable messages turned into InvalidArgument."""
    if isinstance(request, Message):  # the usual case, tested first: cheap, unlike hasattr
        return request
    if hasattr(request, "__anext__"):
        return _decoded_stream(request)
    return _decoded(request)


F = TypeVar("F", bound=Callable[..., Any])


def _guard(method: F) -> F:
    if inspect.isasyncgenfunction(method):
        @functools.wraps(method)
        async def streaming(self: Any, request: Any, context: grpc.aio.ServicerContext,
                            ) -> AsyncIterator[Any]:
            try:
                async for response in method(self, _checked(request), context):
                    yield response
            except grpc.aio.AbortError:
                raise
            except Exception as error:
                await _abort(context, error)
        return streaming  # type: ignore[return-value]

    @functools.wraps(method)
    async def unary(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(self, _checked(request), context)
        except grpc.aio.AbortError:
            raise
        except Exception as error:
            await _abort(context, error)
    return unary  # type: ignore[return-value]


C = TypeVar("C", bound=type)


def map_errors(cls: C) -> C:
    """Wrap every RPC method ``cls`` defines (public, CamelCase by gRPC convention)."""
    for name, member in list(vars(cls).items()):
        if name[:1].isupper() and callable(member):
            setattr(cls, name, _guard(member))
    return cls
