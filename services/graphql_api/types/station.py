"""A weather station, with its observations and derived data as nested fields.

Nested fields resolve per station, so a listing that asks for ``latestObservation`` goes through
the request's DataLoader: one store query for the whole page, not one per station.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from services.core.domain import Station as DomainStation
from services.graphql_api.context import Info
from services.graphql_api.types.alert import Alert
from services.graphql_api.types.connection import Connection, page_request
from services.graphql_api.types.daily import DailySummary
from services.graphql_api.types.forecast import Forecast
from services.graphql_api.types.observation import Observation
from services.graphql_api.types.units import UnitSystem


@strawberry.type(description="A weather station. Elevation is in metres in every unit system.")
class Station:
    id: str
    name: str
    latitude: float
    longitude: float
    elevation: float
    timezone: str = strawberry.field(description="IANA time zone name")

    @classmethod
    def from_domain(cls, station: DomainStation) -> Station:
        return cls(id=station.id, name=station.name, latitude=station.latitude,
                   longitude=station.longitude, elevation=station.elevation,
                   timezone=station.timezone)

    @strawberry.field(description="The newest observation; null when the station has none.")
    async def latest_observation(self, info: Info,
                                 units: UnitSystem = UnitSystem.SI) -> Observation | None:
        found = await info.context.latest_observations.load((self.id, units.to_domain()))
        return Observation.from_domain(found) if found is not None else None

    @strawberry.field(description="Observations in [start, end), oldest first. Without "
                                  "either bound: the last day of data.")
    async def observations(self, info: Info, start: datetime | None = None,
                           end: datetime | None = None, first: int | None = None,
                           after: str | None = None, last: int | None = None,
                           before: str | None = None,
                           units: UnitSystem = UnitSystem.SI) -> Connection[Observation]:
        size, token = page_request(first, after, last, before)
        page = await info.context.call(info.context.service.list_observations, self.id,
                                       start, end, size, token, units.to_domain())
        return Connection.from_domain(page, Observation.from_domain)

    @strawberry.field(description="One summary per local date in [start, end] with data; "
                                  "without dates, the last seven local days of data.")
    async def daily(self, info: Info, start: date | None = None, end: date | None = None,
                    units: UnitSystem = UnitSystem.SI) -> list[DailySummary]:
        days = await info.context.call(info.context.service.daily_summaries, self.id, start,
                                       end, units.to_domain())
        return [DailySummary.from_domain(d) for d in days]

    @strawberry.field(description="A climatological forecast of 1 to 7 days (default 7).")
    async def forecast(self, info: Info, days: int | None = None,
                       units: UnitSystem = UnitSystem.SI) -> Forecast:
        found = await info.context.call(info.context.service.get_forecast, self.id, days,
                                        units.to_domain())
        return Forecast.from_domain(found)

    @strawberry.field(description="This station's alerts active in [start, end), by onset.")
    async def alerts(self, info: Info, start: datetime | None = None,
                     end: datetime | None = None, first: int | None = None,
                     after: str | None = None, last: int | None = None,
                     before: str | None = None) -> Connection[Alert]:
        size, token = page_request(first, after, last, before)
        page = await info.context.call(info.context.service.list_alerts, self.id, start, end,
                                       size, token)
        return Connection.from_domain(page, Alert.from_domain)
