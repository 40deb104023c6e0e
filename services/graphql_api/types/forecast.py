"""A demonstration climatological forecast and its daily periods."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.core.domain import Forecast as DomainForecast
from services.core.domain import ForecastPeriod as DomainForecastPeriod
from services.graphql_api.types.units import UnitCode, UnitSystem


@strawberry.type(description="One local day of a forecast, local midnight to midnight.")
class ForecastPeriod:
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

    @classmethod
    def from_domain(cls, period: DomainForecastPeriod) -> ForecastPeriod:
        return cls(
            number=period.number, name=period.name, start=period.start, end=period.end,
            temperature_high=period.temperature_high, temperature_low=period.temperature_low,
            precipitation_chance=period.precipitation_chance, wind_speed=period.wind_speed,
            wind_direction=period.wind_direction, summary=period.summary)


@strawberry.type(description="A climatological forecast (a demonstration, not a prediction).")
class Forecast:
    station_id: str
    issued_at: datetime
    units: UnitSystem
    unit_codes: list[UnitCode]
    periods: list[ForecastPeriod]

    @classmethod
    def from_domain(cls, forecast: DomainForecast) -> Forecast:
        return cls(
            station_id=forecast.station_id, issued_at=forecast.issued_at,
            units=UnitSystem.from_domain(forecast.units),
            unit_codes=UnitCode.from_domain(forecast.unit_codes),
            periods=[ForecastPeriod.from_domain(p) for p in forecast.periods])
