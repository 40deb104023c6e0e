"""Fourcast's domain core: entities, units, validation, paging, errors and use cases.

No web framework, RPC library, XML toolkit or database driver is imported anywhere in this
package; adapters depend on it, never the reverse.
"""

from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ForecastPeriod,
    ImportSummary,
    Observation,
    Page,
    RecordedObservation,
    Severity,
    Station,
    WriteResult,
    version_of,
)
from services.core.errors import (
    FailedPrecondition,
    FieldViolation,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from services.core.service import WeatherService
from services.core.units import Units

__all__ = [
    "Alert", "DailySummary", "FailedPrecondition", "FieldViolation", "Forecast",
    "ForecastPeriod", "FourcastError", "ImportSummary", "Internal", "InvalidArgument",
    "NotFound", "Observation", "Page", "PermissionDenied", "RecordedObservation",
    "ResourceExhausted", "Severity", "Station", "Unauthenticated", "Units", "WeatherService",
    "WriteResult", "version_of",
]
