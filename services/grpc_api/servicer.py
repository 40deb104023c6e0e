"""The ``fourcast.weather.v1.WeatherService`` servicer: parse, call the core, render.

Each method turns its request into plain values (:mod:`services.grpc_api.messages`), calls one
use case of :class:`~services.core.service.WeatherService` and renders the result. Errors are
mapped once, by :func:`~services.grpc_api.errors.map_errors`; the caller's credential comes from
the interceptor (:data:`~services.grpc_api.auth.CREDENTIAL`).

The core is synchronous. Most calls run it off the event loop (``asyncio.to_thread``) so one
slow use case — a write waiting on the SQLite write lock, an import, a cold alerts cache, a long
listing — never stalls every other RPC. The three point reads (a station, an observation, the
latest observation) run inline: each is one indexed SQLite read that a WAL reader never waits
on, measured at ~28 µs for the whole method inline against ~100 µs through ``to_thread``, and
that hop is what kept GetLatestObservation under 80 % of a hello-world (``inline_point_reads=False``
puts them back in ``to_thread``; ``docs/grpc.md`` has the figures).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any, TypeVar

import grpc
from google.protobuf.empty_pb2 import Empty

from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core import validation
from services.core.domain import version_of
from services.core.errors import FieldViolation, InvalidArgument
from services.core.service import WeatherService
from services.core.watch import ObservationWatch
from services.grpc_api import messages as m
from services.grpc_api.auth import CREDENTIAL
from services.grpc_api.budgets import MAX_IMPORT_BYTES, Budgets, client_of
from services.grpc_api.errors import map_errors
from services.grpc_api.streams import Emit, OpenWatches, in_batches, merged, read_import

R = TypeVar("R")
WATCH_OPEN_METADATA = (("fourcast-watch", "open"),)
IMPORT_OPEN_METADATA = (("fourcast-import", "open"),)


async def run_inline(fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> R:
    return fn(*args, **kwargs)


@map_errors
class WeatherServicer(weather_pb2_grpc.WeatherServiceServicer):
    def __init__(self, service: WeatherService, inline_point_reads: bool = True,
                 budgets: Budgets | None = None) -> None:
        self.service = service
        self.watches = OpenWatches()
        self.budgets = budgets or Budgets()
        self._run: Callable[..., Any] = asyncio.to_thread
        self._point_read: Callable[..., Any] = (run_inline if inline_point_reads
                                                else asyncio.to_thread)

    # -- stations ---------------------------------------------------------------------------

    async def ListStations(self, request: pb.ListStationsRequest,
                           context: grpc.aio.ServicerContext) -> pb.ListStationsResponse:
        page = await self._run(self.service.list_stations, request.page_size or None,
                               request.page_token or None)
        return pb.ListStationsResponse(
            stations=[m.station_message(s, version_of(s)) for s in page.items],
            next_page_token=page.next_page_token or "",
            previous_page_token=page.prev_page_token or "")

    async def GetStation(self, request: pb.GetStationRequest,
                         context: grpc.aio.ServicerContext) -> pb.Station:
        station = await self._point_read(self.service.get_station,
                                         m.parse_station_name(request.name))
        return m.station_message(station, version_of(station))

    async def PutStation(self, request: pb.PutStationRequest,
                         context: grpc.aio.ServicerContext) -> pb.PutStationResponse:
        result = await self._run(functools.partial(
            self.service.put_station, m.parse_station(request.station),
            credential=CREDENTIAL.get(), if_match=_etag(request)))
        return pb.PutStationResponse(station=m.station_message(result.value, result.version),
                                     created=result.created, etag=result.version)

    async def DeleteStation(self, request: pb.DeleteStationRequest,
                            context: grpc.aio.ServicerContext) -> Empty:
        await self._run(functools.partial(
            self.service.delete_station, m.parse_station_name(request.name),
            credential=CREDENTIAL.get(), if_match=_etag(request)))
        return Empty()

    # -- observations -----------------------------------------------------------------------

    async def GetLatestObservation(self, request: pb.GetLatestObservationRequest,
                                   context: grpc.aio.ServicerContext) -> pb.Observation:
        obs = await self._point_read(self.service.get_latest_observation,
                                     m.parse_station_name(request.parent, "parent"),
                                     m.units_from_wire(request.units))
        return m.observation_message(obs)

    async def GetObservation(self, request: pb.GetObservationRequest,
                             context: grpc.aio.ServicerContext) -> pb.Observation:
        station_id, at = m.parse_observation_name(request.name)
        obs = await self._point_read(self.service.get_observation, station_id, at,
                                     m.units_from_wire(request.units))
        return m.observation_message(obs)

    async def ListObservations(self, request: pb.ListObservationsRequest,
                               context: grpc.aio.ServicerContext) -> pb.ListObservationsResponse:
        page = await self._run(
            self.service.list_observations, m.parse_station_name(request.parent, "parent"),
            m.optional_time(request, "start_time", "start"),
            m.optional_time(request, "end_time", "end"), request.page_size or None,
            request.page_token or None, m.units_from_wire(request.units))
        response = pb.ListObservationsResponse(next_page_token=page.next_page_token or "",
                                               previous_page_token=page.prev_page_token or "")
        for obs in page.items:
            m.fill_observation(response.observations.add(), obs)
        return response

    async def StreamObservations(self, request: pb.StreamObservationsRequest,
                                 context: grpc.aio.ServicerContext
                                 ) -> AsyncIterator[pb.Observation]:
        with self.budgets.live.acquire(client_of(context, CREDENTIAL.get(), self.service.keys,
                                                  self.budgets.proxy_hops)):
            observations = await self._run(
                self.service.iter_observations, m.parse_station_name(request.parent, "parent"),
                m.optional_time(request, "start_time", "start"),
                m.optional_time(request, "end_time", "end"), m.units_from_wire(request.units))
            async for obs in in_batches(observations):
                yield m.observation_message(obs)

    async def PutObservation(self, request: pb.PutObservationRequest,
                             context: grpc.aio.ServicerContext) -> pb.PutObservationResponse:
        result = await self._run(functools.partial(
            self.service.put_observation, m.parse_observation(request.observation),
            credential=CREDENTIAL.get(), if_match=_etag(request)))
        return pb.PutObservationResponse(observation=m.observation_message(result.value),
                                         created=result.created, etag=result.version)

    async def DeleteObservation(self, request: pb.DeleteObservationRequest,
                                context: grpc.aio.ServicerContext) -> Empty:
        station_id, at = m.parse_observation_name(request.name)
        await self._run(functools.partial(
            self.service.delete_observation, station_id, at, credential=CREDENTIAL.get(),
            if_match=_etag(request)))
        return Empty()

    async def ImportObservations(self, request_iterator: AsyncIterator[
                                     pb.ImportObservationsRequest],
                                 context: grpc.aio.ServicerContext
                                 ) -> pb.ImportObservationsResponse:
        credential = CREDENTIAL.get()
        # The core's key check first, so only a writer's stream is read (and budgeted).
        self.service.keys.require_writer(credential)
        with self.budgets.imports.acquire(client_of(context, credential, self.service.keys,
                                                     self.budgets.proxy_hops)):
            await context.send_initial_metadata(IMPORT_OPEN_METADATA)
            # Read whole on the event loop: a stalled client holds no thread.
            requests = await read_import(request_iterator, MAX_IMPORT_BYTES,
                                         lambda r: r.HasField("observation"),
                                         validation.check_import_size)
            summary = await asyncio.to_thread(functools.partial(
                self.service.import_observations, _finished_import(iter(requests)),
                credential=credential))
        return m.import_summary_message(summary)

    # -- derived data -----------------------------------------------------------------------

    async def ListDailySummaries(self, request: pb.ListDailySummariesRequest,
                                 context: grpc.aio.ServicerContext
                                 ) -> pb.ListDailySummariesResponse:
        days = await self._run(
            self.service.daily_summaries, m.parse_station_name(request.parent, "parent"),
            m.optional_date(request, "start_date"), m.optional_date(request, "end_date"),
            m.units_from_wire(request.units))
        return pb.ListDailySummariesResponse(
            daily_summaries=[m.daily_summary_message(d) for d in days])

    async def GetForecast(self, request: pb.GetForecastRequest,
                          context: grpc.aio.ServicerContext) -> pb.Forecast:
        forecast = await self._run(
            self.service.get_forecast, m.parse_forecast_name(request.name),
            request.days if request.HasField("days") else None,
            m.units_from_wire(request.units))
        return m.forecast_message(forecast)

    async def ListAlerts(self, request: pb.ListAlertsRequest,
                         context: grpc.aio.ServicerContext) -> pb.ListAlertsResponse:
        station_id = (None if request.parent in ("", m.ALL_STATIONS)
                      else m.parse_station_name(request.parent, "parent"))
        page = await self._run(
            self.service.list_alerts, station_id, m.optional_time(request, "start_time", "start"),
            m.optional_time(request, "end_time", "end"), request.page_size or None,
            request.page_token or None)
        return pb.ListAlertsResponse(alerts=[m.alert_message(a) for a in page.items],
                                     next_page_token=page.next_page_token or "",
                                     previous_page_token=page.prev_page_token or "")

    async def GetAlert(self, request: pb.GetAlertRequest,
                       context: grpc.aio.ServicerContext) -> pb.Alert:
        alert = await self._run(self.service.get_alert, m.parse_alert_name(request.name))
        return m.alert_message(alert)

    # -- live data --------------------------------------------------------------------------

    async def WatchObservations(self, request: pb.WatchObservationsRequest,
                                context: grpc.aio.ServicerContext
                                ) -> AsyncIterator[pb.RecordedObservation]:
        with self.budgets.live.acquire(client_of(context, CREDENTIAL.get(), self.service.keys,
                                                  self.budgets.proxy_hops)):
            watch = await self._run(
                self.service.watch, m.parse_station_names(request.stations),
                m.units_from_wire(request.units),
                request.after_sequence if request.HasField("after_sequence") else None)
            with self.watches.opened(watch):
                # The watch's cursor is set: from here on nothing recorded is missed, and the
                # initial metadata tells the client so.
                await context.send_initial_metadata(WATCH_OPEN_METADATA)
                async for recorded in watch.aiter():
                    yield m.recorded_message(recorded)

    async def SubscribeObservations(self, request_iterator: AsyncIterator[
                                        pb.SubscribeObservationsRequest],
                                    context: grpc.aio.ServicerContext
                                    ) -> AsyncIterator[pb.SubscribeObservationsResponse]:
        with self.budgets.live.acquire(client_of(context, CREDENTIAL.get(), self.service.keys,
                                                  self.budgets.proxy_hops)):
            first = await anext(request_iterator, None)
            if first is None:
                return
            watch = await self._run(self.service.subscription, m.units_from_wire(first.units))
            with self.watches.opened(watch):
                await context.send_initial_metadata(WATCH_OPEN_METADATA)
                async for response in merged(self._subscription_changes(watch, first,
                                                                        request_iterator),
                                             _deliveries(watch)):
                    yield response

    def _subscription_changes(self, watch: ObservationWatch,
                              first: pb.SubscribeObservationsRequest,
                              requests: AsyncIterator[pb.SubscribeObservationsRequest],
                              ) -> Callable[[Emit], Awaitable[None]]:
        """Apply each request in order and acknowledge it with the resulting subscription.
        Only a station not yet subscribed costs a store read (to check it exists), through
        the budget's bounded store calls: re-subscribing one station over and over, or
        unsubscribing, is answered on the loop and queues no thread work."""
        async def apply(emit: Emit) -> None:
            request: pb.SubscribeObservationsRequest | None = first
            while request is not None:
                change = request.WhichOneof("change")
                if change is not None:
                    names = getattr(request, change).stations
                    validation.check_station_count(len(names))  # the core's cap, as sent
                    ids = [m.parse_station_name(n, f"{change}.stations")
                           for n in dict.fromkeys(names)]
                    current = watch.station_ids or frozenset()
                    if change == "unsubscribe":
                        watch.unsubscribe(ids)
                    elif not current.issuperset(ids):
                        await self.budgets.store_call(
                            watch.subscribe, [i for i in ids if i not in current])
                await emit(pb.SubscribeObservationsResponse(subscription=pb.StationList(
                    stations=[m.station_name(s) for s in sorted(watch.station_ids or ())])))
                request = await anext(requests, None)
        return apply


def _deliveries(watch: ObservationWatch) -> Callable[[Emit], Awaitable[None]]:
    async def deliver(emit: Emit) -> None:
        async for recorded in watch.aiter():
            await emit(pb.SubscribeObservationsResponse(observation=m.recorded_message(recorded)))
    return deliver


def _etag(request: Any) -> str | None:
    return request.etag if request.HasField("etag") else None


def _finished_import(requests: Iterator[pb.ImportObservationsRequest]) -> Iterator[Any]:
    """The observations of an import stream, which must end with ``finish_import``: without
    it the stream was abandoned (grpc.aio cannot tell a cancel from a half-close), and
    raising here, inside the core's loop, keeps the core from writing any of it."""
    index = 0
    finished = False
    for request in requests:
        if finished:
            raise InvalidArgument.single("finish_import", "must be set on the last request only")
        if request.HasField("observation"):
            yield _import_item(index, request.observation)
            index += 1
        finished = request.finish_import
    if not finished:
        raise InvalidArgument.single(
            "finish_import", "the last request must set it; the import was abandoned")


def _import_item(index: int, observation: pb.Observation) -> Any:
    try:
        return m.parse_observation(observation)
    except InvalidArgument as error:  # a malformed name: say which item, like the core does
        raise InvalidArgument([FieldViolation(f"observations[{index}].{v.field}",
                                              v.description) for v in error.violations]
                              ) from None
