"""The one error hierarchy of Fourcast.

Every use case raises only these. Each protocol adapter maps them to its own idiom in exactly
one place, following the contract table in ``docs/errors.md`` (also in the README)::

    FourcastError
    ├── NotFound             the named resource does not exist
    ├── InvalidArgument      bad input; carries FieldViolation(field, description) items
    ├── FailedPrecondition   a conditional write named a stale version
    ├── Unauthenticated      no API key, or an unknown one
    ├── PermissionDenied     a known key that may not do this
    ├── ResourceExhausted    a size limit was exceeded
    │   ├── StoreFull        the store has no room left for a write (not the caller's fault)
    │   └── TooManyStreams   the live-connection budget is full (per server or per client)
    └── Internal             not the caller's fault; never carries internals

``code`` is the stable, protocol-neutral name of each class (``NOT_FOUND``, ...); clients map the
protocol's signal back to the class with :func:`error_class_for_code`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid input field: a dotted path (``observations[3].temperature``) and why."""

    field: str
    description: str


class FourcastError(Exception):
    """Base of every error a use case raises on purpose."""

    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def details(self) -> tuple[object, ...]:
        """What identifies this error across protocols (used by the parity tests)."""
        return (self.code, self.message)


class NotFound(FourcastError):
    """The named resource does not exist."""

    code = "NOT_FOUND"

    def __init__(self, resource_type: str, resource_name: str, message: str | None = None) -> None:
        super().__init__(message or f"{resource_type} {resource_name!r} not found")
        self.resource_type = resource_type
        self.resource_name = resource_name

    def details(self) -> tuple[object, ...]:
        return (self.code, self.resource_type, self.resource_name)


MAX_REPORTED_VIOLATIONS = 100


class InvalidArgument(FourcastError):
    """The request is malformed; ``violations`` says which fields and why: at most
    MAX_REPORTED_VIOLATIONS of them, the message saying how many more were left out."""

    code = "INVALID_ARGUMENT"

    def __init__(self, violations: Iterable[FieldViolation], message: str | None = None
                 ) -> None:
        listed = list(violations)
        self.violations = tuple(listed[:MAX_REPORTED_VIOLATIONS])
        self.omitted = len(listed) - len(self.violations)
        if message is None:
            message = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
            if self.omitted:
                message += f"; and {self.omitted} more violation(s) not listed"
        super().__init__(message or "invalid argument")

    @classmethod
    def single(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])

    def details(self) -> tuple[object, ...]:
        return (self.code, tuple(sorted({v.field for v in self.violations})))


class FailedPrecondition(FourcastError):
    """A conditional write named a version that is no longer current."""

    code = "FAILED_PRECONDITION"


class Unauthenticated(FourcastError):
    """No credential, or one that is not a known key."""

    code = "UNAUTHENTICATED"


class PermissionDenied(FourcastError):
    """A known key that may not do this (a read-only key asked to write)."""

    code = "PERMISSION_DENIED"


class ResourceExhausted(FourcastError):
    """A size limit was exceeded (too many observations in one import, a body too large)."""

    code = "RESOURCE_EXHAUSTED"


class StoreFull(ResourceExhausted):
    """The store cannot take the write: its disk (or quota) is full. Nothing was written.

    The same code as any exhausted resource; HTTP says 507 Insufficient Storage for it."""

    def __init__(self, message: str = "the store is full: nothing was written; "
                                      "free space on the server and retry") -> None:
        super().__init__(message)


class TooManyStreams(ResourceExhausted):
    """A long-lived connection (a live stream, a subscription, an import) was refused because
    its budget is full: the server's (``per_client`` False) or this client's (True).
    Ordinary requests are still served; retry later, or close another stream."""

    def __init__(self, message: str, *, per_client: bool, retry_after: float = 5.0) -> None:
        super().__init__(message)
        self.per_client = per_client
        self.retry_after = retry_after


class Internal(FourcastError):
    """A failure that is not the caller's fault. Its message never carries internals."""

    code = "INTERNAL"

    def __init__(self, message: str = "internal error") -> None:
        super().__init__(message)


ERROR_CLASSES: dict[str, type[FourcastError]] = {
    cls.code: cls
    for cls in (NotFound, InvalidArgument, FailedPrecondition, Unauthenticated,
                PermissionDenied, ResourceExhausted, Internal)
}


def error_class_for_code(code: str) -> type[FourcastError]:
    """The core class for a protocol-neutral code; unknown codes are Internal."""
    return ERROR_CLASSES.get(code, Internal)
