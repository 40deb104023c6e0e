"""The root Query: lookups and listings mirroring the core's read use cases."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime

import strawberry

from services.graphql_api.context import Info
from services.graphql_api.types.alert import Alert
from services.graphql_api.types.connection import Connection, page_request
from services.graphql_api.types.observation import Observation, ObservationEvent
from services.graphql_api.types.station import Station
from services.graphql_api.types.units import UnitSystem


@strawberry.type
class Query:
    @strawberry.field(description="Every station, by id, paged (first/after or last/before).")
    async def stations(self, info: Info, first: int | None = None, after: str | None = None,
                       last: int | None = None,
                       before: str | None = None) -> Connection[Station]:
        size, token = page_request(first, after, last, before)
        page = await info.context.call(info.context.service.list_stations, size, token)
        return Connection.from_domain(page, Station.from_domain)

    @strawberry.field(description="One station (NOT_FOUND when there is none).")
    async def station(self, info: Info, id: str) -> Station | None:
        found = await info.context.read(info.context.service.get_station, id)
        return Station.from_domain(found)

    # Point reads: synchronous resolvers, answered inline when the store allows
    # (Context.point_read), else returning an awaitable, which graphql-core awaits.
    @strawberry.field(description="The newest observation of a station (NOT_FOUND when the "
                                  "station has none).", graphql_type=Observation | None)
    def latest_observation(self, info: Info, station_id: str, units: UnitSystem = UnitSystem.SI
                           ) -> Observation | Awaitable[Observation]:
        return info.context.point_read(Observation.from_domain,
                                       info.context.service.get_latest_observation,
                                       station_id, units.to_domain())

    @strawberry.field(description="The observation of a station at one instant.",
                      graphql_type=Observation | None)
    def observation(self, info: Info, station_id: str, observed_at: datetime,
                    units: UnitSystem = UnitSystem.SI) -> Observation | Awaitable[Observation]:
        return info.context.point_read(Observation.from_domain,
                                       info.context.service.get_observation, station_id,
                                       observed_at, units.to_domain())

    @strawberry.field(description="Alerts active in [start, end) (open-ended when omitted), "
                                  "of one station or all, ordered by onset.")
    async def alerts(self, info: Info, station_id: str | None = None,
                     start: datetime | None = None, end: datetime | None = None,
                     first: int | None = None, after: str | None = None,
                     last: int | None = None, before: str | None = None) -> Connection[Alert]:
        size, token = page_request(first, after, last, before)
        page = await info.context.call(info.context.service.list_alerts, station_id, start,
                                       end, size, token)
        return Connection.from_domain(page, Alert.from_domain)

    @strawberry.field(description="One alert by id, e.g. KJFK-WIND-20130131T1400Z.")
    async def alert(self, info: Info, id: str) -> Alert | None:
        found = await info.context.call(info.context.service.get_alert, id)
        return Alert.from_domain(found)

    @strawberry.field(description="The store's change sequence now: subscribe to "
                                  "observationRecorded with afterSequence set to it to miss "
                                  "nothing recorded from this moment on.")
    async def change_sequence(self, info: Info) -> int:
        return await info.context.read(info.context.service.current_sequence)

    @strawberry.field(description="Observations recorded after change `afterSequence`, oldest "
                                  "first (the polling form of observationRecorded).")
    async def observations_since(self, info: Info, after_sequence: int,
                                 station_ids: list[str] | None = None,
                                 units: UnitSystem = UnitSystem.SI,
                                 first: int | None = None) -> list[ObservationEvent]:
        found = await info.context.call(info.context.service.observations_since,
                                        after_sequence, station_ids, units.to_domain(), first)
        return [ObservationEvent.from_domain(r) for r in found]
