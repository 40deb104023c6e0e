"""The gRPC client: :class:`~clients.base.WeatherClient` over the generated stubs.

One channel per client, reused by every call (HTTP/2 multiplexes them); one small method per
RPC; writes carry ``authorization: Bearer <key>``. Status codes and their ``google.rpc`` details
map back to the core's errors in :func:`core_error`, the one place, by ``docs/errors.md``.
Messages convert with :mod:`services.grpc_api.messages`, the module the server uses.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Self

import grpc
from google.rpc import error_details_pb2, status_pb2

from clients.base import ObservationWatcher, QueuedWatcher, WeatherClient
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core import validation
from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ImportSummary,
    Observation,
    Page,
    Station,
    WriteResult,
)
from services.core.errors import (
    FieldViolation,
    FourcastError,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    StoreFull,
    TooManyStreams,
    error_class_for_code,
)
from services.core.units import Units
from services.grpc_api import messages as m

CALL_TIMEOUT = 30.0  # seconds: every unary call has a deadline
STREAM_TIMEOUT = 600.0  # seconds: a whole-range stream or an import (a watch has none)
_DETAILS_KEY = "grpc-status-details-bin"


def _rich_details(error: grpc.Call) -> list[Any]:
    """The google.rpc detail messages of a failed call (those this client knows)."""
    found: list[Any] = []
    for key, value in error.trailing_metadata() or ():
        if key != _DETAILS_KEY:
            continue
        for packed in status_pb2.Status.FromString(value).details:
            for kind in (error_details_pb2.ResourceInfo, error_details_pb2.BadRequest,
                         error_details_pb2.QuotaFailure, error_details_pb2.RetryInfo):
                if packed.Is(kind.DESCRIPTOR):
                    detail = kind()
                    packed.Unpack(detail)
                    found.append(detail)
    return found


def core_error(error: grpc.RpcError) -> Exception:
    """The core error a failed call stands for. A deadline that passed or a server that cannot
    be reached is no error of the API: those are the builtin TimeoutError and ConnectionError,
    as with the other clients' HTTP libraries."""
    call: Any = error
    code = call.code()
    message = call.details() or code.name
    if code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return TimeoutError(message)
    if code is grpc.StatusCode.UNAVAILABLE:
        return ConnectionError(message)
    details = _rich_details(call)
    cls = error_class_for_code(code.name)
    if cls is NotFound:
        info = next((d for d in details if isinstance(d, error_details_pb2.ResourceInfo)), None)
        return NotFound(info.resource_type if info else "resource",
                        info.resource_name if info else "", message)
    if cls is InvalidArgument:
        bad = next((d for d in details if isinstance(d, error_details_pb2.BadRequest)), None)
        violations = [FieldViolation(v.field, v.description)
                      for v in (bad.field_violations if bad else ())]
        return InvalidArgument(violations or [FieldViolation("request", message)], message)
    if cls is ResourceExhausted:
        return _exhausted(message, details)
    return cls(message)


def _exhausted(message: str, details: list[Any]) -> ResourceExhausted:
    """A stream budget (its QuotaFailure subject names whose, RetryInfo when to retry) or a
    full store is the core's own subclass again."""
    quota = next((d for d in details if isinstance(d, error_details_pb2.QuotaFailure)), None)
    subject = quota.violations[0].subject if quota and quota.violations else ""
    retry = next((d for d in details if isinstance(d, error_details_pb2.RetryInfo)), None)
    if subject in ("client", "server") and retry is not None:
        return TooManyStreams(message, per_client=subject == "client",
                              retry_after=retry.retry_delay.ToTimedelta().total_seconds())
    if subject == "store":
        return StoreFull(message)
    return ResourceExhausted(message)


def _time(at: datetime | None, field: str) -> dict[str, Any]:
    return {} if at is None else {field: m.timestamp(at, field.removesuffix("_time"))}


def _range(start: datetime | None, end: datetime | None, *,
           derived: bool = False) -> dict[str, Any]:
    """``start_time`` and ``end_time``. A naive datetime names no instant (nor does an offset
    past ±14:00, for the core), so the server never sees it: the client gives the core's own
    verdict on the pair instead (its check_timestamp, every violation at once). Where the core
    fills a missing bound of an observation range from the other (``derived``), such a bound
    makes both so, and both are named, as the other protocols' servers name them."""
    if any(t is not None and not validation.is_instant(t) for t in (start, end)):
        v = validation.Violations()
        for field, value, other in (("start", start, end), ("end", end, start)):
            if value is not None or derived:
                validation.check_timestamp(value if value is not None else other, field, v)
        v.raise_if_any()
    return {**_time(start, "start_time"), **_time(end, "end_time")}


def _date(day: date | None, field: str) -> dict[str, Any]:
    return {} if day is None else {field: m.date_message(day)}


def _etag(if_match: str | None) -> dict[str, Any]:
    return {} if if_match is None else {"etag": if_match}


class _Watcher(QueuedWatcher):
    """Reads a response stream in a thread so :meth:`next` can wait with a timeout."""

    def __init__(self, call: Any) -> None:
        super().__init__()
        self._call = call
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True,
                                        name="grpc-watch-reader")
        self._reader.start()

    def _read(self) -> None:
        try:
            for recorded in self._call:
                self._items.put(m.parse_observation(recorded.observation))
        except grpc.RpcError as error:
            if not self._closed:
                self._items.put(core_error(error))
                return
        self._items.put(EOFError("the watch has ended"))

    def close(self) -> None:
        self._closed = True
        self._call.cancel()
        self._reader.join()


class GrpcClient(WeatherClient):
    protocol: ClassVar[str] = "grpc"

    def __init__(self, channel: grpc.Channel, api_key: str | None = None) -> None:
        self._channel = channel
        self._stub = weather_pb2_grpc.WeatherServiceStub(channel)
        self._auth = (("authorization", f"Bearer {api_key}"),) if api_key else ()

    @classmethod
    def connect(cls, host: str, port: int, api_key: str | None = None) -> Self:
        return cls(grpc.insecure_channel(f"{host}:{port}"), api_key)

    def close(self) -> None:
        self._channel.close()

    def _call(self, method: Any, request: Any) -> Any:
        try:
            return method(request, timeout=CALL_TIMEOUT, metadata=self._auth)
        except grpc.RpcError as error:
            raise core_error(error) from None

    # -- stations ---------------------------------------------------------------------------

    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> Page[Station]:
        reply = self._call(self._stub.ListStations, pb.ListStationsRequest(
            page_size=page_size or 0, page_token=page_token or ""))
        return Page(tuple(m.parse_station(s) for s in reply.stations),
                    reply.next_page_token or None, reply.previous_page_token or None)

    def get_station(self, station_id: str) -> Station:
        return m.parse_station(self._call(self._stub.GetStation, pb.GetStationRequest(
            name=m.station_name(station_id))))

    def put_station(self, station: Station, if_match: str | None = None) -> WriteResult[Station]:
        reply = self._call(self._stub.PutStation, pb.PutStationRequest(
            station=m.station_message(station), **_etag(if_match)))
        return WriteResult(m.parse_station(reply.station), reply.created, reply.etag)

    def delete_station(self, station_id: str, if_match: str | None = None) -> None:
        self._call(self._stub.DeleteStation, pb.DeleteStationRequest(
            name=m.station_name(station_id), **_etag(if_match)))

    # -- observations -----------------------------------------------------------------------

    def get_latest_observation(self, station_id: str, units: Units = Units.SI) -> Observation:
        return m.parse_observation(self._call(
            self._stub.GetLatestObservation, pb.GetLatestObservationRequest(
                parent=m.station_name(station_id), units=m.units_to_wire(units))))

    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units = Units.SI) -> Observation:
        return m.parse_observation(self._call(self._stub.GetObservation, pb.GetObservationRequest(
            name=m.observation_resource(station_id, observed_at), units=m.units_to_wire(units))))

    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units = Units.SI) -> Page[Observation]:
        reply = self._call(self._stub.ListObservations, pb.ListObservationsRequest(
            parent=m.station_name(station_id), page_size=page_size or 0,
            page_token=page_token or "", units=m.units_to_wire(units),
            **_range(start, end, derived=True)))
        return Page(tuple(m.parse_observation(o) for o in reply.observations),
                    reply.next_page_token or None, reply.previous_page_token or None)

    def stream_observations(self, station_id: str, start: datetime | None = None,
                            end: datetime | None = None,
                            units: Units = Units.SI) -> Iterator[Observation]:
        """Every observation in [start, end) as the server reads them (no paging)."""
        call = self._stub.StreamObservations(pb.StreamObservationsRequest(
            parent=m.station_name(station_id), units=m.units_to_wire(units),
            **_range(start, end, derived=True)), timeout=STREAM_TIMEOUT)
        try:
            for message in call:
                yield m.parse_observation(message)
        except grpc.RpcError as error:
            raise core_error(error) from None
        finally:
            call.cancel()

    def put_observation(self, observation: Observation,
                        if_match: str | None = None) -> WriteResult[Observation]:
        reply = self._call(self._stub.PutObservation, pb.PutObservationRequest(
            observation=_observation_to_write(observation), **_etag(if_match)))
        return WriteResult(m.parse_observation(reply.observation), reply.created, reply.etag)

    def import_observations(self, observations: Iterable[Observation]) -> ImportSummary:
        """Streams the observations as it reads them; the server writes all or none."""
        failed: list[FourcastError] = []

        def requests() -> Iterator[pb.ImportObservationsRequest]:
            for index, obs in enumerate(observations):
                try:
                    message = _observation_to_write(obs, f"observations[{index}].")
                except FourcastError as error:
                    failed.append(error)
                    raise  # grpc cancels the call: the server writes nothing
                yield pb.ImportObservationsRequest(observation=message)
            yield pb.ImportObservationsRequest(finish_import=True)  # now the server writes

        try:
            reply = self._stub.ImportObservations(requests(), metadata=self._auth,
                                                  timeout=STREAM_TIMEOUT)
        except grpc.RpcError as error:
            raise failed[0] if failed else core_error(error) from None
        return m.parse_import_summary(reply)

    def delete_observation(self, station_id: str, observed_at: datetime,
                           if_match: str | None = None) -> None:
        self._call(self._stub.DeleteObservation, pb.DeleteObservationRequest(
            name=m.observation_resource(station_id, observed_at), **_etag(if_match)))

    # -- derived data -----------------------------------------------------------------------

    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None, units: Units = Units.SI) -> list[DailySummary]:
        reply = self._call(self._stub.ListDailySummaries, pb.ListDailySummariesRequest(
            parent=m.station_name(station_id), units=m.units_to_wire(units),
            **_date(start, "start_date"), **_date(end, "end_date")))
        return [m.parse_daily_summary(d) for d in reply.daily_summaries]

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units = Units.SI) -> Forecast:
        request = pb.GetForecastRequest(name=f"stations/{station_id}/forecast",
                                        units=m.units_to_wire(units))
        if days is not None:
            request.days = days
        return m.parse_forecast(self._call(self._stub.GetForecast, request))

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]:
        reply = self._call(self._stub.ListAlerts, pb.ListAlertsRequest(
            parent=m.station_name(station_id) if station_id is not None else m.ALL_STATIONS,
            page_size=page_size or 0, page_token=page_token or "", **_range(start, end)))
        return Page(tuple(m.parse_alert(a) for a in reply.alerts),
                    reply.next_page_token or None, reply.previous_page_token or None)

    def get_alert(self, alert_id: str) -> Alert:
        return m.parse_alert(self._call(self._stub.GetAlert,
                                        pb.GetAlertRequest(name=f"alerts/{alert_id}")))

    # -- live data --------------------------------------------------------------------------

    def watch_observations(self, station_ids: Sequence[str],
                           units: Units = Units.SI) -> ObservationWatcher:
        """Returns once the server has opened the watch (its initial metadata says so)."""
        call: Any = self._stub.WatchObservations(pb.WatchObservationsRequest(
            stations=[m.station_name(s) for s in station_ids], units=m.units_to_wire(units)),
            metadata=self._auth)
        try:
            opened = dict(call.initial_metadata() or ()).get("fourcast-watch") == "open"
            if not opened:
                call.code()  # the server refused: wait for the status, which raises below
                raise core_error(call)
        except grpc.RpcError as error:
            raise core_error(error) from None
        return _Watcher(call)


def _observation_to_write(obs: Observation, prefix: str = "") -> pb.Observation:
    if not validation.is_instant(obs.observed_at):
        # A naive time cannot be a Timestamp: the core's verdict on the whole observation,
        # so every violation is named, as the servers of the other protocols name them.
        validation.check_observation(obs, prefix)
    return m.observation_message(obs)
