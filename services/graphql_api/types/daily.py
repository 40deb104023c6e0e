"""A daily summary: one local calendar day of one station."""

from __future__ import annotations

from datetime import date

import strawberry

from services.core.domain import DailySummary as DomainDailySummary
from services.graphql_api.types.units import UnitCode, UnitSystem


@strawberry.type(description="One local calendar day of a station, aggregated from its "
                             "observations; values are null when nothing was measured.")
class DailySummary:
    station_id: str
    date: date
    temperature_min: float | None
    temperature_max: float | None
    temperature_mean: float | None
    precipitation_total: float | None
    wind_gust_max: float | None
    observation_count: int
    units: UnitSystem
    unit_codes: list[UnitCode]

    @classmethod
    def from_domain(cls, summary: DomainDailySummary) -> DailySummary:
        return cls(
            station_id=summary.station_id, date=summary.date,
            temperature_min=summary.temperature_min, temperature_max=summary.temperature_max,
            temperature_mean=summary.temperature_mean,
            precipitation_total=summary.precipitation_total,
            wind_gust_max=summary.wind_gust_max, observation_count=summary.observation_count,
            units=UnitSystem.from_domain(summary.units),
            unit_codes=UnitCode.from_domain(summary.unit_codes))
