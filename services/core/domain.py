"""The domain objects every protocol returns: frozen dataclasses, no framework in sight.

Times are timezone-aware UTC ``datetime`` values (whole seconds); a daily summary's ``date`` is
the station's local calendar date. Measurements are ``float | None``: ``None`` means the value
was not measured, and it stays ``None`` through every protocol (never 0).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from services.core.units import MEASUREMENTS, OBSERVATION_QUANTITIES, Units, unit_codes


@dataclass(frozen=True, slots=True)
class Station:
    """A weather station. Elevation is in metres in every unit system (station metadata)."""

    id: str
    name: str
    latitude: float
    longitude: float
    elevation: float
    timezone: str


@dataclass(frozen=True, slots=True)
class Observation:
    """One observation of one station at one instant, in the units named by ``units``."""

    station_id: str
    observed_at: datetime
    temperature: float | None = None
    dewpoint: float | None = None
    relative_humidity: float | None = None
    wind_speed: float | None = None
    wind_direction: float | None = None
    wind_gust: float | None = None
    precipitation_last_hour: float | None = None
    sea_level_pressure: float | None = None
    visibility: float | None = None
    units: Units = Units.SI

    def measurements(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in MEASUREMENTS}

    @property
    def unit_codes(self) -> dict[str, str]:
        """Which unit each measurement is in (``{"temperature": "degC", ...}``)."""
        return unit_codes(self.units)


@dataclass(frozen=True, slots=True)
class RecordedObservation:
    """An observation as it reached the store, with its place in the global change sequence.

    ``sequence`` is monotonic across every process writing the same store: a watcher resumes
    after the last sequence it saw (SSE ``Last-Event-ID``, SOAP polling, gRPC resume).
    """

    sequence: int
    observation: Observation


@dataclass(frozen=True, slots=True)
class DailySummary:
    """One local calendar day of one station, aggregated from its observations."""

    station_id: str
    date: date
    temperature_min: float | None
    temperature_max: float | None
    temperature_mean: float | None
    precipitation_total: float | None
    wind_gust_max: float | None
    observation_count: int
    units: Units = Units.SI

    @property
    def unit_codes(self) -> dict[str, str]:
        codes = unit_codes(self.units, ("temperature", "precipitation_last_hour", "wind_gust"))
        return {
            "temperature_min": codes["temperature"],
            "temperature_max": codes["temperature"],
            "temperature_mean": codes["temperature"],
            "precipitation_total": codes["precipitation_last_hour"],
            "wind_gust_max": codes["wind_gust"],
        }


@dataclass(frozen=True, slots=True)
class ForecastPeriod:
    """One local day of a forecast: from local midnight to the next (23 or 25 h across DST)."""

    number: int
    name: str
    start: datetime
    end: datetime
    temperature_high: float | None
    temperature_low: float | None
    precipitation_chance: int | None
    wind_speed: float | None
    wind_direction: float | None
    summary: str


@dataclass(frozen=True, slots=True)
class Forecast:
    """A demonstration climatological forecast (see ``services/core/forecast.py``)."""

    station_id: str
    issued_at: datetime
    units: Units
    periods: tuple[ForecastPeriod, ...]

    @property
    def unit_codes(self) -> dict[str, str]:
        codes = unit_codes(self.units, ("temperature", "wind_speed", "wind_direction"))
        return {
            "temperature_high": codes["temperature"],
            "temperature_low": codes["temperature"],
            "precipitation_chance": "%",
            "wind_speed": codes["wind_speed"],
            "wind_direction": codes["wind_direction"],
        }


class Severity(StrEnum):
    """CAP severities (the subset the thresholds produce)."""

    MINOR = "Minor"
    MODERATE = "Moderate"
    SEVERE = "Severe"
    EXTREME = "Extreme"


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert derived from observations, with fields in the spirit of CAP 1.2.

    ``ends`` is one hour after the last observation that met the threshold.
    """

    id: str
    station_id: str
    event: str
    severity: Severity
    headline: str
    description: str
    onset: datetime
    ends: datetime


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing. Tokens are opaque and bound to the query that made them."""

    items: tuple[T, ...]
    next_page_token: str | None = None
    prev_page_token: str | None = None


@dataclass(frozen=True, slots=True)
class WriteResult(Generic[T]):
    """What a put returned: the stored entity, whether it was created, and its new version."""

    value: T
    created: bool
    version: str


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The outcome of an all-or-nothing import."""

    imported: int
    created: int
    replaced: int
    station_ids: tuple[str, ...] = field(default_factory=tuple)
    first_observed_at: datetime | None = None
    last_observed_at: datetime | None = None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


# version_of is on the hot path of every read of an observation: its fields are listed once
# per class, in sorted order (the same JSON as sort_keys, without sorting per call), and one
# encoder serves the process (json.dumps with options builds a new one for every call).
_VERSION_ENCODER = json.JSONEncoder()
_VERSIONED_FIELDS: dict[type, tuple[str, ...]] = {}
_NOT_PLAIN = (datetime, date, dict, list, tuple)  # a tuple: isinstance on a union is slower


def version_of(entity: Station | Observation) -> str:
    """A short content hash: the entity's version for conditional writes (If-Match, etc.).

    It depends only on the stored content, so every process and protocol computes the same one.
    Observations are hashed in SI, whatever units they were read in.
    """
    if isinstance(entity, Observation) and entity.units is not Units.SI:
        raise ValueError("version_of needs the SI observation")
    names = _VERSIONED_FIELDS.get(type(entity))
    if names is None:
        names = tuple(sorted(f.name for f in fields(entity) if f.name != "units"))
        _VERSIONED_FIELDS[type(entity)] = names
    data = {}
    for name in names:
        value = getattr(entity, name)
        data[name] = _plain(value) if isinstance(value, _NOT_PLAIN) else value
    digest = hashlib.sha256(_VERSION_ENCODER.encode(data).encode()).hexdigest()
    return digest[:20]


def to_plain(obj: Any) -> Any:
    """A JSON-friendly dict of any domain object (for normalised comparisons and tests)."""
    return _plain(asdict(obj))


def in_units(obs: Observation, units: Units) -> Observation:
    """An SI observation converted to ``units`` (missing values stay missing)."""
    if units is Units.SI:
        return obs
    changes: dict[str, Any] = {
        name: OBSERVATION_QUANTITIES[name].convert(getattr(obs, name), units)
        for name in MEASUREMENTS
    }
    return replace(obs, units=units, **changes)
