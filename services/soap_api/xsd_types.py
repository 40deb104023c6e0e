"""The XSD types of the WSDL, as Spyne models.

Element names are camelCase (the WSDL convention integrators expect); the adapter maps them to
the core's snake_case fields by name. Facets (id pattern, ranges, lengths, page size) are read
from :mod:`services.core.validation`, so the schema documents the same limits the core enforces;
the core stays the source of truth and still checks every value the schema lets through.

Input types (``StationInput``-like ``Station`` and ``ObservationInput``) carry the SI ranges of a
write. Output observations carry no range facets: a read may be in US units, where the SI
ranges do not apply. A missing measurement is an absent (``minOccurs="0"``) or nil
(``nillable="true"``) element, never 0.
"""

from __future__ import annotations

from typing import Any

from spyne import Array, Boolean, ComplexModel, Date, DateTime, Double, Enum, Integer, Unicode

from services.core import validation
from services.core.units import MEASUREMENTS

TNS = "urn:fourcast:weather:v1"


def _xsd_pattern(regex: str) -> str:
    """XSD patterns are implicitly anchored and know no ``^``/``$``."""
    return regex.removeprefix("^").removesuffix("$")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _occurs(model: Any, **occurs: Any) -> Any:
    # Spyne renames a customised restriction to an anonymous "Parent_fieldType" unless it is
    # given its name again: keep the named simple types (StationId, PageSize...) named.
    if getattr(model.Attributes, "_explicit_type_name", False):
        occurs.update(type_name=model.get_type_name(), __namespace__=model.get_namespace())
    return model.customize(**occurs)


def required(model: Any) -> Any:
    """An element that must be present and not nil (``minOccurs="1"``)."""
    return _occurs(model, min_occurs=1, nillable=False)


def optional(model: Any) -> Any:
    """An element that may be absent or nil (``minOccurs="0" nillable="true"``)."""
    return _occurs(model, min_occurs=0, nillable=True)


StationId = Unicode(pattern=_xsd_pattern(validation.STATION_ID_PATTERN), type_name="StationId",
                    __namespace__=TNS)
# 0 (like absence) asks for the default page size: the core's rule, so the facet allows it.
PageSize = Integer(ge=0, le=validation.MAX_PAGE_SIZE, type_name="PageSize", __namespace__=TNS)
Units = Enum("si", "us", type_name="Units", __namespace__=TNS)
Severity = Enum("Minor", "Moderate", "Severe", "Extreme", type_name="Severity",
                __namespace__=TNS)


def _bounded(bounds: validation.Bounds) -> Any:
    return Double(ge=bounds.low, le=bounds.high)


class _Model(ComplexModel):
    __namespace__ = TNS


class Station(_Model):
    """A weather station; elevation in metres. The same type is read and written."""

    _type_info = (
        ("id", required(StationId)),
        ("name", required(Unicode(min_len=1, max_len=validation.STATION_NAME_MAX_LENGTH))),
        *((camel(f), required(_bounded(b))) for f, b in validation.STATION_BOUNDS.items()),
        ("timezone", required(Unicode(min_len=1))),
    )


class Observation(_Model):
    """An observation as read, in the units named by ``units``; absent or nil = not measured."""

    _type_info = (
        ("stationId", required(StationId)),
        ("observedAt", required(DateTime)),
        *((camel(m), optional(Double)) for m in MEASUREMENTS),
        ("units", required(Units)),
    )


class ObservationInput(_Model):
    """An observation to write, always in SI units; absent or nil = not measured."""

    _type_info = (
        ("stationId", required(StationId)),
        ("observedAt", required(DateTime)),
        *((camel(m), optional(_bounded(validation.OBSERVATION_BOUNDS[m])))
          for m in MEASUREMENTS),
    )


class RecordedObservation(_Model):
    """An observation with its place in the store's change sequence (for polling)."""

    _type_info = (("sequence", required(Integer(ge=0))),
                  ("observation", required(Observation)))


class DailySummary(_Model):
    _type_info = (
        ("stationId", required(StationId)),
        ("date", required(Date)),
        ("temperatureMin", optional(Double)),
        ("temperatureMax", optional(Double)),
        ("temperatureMean", optional(Double)),
        ("precipitationTotal", optional(Double)),
        ("windGustMax", optional(Double)),
        ("observationCount", required(Integer(ge=0))),
        ("units", required(Units)),
    )


class ForecastPeriod(_Model):
    _type_info = (
        ("number", required(Integer(ge=1))),
        ("name", required(Unicode)),
        ("start", required(DateTime)),
        ("end", required(DateTime)),
        ("temperatureHigh", optional(Double)),
        ("temperatureLow", optional(Double)),
        ("precipitationChance", optional(Integer(ge=0, le=100))),
        ("windSpeed", optional(Double)),
        ("windDirection", optional(Double)),
        ("summary", required(Unicode)),
    )


class Forecast(_Model):
    _type_info = (
        ("stationId", required(StationId)),
        ("issuedAt", required(DateTime)),
        ("units", required(Units)),
        ("periods", required(Array(ForecastPeriod))),
    )


class Alert(_Model):
    _type_info = (
        ("id", required(Unicode)),
        ("stationId", required(StationId)),
        ("event", required(Unicode)),
        ("severity", required(Severity)),
        ("headline", required(Unicode)),
        ("description", required(Unicode)),
        ("onset", required(DateTime)),
        ("ends", required(DateTime)),
    )


def _page(item: type[_Model], field: str) -> tuple[tuple[str, Any], ...]:
    return ((field, required(Array(item))),
            ("nextPageToken", optional(Unicode)),
            ("prevPageToken", optional(Unicode)))


class StationPage(_Model):
    _type_info = _page(Station, "stations")


class ObservationPage(_Model):
    _type_info = _page(Observation, "observations")


class AlertPage(_Model):
    _type_info = _page(Alert, "alerts")


class StationWriteResult(_Model):
    _type_info = (("station", required(Station)), ("created", required(Boolean)),
                  ("version", required(Unicode)))


class ObservationWriteResult(_Model):
    _type_info = (("observation", required(Observation)), ("created", required(Boolean)),
                  ("version", required(Unicode)))


class ImportSummary(_Model):
    _type_info = (
        ("imported", required(Integer(ge=0))),
        ("created", required(Integer(ge=0))),
        ("replaced", required(Integer(ge=0))),
        ("stationIds", required(Array(StationId))),
        ("firstObservedAt", optional(DateTime)),
        ("lastObservedAt", optional(DateTime)),
    )
