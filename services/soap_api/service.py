"""The Fourcast SOAP service: one operation per core use case, documented in the WSDL.

Each operation only unpacks its parameters, calls :class:`~services.core.service.WeatherService`
and packs the result; :meth:`FourcastSoapService.call_wrapper` turns every error into a fault
(through :mod:`services.soap_api.faults`, the one mapping). Writes read the API key from the
WS-Security ``UsernameToken`` header (:func:`services.soap_api.security.credential`).

SOAP has no standard push, so there is no live watch here: ``GetObservationsSince`` is the
polling operation an integrator calls instead, with the last ``sequence`` it saw.
"""

from __future__ import annotations

from typing import Any

from spyne import Array, Date, DateTime, Fault, Integer, ServiceBase, Unicode, rpc

from services.core.dry_run import DryRunReached
from services.core.errors import FourcastError
from services.core.service import WeatherService
from services.core.validation import MAX_FORECAST_DAYS
from services.soap_api import convert
from services.soap_api import xsd_types as xsd
from services.soap_api.fault_types import CONDITIONAL_WRITE_FAULTS, READ_FAULTS, WRITE_FAULTS
from services.soap_api.faults import held_schema_fault, to_fault, unexpected_fault
from services.soap_api.security import credential
from services.soap_api.xsd_types import optional, required

# The operations that need the WS-Security credential (the core's writes).
WRITE_OPERATIONS = frozenset({"PutStation", "DeleteStation", "PutObservation",
                              "ImportObservations", "DeleteObservation"})


def _core(ctx: Any) -> WeatherService:
    """The core; validate-only while the request's schema fault is held (see app.py)."""
    service: WeatherService = ctx.app.weather
    return service if held_schema_fault(ctx) is None else service.validate_only()


def _text(value: Any) -> str | None:
    """Spyne hands enumeration values over as ``EnumValue`` objects: the core takes text."""
    return None if value is None else str(value)


def _key(ctx: Any) -> str | None:
    return credential(ctx.in_header_doc)


class FourcastSoapService(ServiceBase):
    """Fourcast weather data: stations, observations, daily summaries, forecasts and alerts.

    Writes (Put*, Delete*, ImportObservations) need a WS-Security 1.0 UsernameToken header
    whose Password (PasswordText) is an API key. Faults: Client.NotFound,
    Client.InvalidArgument (detail: violations), Client.FailedPrecondition,
    Client.Unauthenticated, Client.PermissionDenied, Client.ResourceExhausted, Server.Internal.
    SOAP has no push: poll GetObservationsSince instead of watching.
    """

    @classmethod
    def call_wrapper(cls, ctx: Any, args: Any = None) -> Any:
        try:
            result = super().call_wrapper(ctx, args)
        except FourcastError as error:
            raise to_fault(error) from None
        except DryRunReached:  # validate-only: the core found nothing wrong
            result = None
        except Fault:
            raise
        except Exception as error:
            raise unexpected_fault(error) from None
        held = held_schema_fault(ctx)
        if held is not None:  # the body broke the schema, and the core had nothing to add
            raise held
        return result

    # -- stations ---------------------------------------------------------------------------

    @rpc(optional(xsd.PageSize), optional(Unicode), _returns=xsd.StationPage, _throws=READ_FAULTS)
    def ListStations(ctx, pageSize, pageToken):
        """One page of stations ordered by id (pageSize 1..500; absent or 0: 50); pass
        nextPageToken or prevPageToken back as pageToken to move between pages."""
        page = _core(ctx).list_stations(pageSize, pageToken)
        return convert.page_out(xsd.StationPage, "stations", page, convert.station_out)

    @rpc(required(xsd.StationId), _returns=xsd.Station, _throws=READ_FAULTS)
    def GetStation(ctx, stationId):
        """The station with this id. Fault Client.NotFound if there is none."""
        return convert.station_out(_core(ctx).get_station(stationId))

    @rpc(required(xsd.Station), optional(Unicode), _returns=xsd.StationWriteResult,
         _throws=CONDITIONAL_WRITE_FAULTS)
    def PutStation(ctx, station, ifMatch):
        """Create or replace a station (idempotent; needs the WS-Security header). With
        ifMatch (a version from an earlier write, or *), a changed station is
        Client.FailedPrecondition."""
        result = _core(ctx).put_station(convert.station_in(station), credential=_key(ctx),
                                        if_match=ifMatch)
        return convert.write_out(xsd.StationWriteResult, "station", result, convert.station_out)

    @rpc(required(xsd.StationId), optional(Unicode), _throws=CONDITIONAL_WRITE_FAULTS)
    def DeleteStation(ctx, stationId, ifMatch):
        """Delete a station and all its observations (needs the WS-Security header)."""
        _core(ctx).delete_station(stationId, credential=_key(ctx), if_match=ifMatch)

    # -- observations -----------------------------------------------------------------------

    @rpc(required(xsd.StationId), optional(xsd.Units), _returns=xsd.Observation,
         _throws=READ_FAULTS)
    def GetLatestObservation(ctx, stationId, units):
        """The station's most recent observation in units si (default) or us."""
        return convert.observation_out(_core(ctx).get_latest_observation(stationId, _text(units)))

    @rpc(required(xsd.StationId), required(DateTime), optional(xsd.Units), _returns=xsd.Observation,
         _throws=READ_FAULTS)
    def GetObservation(ctx, stationId, observedAt, units):
        """The station's observation at exactly observedAt (with a time zone)."""
        return convert.observation_out(
            _core(ctx).get_observation(stationId, observedAt, _text(units)))

    @rpc(required(xsd.StationId), optional(DateTime), optional(DateTime),
         optional(xsd.PageSize), optional(Unicode), optional(xsd.Units),
         _returns=xsd.ObservationPage, _throws=READ_FAULTS)
    def ListObservations(ctx, stationId, start, end, pageSize, pageToken, units):
        """Observations in [start, end) oldest first, paged (range at most 366 days;
        default: the last day of the station's data)."""
        page = _core(ctx).list_observations(stationId, start, end, pageSize, pageToken,
                                            _text(units))
        return convert.page_out(xsd.ObservationPage, "observations", page,
                                convert.observation_out)

    @rpc(required(xsd.ObservationInput), optional(Unicode), _returns=xsd.ObservationWriteResult,
         _throws=CONDITIONAL_WRITE_FAULTS)
    def PutObservation(ctx, observation, ifMatch):
        """Create or replace the observation of a station at an instant, in SI units
        (idempotent; needs the WS-Security header). Omit (or nil) what was not measured."""
        result = _core(ctx).put_observation(convert.observation_in(observation),
                                            credential=_key(ctx), if_match=ifMatch)
        return convert.write_out(xsd.ObservationWriteResult, "observation", result,
                                 convert.observation_out)

    @rpc(required(Array(xsd.ObservationInput)), _returns=xsd.ImportSummary, _throws=WRITE_FAULTS)
    def ImportObservations(ctx, observations):
        """Create or replace many observations at once, all or nothing: one invalid,
        duplicated or unknown-station observation and none is stored (needs the WS-Security
        header; at most 50,000, else Client.ResourceExhausted)."""
        summary = _core(ctx).import_observations(
            (convert.observation_in(o) for o in observations or ()), credential=_key(ctx))
        return convert.import_out(summary)

    @rpc(required(xsd.StationId), required(DateTime), optional(Unicode),
         _throws=CONDITIONAL_WRITE_FAULTS)
    def DeleteObservation(ctx, stationId, observedAt, ifMatch):
        """Delete one observation (needs the WS-Security header)."""
        _core(ctx).delete_observation(stationId, observedAt, credential=_key(ctx),
                                      if_match=ifMatch)

    # -- polling (SOAP has no push) -----------------------------------------------------------

    @rpc(_returns=Integer, _throws=READ_FAULTS)
    def GetCurrentSequence(ctx):
        """The store's change sequence now: poll GetObservationsSince from here to see only
        observations recorded later."""
        return _core(ctx).current_sequence()

    @rpc(required(Integer(ge=0)), optional(Array(xsd.StationId)), optional(xsd.Units),
         optional(xsd.PageSize), _returns=Array(xsd.RecordedObservation), _throws=READ_FAULTS)
    def GetObservationsSince(ctx, sequence, stationIds, units, limit):
        """Observations recorded after change sequence (oldest first, at most limit,
        default 50), optionally of some stations only. SOAP has no push: this polling
        operation replaces a live watch; call it again with the last sequence you saw."""
        found = _core(ctx).observations_since(sequence, stationIds, _text(units), limit)
        return [convert.recorded_out(r) for r in found]

    # -- summaries, forecast, alerts ----------------------------------------------------------

    @rpc(required(xsd.StationId), optional(Date), optional(Date), optional(xsd.Units),
         _returns=Array(xsd.DailySummary), _throws=READ_FAULTS)
    def ListDailySummaries(ctx, stationId, start, end, units):
        """One summary per local date in [start, end] (inclusive, at most 366 days) that has
        observations; default: the station's last seven days of data."""
        summaries = _core(ctx).daily_summaries(stationId, start, end, _text(units))
        return [convert.summary_out(s) for s in summaries]

    @rpc(required(xsd.StationId), optional(Integer(ge=1, le=MAX_FORECAST_DAYS)),
         optional(xsd.Units), _returns=xsd.Forecast, _throws=READ_FAULTS)
    def GetForecast(ctx, stationId, days, units):
        """A demonstration climatological forecast of 1..7 local days (default 7)."""
        return convert.forecast_out(_core(ctx).get_forecast(stationId, days, _text(units)))

    @rpc(optional(xsd.StationId), optional(DateTime), optional(DateTime), optional(xsd.PageSize),
         optional(Unicode), _returns=xsd.AlertPage, _throws=READ_FAULTS)
    def ListAlerts(ctx, stationId, start, end, pageSize, pageToken):
        """Alerts active at any time in [start, end) (open-ended when omitted), optionally
        of one station, ordered by onset, paged."""
        page = _core(ctx).list_alerts(stationId, start, end, pageSize, pageToken)
        return convert.page_out(xsd.AlertPage, "alerts", page, convert.alert_out)

    @rpc(required(Unicode), _returns=xsd.Alert, _throws=READ_FAULTS)
    def GetAlert(ctx, alertId):
        """The alert with this id (like KJFK-WIND-20130131T1400Z)."""
        return convert.alert_out(_core(ctx).get_alert(alertId))
