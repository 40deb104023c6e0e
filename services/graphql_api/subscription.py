"""The root Subscription: observations as they are recorded, over ``graphql-transport-ws``."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from services.graphql_api.context import Info
from services.graphql_api.errors import contract_error
from services.graphql_api.types.observation import ObservationEvent
from services.graphql_api.types.units import UnitSystem


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Observations of these stations as they are "
                                         "recorded (by any process). With `afterSequence` "
                                         "(from changeSequence, or the last event's "
                                         "`sequence`), nothing recorded after it is missed.")
    async def observation_recorded(self, info: Info, station_ids: list[str],
                                   units: UnitSystem = UnitSystem.SI,
                                   after_sequence: int | None = None
                                   ) -> AsyncGenerator[ObservationEvent, None]:
        ctx = info.context
        try:
            watch = await ctx.call(ctx.service.watch, station_ids, units.to_domain(),
                                   after_sequence)
        except Exception as error:
            raise contract_error(error) from None
        try:
            # Ends when the client completes or disconnects: the server cancels this task,
            # which cancels the watch's poll sleep; the store is polled in a worker thread.
            async for recorded in watch.aiter():
                yield ObservationEvent.from_domain(recorded)
        except Exception as error:
            raise contract_error(error) from None
        finally:
            watch.close()
