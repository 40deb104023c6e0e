"""An observation of one station at one instant, and the event a subscription delivers."""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.core.domain import Observation as DomainObservation
from services.core.domain import RecordedObservation
from services.graphql_api.types.units import UnitCode, UnitSystem


@strawberry.type(description="One observation. A measurement that was not taken is null, "
                             "never 0; `unitCodes` says which unit each value is in.")
class Observation:
    station_id: str
    observed_at: datetime
    temperature: float | None
    dewpoint: float | None
    relative_humidity: float | None
    wind_speed: float | None
    wind_direction: float | None
    wind_gust: float | None
    precipitation_last_hour: float | None
    sea_level_pressure: float | None
    visibility: float | None
    units: UnitSystem
    unit_codes: list[UnitCode]

    @classmethod
    def from_domain(cls, obs: DomainObservation) -> Observation:
        return cls(
            station_id=obs.station_id, observed_at=obs.observed_at,
            temperature=obs.temperature, dewpoint=obs.dewpoint,
            relative_humidity=obs.relative_humidity, wind_speed=obs.wind_speed,
            wind_direction=obs.wind_direction, wind_gust=obs.wind_gust,
            precipitation_last_hour=obs.precipitation_last_hour,
            sea_level_pressure=obs.sea_level_pressure, visibility=obs.visibility,
            units=UnitSystem.from_domain(obs.units),
            unit_codes=UnitCode.of_observation(obs.units))


@strawberry.type(description="An observation as it was recorded, with its place in the "
                             "store's change sequence (resume a watch after `sequence`).")
class ObservationEvent:
    sequence: int
    observation: Observation

    @classmethod
    def from_domain(cls, recorded: RecordedObservation) -> ObservationEvent:
        return cls(sequence=recorded.sequence,
                   observation=Observation.from_domain(recorded.observation))
