"""Input types of the mutations: plain SI values, validated by the core."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.core.domain import Observation, Station


@strawberry.input(description="A station to create or replace.")
class StationInput:
    id: str
    name: str
    latitude: float
    longitude: float
    elevation: float = strawberry.field(description="metres")
    timezone: str = strawberry.field(description="IANA time zone name")

    def to_domain(self) -> Station:
        return Station(id=self.id, name=self.name, latitude=self.latitude,
                       longitude=self.longitude, elevation=self.elevation,
                       timezone=self.timezone)


@strawberry.input(description="An observation to record, in SI units (degC, %, m/s, deg, mm, "
                              "hPa, m); leave out what was not measured.")
class ObservationInput:
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

    def to_domain(self) -> Observation:
        return Observation(
            station_id=self.station_id, observed_at=self.observed_at,
            temperature=self.temperature, dewpoint=self.dewpoint,
            relative_humidity=self.relative_humidity, wind_speed=self.wind_speed,
            wind_direction=self.wind_direction, wind_gust=self.wind_gust,
            precipitation_last_hour=self.precipitation_last_hour,
            sea_level_pressure=self.sea_level_pressure, visibility=self.visibility)
