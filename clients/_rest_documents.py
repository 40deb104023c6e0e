"""The REST client's wire formats: HAL documents to domain objects, domain objects to JSON
bodies, and ``application/problem+json`` to core errors.

:func:`core_error` is the one place problems become core errors, the reverse of
``services/rest_api/problems.py`` by the table in ``docs/errors.md``: a problem of a core type
carries the core ``code``, ``violations`` (invalid argument) or ``resource_type`` and
``resource_name`` (not found), and its ``detail`` is the core message, so ``details()`` of the
error is the one every other protocol's client gives. A problem without a code (an HTTP-level
refusal, or a body that is not a problem at all) is classed by its status.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from services.core import validation
from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ForecastPeriod,
    ImportSummary,
    Observation,
    Page,
    Severity,
    Station,
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
    StoreFull,
    TooManyStreams,
    Unauthenticated,
    error_class_for_code,
)
from services.core.units import MEASUREMENTS, Units

Document = Mapping[str, Any]

# Problems without a core ``code`` (e.g. 405, 415 or a proxy's 502), by status.
_STATUS_ERRORS: dict[int, type[FourcastError]] = {
    400: InvalidArgument,
    401: Unauthenticated,
    403: PermissionDenied,
    404: NotFound,
    412: FailedPrecondition,
    413: ResourceExhausted,
}
# The live-stream refusals: whether it was this client's share (429) or the server's (503).
_STREAM_PROBLEMS = {"/problems/too-many-streams": True, "/problems/streams-full": False}


def core_error(status: int, problem: Document | None, reason: str = "",
               retry_after: float | None = None) -> FourcastError:
    """The core error an error response stands for (``problem`` is its parsed body,
    ``retry_after`` its Retry-After seconds)."""
    problem = problem or {}
    message = str(problem.get("detail") or problem.get("title")
                  or f"HTTP {status} {reason}".strip())
    code = problem.get("code")
    if isinstance(code, str):
        cls = error_class_for_code(code)
    else:
        cls = _STATUS_ERRORS.get(status, InvalidArgument if 400 <= status < 500 else Internal)
    if cls is NotFound:
        return NotFound(str(problem.get("resource_type") or "resource"),
                        str(problem.get("resource_name") or ""), message)
    if cls is InvalidArgument:
        violations = [FieldViolation(str(v.get("field")), str(v.get("description")))
                      for v in problem.get("violations") or () if isinstance(v, Mapping)]
        return InvalidArgument(violations or [FieldViolation("request", message)], message)
    if cls is ResourceExhausted:  # the problem type tells which exhausted resource
        kind = problem.get("type")
        if kind == "/problems/store-full":
            return StoreFull(message)
        if kind in _STREAM_PROBLEMS:
            return TooManyStreams(message, per_client=_STREAM_PROBLEMS[kind],
                                  retry_after=retry_after or 5.0)
    return cls(message)


# -- values -----------------------------------------------------------------------------------

def rfc3339(at: datetime) -> str:
    """An instant as RFC 3339 in UTC (``...Z``); a naive one, or one at an offset no zone has,
    stays as given, and a fraction of a second stays, so the server's core refuses them as it
    refuses them in every protocol."""
    if not validation.is_instant(at):
        return at.isoformat()
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def instant(at: datetime | None) -> str | None:
    return rfc3339(at) if at is not None else None


def iso_date(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def units_param(units: Units | str) -> str | None:
    """``units`` for a query, left out for SI (the default) so the URL is the canonical one."""
    text = str(units)
    return None if text == Units.SI.value else text


def _number(value: Any) -> float | None:
    """A measurement: the ``{"value", "unitCode"}`` form or a bare number; null stays None."""
    if isinstance(value, Mapping):
        value = value.get("value")
    return float(value) if value is not None else None


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# -- documents to domain objects --------------------------------------------------------------

def station(doc: Document) -> Station:
    return Station(doc["id"], doc["name"], float(doc["latitude"]), float(doc["longitude"]),
                   float(doc["elevation"]), doc["timezone"])


def observation(doc: Document) -> Observation:
    values = {name: _number(doc.get(name)) for name in MEASUREMENTS}
    return Observation(station_id=doc["station_id"], observed_at=_time(doc["observed_at"]),
                       units=Units(doc["units"]), **values)


def alert(doc: Document) -> Alert:
    return Alert(doc["id"], doc["station_id"], doc["event"], Severity(doc["severity"]),
                 doc["headline"], doc["description"], _time(doc["onset"]), _time(doc["ends"]))


def page(doc: Document, name: str, convert: Callable[[Document], Any]) -> Page[Any]:
    """A collection document: ``_embedded[name]`` and the page tokens beside it."""
    items = (doc.get("_embedded") or {}).get(name) or ()
    return Page(tuple(convert(item) for item in items), doc.get("next_page_token"),
                doc.get("prev_page_token"))


def daily_summaries(doc: Document) -> list[DailySummary]:
    units = Units(doc["units"])
    return [DailySummary(
        doc["station_id"], date.fromisoformat(day["date"]), _number(day["temperature_min"]),
        _number(day["temperature_max"]), _number(day["temperature_mean"]),
        _number(day["precipitation_total"]), _number(day["wind_gust_max"]),
        int(day["observation_count"]), units) for day in doc["days"]]


def _period(doc: Document) -> ForecastPeriod:
    chance = doc["precipitation_chance"]
    if isinstance(chance, Mapping):
        chance = chance.get("value")
    return ForecastPeriod(
        int(doc["number"]), doc["name"], _time(doc["start"]), _time(doc["end"]),
        _number(doc["temperature_high"]), _number(doc["temperature_low"]),
        int(chance) if chance is not None else None, _number(doc["wind_speed"]),
        _number(doc["wind_direction"]), doc["summary"])


def forecast(doc: Document) -> Forecast:
    return Forecast(doc["station_id"], _time(doc["issued_at"]), Units(doc["units"]),
                    tuple(_period(p) for p in doc["periods"]))


def import_summary(doc: Document) -> ImportSummary:
    return ImportSummary(int(doc["imported"]), int(doc["created"]), int(doc["replaced"]),
                         tuple(doc["station_ids"]), _when(doc.get("first_observed_at")),
                         _when(doc.get("last_observed_at")))


def version(etag: str | None) -> str:
    """The version an ETag names: the server tags a station or an observation with its version
    (strong, quoted), plus a ``.suffix`` for a representation that differs in bytes."""
    match = re.fullmatch(r'"([^"]*)"', (etag or "").strip())
    if match is None:
        raise Internal(f"the server sent no strong ETag for a write (got {etag!r})")
    return match.group(1).split(".", 1)[0]


def entity_tag(if_match: str) -> str:
    """An ``If-Match`` value for a version (``*`` matches any current version)."""
    return "*" if if_match == "*" else f'"{if_match}"'


# -- domain objects to bodies -----------------------------------------------------------------

def station_body(s: Station) -> dict[str, Any]:
    return {"id": s.id, "name": s.name, "latitude": s.latitude, "longitude": s.longitude,
            "elevation": s.elevation, "timezone": s.timezone}


def measurements_body(obs: Observation) -> dict[str, Any]:
    """The measurements, as written: SI numbers, null when not measured."""
    return {name: getattr(obs, name) for name in MEASUREMENTS}


def batch_item(obs: Observation) -> dict[str, Any]:
    return {"station_id": obs.station_id, "observed_at": rfc3339(obs.observed_at),
            **measurements_body(obs)}


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def unsendable(body: Any, path: str = "") -> list[FieldViolation]:
    """The fields (in the core's names) of a body that no JSON text can carry: non-finite
    numbers and lone surrogates. The core refuses the same values in the other protocols."""
    if isinstance(body, float) and not math.isfinite(body):
        return [FieldViolation(path, "must be a finite number")]
    if isinstance(body, str) and _LONE_SURROGATE.search(body):
        return [FieldViolation(path, "contains characters JSON cannot carry")]
    if isinstance(body, Mapping):
        return [v for key, value in body.items()
                for v in unsendable(value, f"{path}.{key}" if path else str(key))]
    if isinstance(body, list):
        return [v for i, item in enumerate(body) for v in unsendable(item, f"{path}[{i}]")]
    return []
