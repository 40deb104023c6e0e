"""The root Subscription: observations as they are recorded, over ``graphql-transport-ws``.

A subscription holds a watch for as long as the client keeps it, so subscriptions have a
budget (``services.core.budget``): at most :data:`MAX_SUBSCRIPTIONS` open in the server
process and :data:`MAX_SUBSCRIPTIONS_PER_CLIENT` for one client (its API key, else its
address); ``FOURCAST_MAX_STREAMS`` and ``FOURCAST_MAX_STREAMS_PER_CLIENT`` change them. One
websocket carries at most :data:`MAX_SUBSCRIPTIONS_PER_CONNECTION` operations at once. Past any
of these the new subscription gets an ``error`` message with ``RESOURCE_EXHAUSTED``; the others,
and every query, go on being served.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from starlette.websockets import WebSocketDisconnected as StarletteDisconnected
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from services.core.errors import TooManyStreams
from services.graphql_api.context import Info
from services.graphql_api.errors import contract_error
from services.graphql_api.types.observation import ObservationEvent
from services.graphql_api.types.units import UnitSystem

MAX_SUBSCRIPTIONS = 256
MAX_SUBSCRIPTIONS_PER_CLIENT = 32
MAX_SUBSCRIPTIONS_PER_CONNECTION = 16


class LimitedTransportWS(BaseGraphQLTransportWSHandler[Any, None]):
    """Strawberry's graphql-transport-ws handler, whose per-connection limit answers with the
    contract's code (Strawberry's own refusal carries none)."""

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        limit = self.max_subscriptions_per_connection
        if (self.connection_acknowledged and limit is not None
                and message["id"] not in self.operations and len(self.operations) >= limit):
            refusal = TooManyStreams(f"this connection has {limit} operations open, its "
                                     "limit; complete one first", per_client=True)
            await self.send_message({"id": message["id"], "type": "error",
                                     "payload": [contract_error(refusal).formatted]})
            return
        await super().handle_subscribe(message)

    async def handle_task_exception(self, error: Exception) -> None:
        """An operation still sending when the socket has closed (the protocol's 4409 for a
        duplicate id, or the client gone) has nobody to send to: expected, not a failure
        worth a traceback. Anything else is logged, as Strawberry does."""
        if isinstance(error, WebSocketDisconnected | StarletteDisconnected):
            return
        await super().handle_task_exception(error)


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
            lease = ctx.streams.acquire(ctx.client)
        except TooManyStreams as error:
            raise contract_error(error) from None
        with lease:
            try:
                watch = await ctx.call(ctx.service.watch, station_ids, units.to_domain(),
                                       after_sequence)
            except Exception as error:
                raise contract_error(error) from None
            try:
                # Ends when the client completes or disconnects: the server cancels this
                # task, which ends the watch (and frees the lease).
                async for recorded in watch.aiter():
                    yield ObservationEvent.from_domain(recorded)
            except Exception as error:
                raise contract_error(error) from None
            finally:
                watch.close()
