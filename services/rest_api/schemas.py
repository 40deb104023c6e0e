"""Response models: the JSON Schema of every representation in ``/openapi.json``.

Representations are rendered as plain dicts for speed (``render``); these models describe
them, and the schemathesis test checks that real responses conform.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.core.domain import Severity


class _Doc(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class Link(_Doc):
    href: str
    templated: bool | None = None
    type: str | None = None


Links = Annotated[dict[str, Link], Field(alias="_links",
                                         description="HAL links; `self` is always present")]


class Measurement(_Doc):
    value: float | None = Field(description="null when not measured")
    unitCode: str = Field(description="The unit of value, e.g. degC, m/s, hPa")


class EntryPoint(_Doc):
    links: Links


class Station(_Doc):
    links: Links
    id: str
    name: str
    latitude: float
    longitude: float
    elevation: float = Field(description="Metres above sea level")
    timezone: str


class Observation(_Doc):
    links: Links
    station_id: str
    observed_at: str = Field(json_schema_extra={"format": "date-time"})
    units: str = Field(json_schema_extra={"enum": ["si", "us"]})
    temperature: Measurement
    dewpoint: Measurement
    relative_humidity: Measurement
    wind_speed: Measurement
    wind_direction: Measurement
    wind_gust: Measurement
    precipitation_last_hour: Measurement
    sea_level_pressure: Measurement
    visibility: Measurement


class _Page(_Doc):
    links: Links
    count: int
    next_page_token: str | None
    prev_page_token: str | None


class EmbeddedStations(_Doc):
    stations: list[Station]


class StationCollection(_Page):
    embedded: EmbeddedStations = Field(alias="_embedded")


class EmbeddedObservations(_Doc):
    observations: list[Observation]


class ObservationCollection(_Page):
    embedded: EmbeddedObservations = Field(alias="_embedded")


class DailySummary(_Doc):
    date: str = Field(json_schema_extra={"format": "date"})
    temperature_min: Measurement
    temperature_max: Measurement
    temperature_mean: Measurement
    precipitation_total: Measurement
    wind_gust_max: Measurement
    observation_count: int


class DailySummaries(_Doc):
    links: Links
    station_id: str
    units: str
    days: list[DailySummary]


class ForecastPeriod(_Doc):
    number: int
    name: str
    start: str = Field(json_schema_extra={"format": "date-time"})
    end: str = Field(json_schema_extra={"format": "date-time"})
    temperature_high: Measurement
    temperature_low: Measurement
    precipitation_chance: Measurement
    wind_speed: Measurement
    wind_direction: Measurement
    summary: str


class Forecast(_Doc):
    links: Links
    station_id: str
    issued_at: str = Field(json_schema_extra={"format": "date-time"})
    units: str
    periods: list[ForecastPeriod]


class Alert(_Doc):
    links: Links
    id: str
    station_id: str
    event: str
    severity: Severity
    headline: str
    description: str
    onset: str = Field(json_schema_extra={"format": "date-time"})
    ends: str = Field(json_schema_extra={"format": "date-time"})


class EmbeddedAlerts(_Doc):
    alerts: list[Alert]


class AlertCollection(_Page):
    embedded: EmbeddedAlerts = Field(alias="_embedded")


class ImportResult(_Doc):
    links: Links
    imported: int
    created: int
    replaced: int
    station_ids: list[str]
    first_observed_at: str | None
    last_observed_at: str | None


class BatchEntry(_Doc):
    """What ``/observations`` is: where a batch of observations of any stations is POSTed."""

    links: Links
    description: str


class LiveFeed(_Doc):
    """A live feed described, for a client that did not ask for ``text/event-stream``."""

    links: Links
    station_ids: list[str]
    units: str = Field(json_schema_extra={"enum": ["si", "us"]})
    events: list[str]
    description: str


class OpenApiDocument(_Doc):
    """An OpenAPI 3.1 document (its own schema is the OpenAPI specification's)."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, object]
    paths: dict[str, object]


class Violation(_Doc):
    field: str
    description: str


class Problem(_Doc):
    """RFC 9457 problem details, with Fourcast's extension members."""

    type: str
    title: str
    status: int
    detail: str
    code: str | None = Field(None, description="The core error code, e.g. NOT_FOUND")
    violations: list[Violation] | None = None
    resource_type: str | None = None
    resource_name: str | None = None


class ProblemTypeDoc(_Doc):
    slug: str
    status: int
    title: str
    description: str
    code: str


RESPONSE_MODELS: tuple[type[BaseModel], ...] = (
    EntryPoint, Station, Observation, StationCollection, ObservationCollection,
    DailySummaries, Forecast, Alert, AlertCollection, ImportResult, Problem, ProblemTypeDoc,
    OpenApiDocument, LiveFeed, BatchEntry)
