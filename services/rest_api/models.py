"""Request models: they parse query strings and JSON bodies into plain values.

They check form only: a number is a number, a timestamp is written in RFC 3339, a body has
no member it does not know. Ranges, id formats, page size limits, naive timestamps and units
are the core's rules and are left to it, so every protocol refuses the same inputs; the
schemas only document them. The OpenAPI document is generated from these same classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from services.core.domain import Observation
from services.core.units import Units, unit_codes
from services.core.validation import (
    DEFAULT_PAGE_SIZE,
    MAX_FORECAST_DAYS,
    MAX_PAGE_SIZE,
    OBSERVATION_BOUNDS,
    STATION_BOUNDS,
    STATION_NAME_MAX_LENGTH,
    Bounds,
    check_import_size,
)

SI_CODES = unit_codes(Units.SI)

# RFC 3339 as written, checked before pydantic parses: pydantic also reads a bare number
# ("0", "1372636800") as Unix time, which would make /observations/0 an alias of 1970.
# The offset is optional here so that a naive time gets the core's own message.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
DATE_TIME_MESSAGE = "must be an RFC 3339 timestamp such as 2013-07-01T12:00:00Z"


def _parsed_as(pattern: re.Pattern[str], parse: Callable[[str], Any],
               message: str) -> BeforeValidator:
    def check(raw: Any) -> Any:
        if not isinstance(raw, str) or not pattern.fullmatch(raw):
            raise ValueError(message)
        try:
            return parse(raw.upper())  # RFC 3339 allows a lower-case t and z
        except ValueError:
            raise ValueError(message) from None

    return BeforeValidator(check)


Timestamp = Annotated[datetime, _parsed_as(_DATE_TIME, datetime.fromisoformat,
                                           DATE_TIME_MESSAGE)]
LocalDate = Annotated[date, _parsed_as(_DATE, date.fromisoformat,
                                       "must be a date such as 2013-07-01")]

# A plain string: the core parses units (and decides what is accepted); the schema names them.
UnitsParam = Annotated[str | None, WithJsonSchema(
    {"type": "string", "enum": [u.value for u in Units],
     "description": "Unit system of the measurements (default si)."})]
PageSize = Annotated[int | None, Field(
    description=f"Items per page (0 or absent: {DEFAULT_PAGE_SIZE}).",
    json_schema_extra={"minimum": 0, "maximum": MAX_PAGE_SIZE})]
PageToken = Annotated[str | None, Field(description="Opaque token from a `next`/`prev` link.")]


# Query models are frozen: a query without parameters is validated once and shared
# (api.parse_query), so no view may change what it was given.
QUERY_CONFIG = ConfigDict(frozen=True)


class StationsQuery(BaseModel):
    model_config = QUERY_CONFIG
    page_size: PageSize = None
    page_token: PageToken = None


class ObservationsQuery(BaseModel):
    model_config = QUERY_CONFIG
    start: Annotated[Timestamp | None, Field(description="Inclusive RFC 3339 start.")] = None
    end: Annotated[Timestamp | None, Field(description="Exclusive RFC 3339 end.")] = None
    page_size: PageSize = None
    page_token: PageToken = None
    units: UnitsParam = None


class UnitsQuery(BaseModel):
    model_config = QUERY_CONFIG
    units: UnitsParam = None


class DailyQuery(BaseModel):
    model_config = QUERY_CONFIG
    start: Annotated[LocalDate | None, Field(description="First local date (inclusive).")] = None
    end: Annotated[LocalDate | None, Field(description="Last local date (inclusive).")] = None
    units: UnitsParam = None


class ForecastQuery(BaseModel):
    model_config = QUERY_CONFIG
    days: Annotated[int | None, Field(
        description=f"How many days ahead (default {MAX_FORECAST_DAYS}).",
        json_schema_extra={"minimum": 1, "maximum": MAX_FORECAST_DAYS})] = None
    units: UnitsParam = None


class AlertsQuery(BaseModel):
    model_config = QUERY_CONFIG
    station: Annotated[str | None, Field(description="Only this station's alerts.")] = None
    start: Annotated[Timestamp | None, Field(description="Alerts that end after this.")] = None
    end: Annotated[Timestamp | None, Field(description="Alerts that begin before this.")] = None
    page_size: PageSize = None
    page_token: PageToken = None


class LiveQuery(BaseModel):
    model_config = QUERY_CONFIG
    station: Annotated[list[str], Field(description="Stations to watch (repeat the "
                                                    "parameter for several; at least one).")
                       ] = []
    units: UnitsParam = None


class SiValue:
    """A measurement written in SI: a bare number, ``null``, or the ``{"value", "unitCode"}``
    form a GET returns (so a representation read can be written back as it is)."""

    def __init__(self, name: str) -> None:
        self.code = SI_CODES[name]
        self.bounds = OBSERVATION_BOUNDS[name]

    def unwrap(self, raw: Any) -> Any:
        if not isinstance(raw, dict):
            return raw
        if raw.keys() != {"value", "unitCode"}:
            raise ValueError("must be a number, null, or {\"value\": …, \"unitCode\": …}")
        if raw["unitCode"] != self.code:
            raise ValueError(f"must be in SI units: unitCode {self.code!r}")
        return raw["value"]

    def __get_pydantic_core_schema__(self, source: Any,
                                     handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.unwrap, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema,
                                     handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        number = {"type": "number", "minimum": self.bounds.low, "maximum": self.bounds.high}
        return {"anyOf": [number, {"type": "null"}, {
            "type": "object", "required": ["value", "unitCode"], "additionalProperties": False,
            "properties": {"value": {"anyOf": [number, {"type": "null"}]},
                           "unitCode": {"type": "string", "const": self.code}}}],
            "description": f"In {self.code}; null when not measured."}


def _within(bounds: Bounds, description: str) -> Any:
    """Documents a core range in the schema (the core checks it, for every protocol)."""
    return Field(description=description,
                 json_schema_extra={"minimum": bounds.low, "maximum": bounds.high})


# A representation as read carries links (and an observation its units): they may be sent
# back as they are, and are ignored. Any other unknown member is refused, so that a
# misspelt measurement ("temprature") is an error rather than a silently missing value.
RepresentationLinks = Annotated[dict[str, Any] | None, Field(
    alias="_links", description="Ignored (a representation may be written back as read).")]


class StationBody(BaseModel):
    """A station as PUT to ``/stations/{station_id}`` (the id comes from the URL)."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"name": "John F Kennedy Intl", "latitude": 40.639751, "longitude": -73.778925,
         "elevation": 4.0, "timezone": "America/New_York"}]})

    links: RepresentationLinks = None
    id: Annotated[str | None, Field(description="If present, must equal the URL's id.")] = None
    name: Annotated[str, Field(description="1 to 100 characters.", json_schema_extra={
        "minLength": 1, "maxLength": STATION_NAME_MAX_LENGTH})]
    latitude: Annotated[float, _within(STATION_BOUNDS["latitude"], "Degrees north.")]
    longitude: Annotated[float, _within(STATION_BOUNDS["longitude"], "Degrees east.")]
    elevation: Annotated[float, _within(STATION_BOUNDS["elevation"],
                                        "Metres above sea level.")]
    timezone: Annotated[str, Field(description="IANA time zone, e.g. America/New_York.")]


class _Measurements(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    links: RepresentationLinks = None
    units: Annotated[Literal["si"] | None, Field(
        description="Writes are in SI; a representation read in SI may be sent back.")] = None

    temperature: Annotated[float | None, SiValue("temperature")] = None
    dewpoint: Annotated[float | None, SiValue("dewpoint")] = None
    relative_humidity: Annotated[float | None, SiValue("relative_humidity")] = None
    wind_speed: Annotated[float | None, SiValue("wind_speed")] = None
    wind_direction: Annotated[float | None, SiValue("wind_direction")] = None
    wind_gust: Annotated[float | None, SiValue("wind_gust")] = None
    precipitation_last_hour: Annotated[float | None, SiValue("precipitation_last_hour")] = None
    sea_level_pressure: Annotated[float | None, SiValue("sea_level_pressure")] = None
    visibility: Annotated[float | None, SiValue("visibility")] = None

    def observation(self, station_id: str, observed_at: datetime) -> Observation:
        """The SI observation these measurements make at ``station_id`` and ``observed_at``."""
        return Observation(
            station_id, observed_at, temperature=self.temperature, dewpoint=self.dewpoint,
            relative_humidity=self.relative_humidity, wind_speed=self.wind_speed,
            wind_direction=self.wind_direction, wind_gust=self.wind_gust,
            precipitation_last_hour=self.precipitation_last_hour,
            sea_level_pressure=self.sea_level_pressure, visibility=self.visibility)


class ObservationBody(_Measurements):
    """An observation PUT to its own URL (station and time come from the URL). SI units."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"temperature": 24.4, "dewpoint": 16.1, "relative_humidity": 61.0, "wind_speed": 3.6,
         "wind_direction": 200.0, "sea_level_pressure": 1014.2}]})

    station_id: Annotated[str | None, Field(description="If present, must equal the URL's.")] = None
    observed_at: Annotated[Timestamp | None, Field(description="If present, must equal the "
                                                               "URL's.")] = None


class BatchItem(_Measurements):
    station_id: Annotated[str | None, Field(
        description="Defaults to the URL's station; required when POSTed to /observations."
    )] = None
    observed_at: Timestamp


class BatchBody(BaseModel):
    """Observations POSTed to a station's collection, or to ``/observations`` for any
    stations: all are stored, or none."""

    model_config = ConfigDict(strict=True, extra="forbid", json_schema_extra={"examples": [
        {"observations": [{"observed_at": "2024-07-01T12:00:00Z", "temperature": 24.4,
                           "relative_humidity": 61.0, "wind_speed": 3.6}]}]})

    observations: list[BatchItem]

    @model_validator(mode="before")
    @classmethod
    def _not_too_many(cls, data: Any) -> Any:
        """The size limit first (413), as the core counts it, before any item is judged."""
        if isinstance(data, dict) and isinstance(data.get("observations"), list):
            check_import_size(len(data["observations"]))
        return data


REQUEST_MODELS: tuple[type[BaseModel], ...] = (StationBody, ObservationBody, BatchBody)
QUERY_MODELS: tuple[type[BaseModel], ...] = (StationsQuery, ObservationsQuery, UnitsQuery,
                                             DailyQuery, ForecastQuery, AlertsQuery, LiveQuery)
