"""Request-scoped access to the service an application was built with, and small parsers
for path segments (the query and body parsers live in ``api``)."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from pydantic import TypeAdapter, ValidationError

from services.core.errors import InvalidArgument
from services.core.service import WeatherService
from services.rest_api.models import DATE_TIME_MESSAGE, Timestamp

SERVICE_KEY = "fourcast.service"
_TIMESTAMP: TypeAdapter[datetime] = TypeAdapter(Timestamp)


def service() -> WeatherService:
    found: WeatherService = current_app.extensions[SERVICE_KEY]
    return found


def path_timestamp(raw: str, field: str = "observed_at") -> datetime:
    """An RFC 3339 path segment (``2013-07-01T12:00:00Z``) as a datetime; the core decides
    whether it is acceptable (time zone, whole seconds, range)."""
    try:
        return _TIMESTAMP.validate_python(raw)
    except ValidationError:
        raise InvalidArgument.single(field, DATE_TIME_MESSAGE) from None
