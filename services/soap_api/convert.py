"""Domain objects to Spyne models and back: field for field, renaming snake_case to camelCase.

No rule lives here: values are copied as they are (the core validates inputs and converts
units); only the protocol's shapes change.

An answer is a plain namespace of its model's camelCase attributes, not an instance of the
model: Spyne's serialiser reads each member of the declared type with ``getattr`` and returns
any instance that is not a list, tuple or dict untouched, while a model's own constructor
initialises every member through several layers of class-attribute lookups (a third of the
adapter's own cost of ``GetLatestObservation``, measured with cProfile on the served path).
"""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace
from typing import Any

from services.core import domain
from services.core.units import MEASUREMENTS
from services.soap_api import xsd_types as xsd
from services.soap_api.xsd_types import camel

_MEMBERS: dict[tuple[type, type], tuple[tuple[str, str], ...]] = {}


def _members(model: type[xsd._Model], source: type) -> tuple[tuple[str, str], ...]:
    """(domain field, model member) of the fields ``model`` declares, worked out once."""
    members = _MEMBERS.get((model, source))
    if members is None:  # a race only computes the same tuple twice
        members = _MEMBERS[model, source] = tuple(
            (f.name, camel(f.name)) for f in fields(source) if camel(f.name) in model._type_info)
    return members


def _copy(model: type[xsd._Model], obj: Any, **overrides: Any) -> Any:
    values = {member: getattr(obj, name) for name, member in _members(model, type(obj))}
    values.update(overrides)
    return SimpleNamespace(**values)


def station_out(station: domain.Station) -> Any:
    return _copy(xsd.Station, station)


def station_in(data: Any) -> domain.Station:
    return domain.Station(id=data.id, name=data.name, latitude=data.latitude,
                          longitude=data.longitude, elevation=data.elevation,
                          timezone=data.timezone)


def observation_out(obs: domain.Observation) -> Any:
    return _copy(xsd.Observation, obs, units=obs.units.value)


_MEASURED = {m: camel(m) for m in MEASUREMENTS}


def observation_in(data: Any) -> domain.Observation:
    measured = {m: getattr(data, name) for m, name in _MEASURED.items()}
    return domain.Observation(station_id=data.stationId, observed_at=data.observedAt,
                              **measured)


def recorded_out(recorded: domain.RecordedObservation) -> Any:
    return SimpleNamespace(sequence=recorded.sequence,
                           observation=observation_out(recorded.observation))


def summary_out(summary: domain.DailySummary) -> Any:
    return _copy(xsd.DailySummary, summary, units=summary.units.value)


def forecast_out(forecast: domain.Forecast) -> Any:
    return SimpleNamespace(stationId=forecast.station_id, issuedAt=forecast.issued_at,
                           units=forecast.units.value,
                           periods=[_copy(xsd.ForecastPeriod, p) for p in forecast.periods])


def alert_out(alert: domain.Alert) -> Any:
    return _copy(xsd.Alert, alert, severity=alert.severity.value)


def page_out(model: type[xsd._Model], field: str, page: domain.Page[Any], convert: Any) -> Any:
    return SimpleNamespace(**{field: [convert(item) for item in page.items],
                              "nextPageToken": page.next_page_token,
                              "prevPageToken": page.prev_page_token})


def write_out(model: type[xsd._Model], field: str, result: domain.WriteResult[Any],
              convert: Any) -> Any:
    return SimpleNamespace(**{field: convert(result.value), "created": result.created,
                              "version": result.version})


def import_out(summary: domain.ImportSummary) -> Any:
    return _copy(xsd.ImportSummary, summary, stationIds=list(summary.station_ids))
