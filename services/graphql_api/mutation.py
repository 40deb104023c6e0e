"""The root Mutation: writes, each checked (key, input, version) by the core.

The caller's key comes from ``Authorization: Bearer <key>`` (see :mod:`.context`).
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from services.core.service import observation_name
from services.graphql_api.context import Info
from services.graphql_api.types.inputs import ObservationInput, StationInput
from services.graphql_api.types.writes import (
    Deleted,
    ImportSummary,
    ObservationWriteResult,
    StationWriteResult,
)


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Create or replace a station. With `ifMatch`, only if "
                                     "its current version is that one (FAILED_PRECONDITION).")
    async def put_station(self, info: Info, station: StationInput,
                          if_match: str | None = None) -> StationWriteResult:
        ctx = info.context
        result = await ctx.call(ctx.service.put_station, station.to_domain(),
                                credential=ctx.credential, if_match=if_match)
        return StationWriteResult.from_domain(result)

    @strawberry.mutation(description="Delete a station and all its observations.")
    async def delete_station(self, info: Info, id: str, if_match: str | None = None) -> Deleted:
        ctx = info.context
        await ctx.call(ctx.service.delete_station, id, credential=ctx.credential,
                       if_match=if_match)
        return Deleted(id=id)

    @strawberry.mutation(description="Create or replace the observation of a station at an "
                                     "instant (SI units).")
    async def put_observation(self, info: Info, observation: ObservationInput,
                              if_match: str | None = None) -> ObservationWriteResult:
        ctx = info.context
        result = await ctx.call(ctx.service.put_observation, observation.to_domain(),
                                credential=ctx.credential, if_match=if_match)
        return ObservationWriteResult.from_domain(result)

    @strawberry.mutation(description="Create or replace many observations: all of them, or "
                                     "none if any is invalid (violations name each one).")
    async def import_observations(self, info: Info,
                                  observations: list[ObservationInput]) -> ImportSummary:
        ctx = info.context
        summary = await ctx.call(ctx.service.import_observations,
                                 [o.to_domain() for o in observations],
                                 credential=ctx.credential)
        return ImportSummary.from_domain(summary)

    @strawberry.mutation(description="Delete the observation of a station at an instant.")
    async def delete_observation(self, info: Info, station_id: str, observed_at: datetime,
                                 if_match: str | None = None) -> Deleted:
        ctx = info.context
        await ctx.call(ctx.service.delete_observation, station_id, observed_at,
                       credential=ctx.credential, if_match=if_match)
        return Deleted(id=observation_name(station_id, observed_at))
