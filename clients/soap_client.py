"""The SOAP client: zeep, built from the served WSDL alone.

Every call goes through zeep's generated proxy (``client.service.GetStation(...)``); results
come back as core domain objects and faults as core errors (the reverse of
``services/soap_api/faults.py``, by the table in ``docs/errors.md``). The API key travels in a
WS-Security ``UsernameToken`` header (PasswordText) with a fresh ``Nonce`` and ``Created`` per
message, so the server can refuse a replayed one. SOAP has no push: ``watch_observations``
is not available, and :meth:`SoapClient.observations_since` polls instead.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, ClassVar, Self

import requests
import zeep
from zeep.exceptions import Fault
from zeep.transports import Transport
from zeep.wsse import utils as wsse_utils
from zeep.wsse.username import UsernameToken

from clients.base import ObservationWatcher, WeatherClient
from services.core import domain, validation
from services.core.errors import (
    FailedPrecondition,
    FieldViolation,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    StoreFull,
    Unauthenticated,
)
from services.core.units import MEASUREMENTS, Units

TNS = "urn:fourcast:weather:v1"
IMPORT_TIMEOUT = 600.0  # seconds: a 50,000-observation import takes tens of seconds to store
_SIMPLE_ERRORS: dict[str, Callable[[str], FourcastError]] = {
    "Client.FailedPrecondition": FailedPrecondition,
    "Client.Unauthenticated": Unauthenticated,
    "Client.PermissionDenied": PermissionDenied,
    "Client.ResourceExhausted": ResourceExhausted,
    "Server.ResourceExhausted": StoreFull,
    "Server.Internal": Internal,
}


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _text(detail: Any, path: str) -> str:
    found = detail.find(path, {"f": TNS}) if detail is not None else None
    return (found.text or "") if found is not None else ""


def error_of(fault: Fault) -> FourcastError:
    """The core error a SOAP fault stands for (unknown client faults are InvalidArgument)."""
    code = str(fault.code or "").rpartition(":")[2]
    message = str(fault.message or "")
    detail = fault.detail
    if code == "Client.NotFound":
        return NotFound(_text(detail, "f:resource/f:type"), _text(detail, "f:resource/f:name"),
                        message)
    if code == "Client.InvalidArgument" or (code.startswith("Client") and
                                            code not in _SIMPLE_ERRORS):
        items = detail.findall("f:violations/f:violation", {"f": TNS}) \
            if detail is not None else []
        violations = [FieldViolation(_text(v, "f:field"), _text(v, "f:description"))
                      for v in items]
        return InvalidArgument(violations or [FieldViolation("body", message)], message)
    return _SIMPLE_ERRORS.get(code, Internal)(message)


class FreshUsernameToken(UsernameToken):  # type: ignore[misc]
    """A PasswordText UsernameToken with a new ``Nonce`` and ``Created`` in every message
    (zeep adds them only to digests): the server accepts each message once."""

    def _create_password_text(self) -> list[Any]:
        nonce = base64.b64encode(os.urandom(16)).decode("ascii")
        return [*super()._create_password_text(),
                wsse_utils.WSSE.Nonce(nonce, EncodingType=(
                    f"{self.soap_message_secutity_ns}#Base64Binary")),
                wsse_utils.WSU.Created(wsse_utils.get_timestamp(zulu_timestamp=True))]


@contextmanager
def _faults_as_errors() -> Iterator[None]:
    try:
        yield
    except Fault as fault:
        raise error_of(fault) from None


# Characters XML 1.0 cannot carry at all (not even escaped): NUL and most C0 controls, lone
# surrogates, U+FFFE/U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _carriable(value: Any) -> Any:
    """``value`` with each character XML cannot carry replaced by a tab.

    The server must still judge the request, so that its answer is the one every other
    protocol gets (a bad name *and* a bad time zone, say, not just the name). The swap cannot
    turn a refused value into an accepted one: the core refuses control characters wherever
    free text is stored (station names), and a tab is one; ids, zones, tokens and versions
    have formats that neither character matches.
    """
    if isinstance(value, str):
        return _NOT_XML.sub("\t", value)
    if isinstance(value, dict):
        return {k: _carriable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_carriable(v) for v in value]
    return value


def _utc(value: datetime | None) -> datetime | None:
    """In UTC; a value the core refuses the zone of is sent as given, for the server to judge."""
    if value is None or not validation.is_instant(value):
        return value
    return value.astimezone(UTC)


def _items(wrapper: Any, name: str) -> list[Any]:
    """The items of a Spyne array wrapper (``<stations><Station/>...</stations>``)."""
    if wrapper is None:
        return []
    if isinstance(wrapper, list):
        return wrapper
    return list(getattr(wrapper, name, None) or [])


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _station(x: Any) -> domain.Station:
    return domain.Station(id=x.id, name=x.name, latitude=float(x.latitude),
                          longitude=float(x.longitude), elevation=float(x.elevation),
                          timezone=x.timezone)


def _observation(x: Any) -> domain.Observation:
    measured = {m: _float(getattr(x, camel(m))) for m in MEASUREMENTS}
    observed_at = _utc(x.observedAt)
    assert observed_at is not None
    return domain.Observation(station_id=x.stationId, observed_at=observed_at,
                              units=Units(x.units), **measured)


def _observation_input(obs: domain.Observation) -> dict[str, Any]:
    values: dict[str, Any] = {"stationId": obs.station_id, "observedAt": obs.observed_at}
    values.update({camel(m): getattr(obs, m) for m in MEASUREMENTS
                   if getattr(obs, m) is not None})  # absent = not measured
    return values


def _alert(x: Any) -> domain.Alert:
    onset, ends = _utc(x.onset), _utc(x.ends)
    assert onset is not None and ends is not None
    return domain.Alert(id=x.id, station_id=x.stationId, event=x.event,
                        severity=domain.Severity(x.severity), headline=x.headline,
                        description=x.description, onset=onset, ends=ends)


def _summary(x: Any) -> domain.DailySummary:
    return domain.DailySummary(
        station_id=x.stationId, date=x.date, temperature_min=_float(x.temperatureMin),
        temperature_max=_float(x.temperatureMax), temperature_mean=_float(x.temperatureMean),
        precipitation_total=_float(x.precipitationTotal), wind_gust_max=_float(x.windGustMax),
        observation_count=int(x.observationCount), units=Units(x.units))


def _period(x: Any) -> domain.ForecastPeriod:
    start, end = _utc(x.start), _utc(x.end)
    assert start is not None and end is not None
    return domain.ForecastPeriod(
        number=int(x.number), name=x.name, start=start, end=end,
        temperature_high=_float(x.temperatureHigh), temperature_low=_float(x.temperatureLow),
        precipitation_chance=int(x.precipitationChance)
        if x.precipitationChance is not None else None,
        wind_speed=_float(x.windSpeed), wind_direction=_float(x.windDirection),
        summary=x.summary)


def _page(x: Any, field: str, item: str, convert: Callable[[Any], Any]) -> domain.Page[Any]:
    return domain.Page(tuple(convert(i) for i in _items(getattr(x, field), item)),
                       x.nextPageToken, x.prevPageToken)


class SoapClient(WeatherClient):
    """A Fourcast client over SOAP 1.1 (zeep), built from ``wsdl_url``."""

    protocol: ClassVar[str] = "soap"
    supports_push: ClassVar[bool] = False

    def __init__(self, wsdl_url: str, api_key: str | None = None, timeout: float = 30) -> None:
        self._session = requests.Session()
        self._transport = transport = Transport(session=self._session, timeout=timeout,
                                                operation_timeout=timeout)
        # The responses are parsed as defensively as the server parses requests.
        settings = zeep.Settings(strict=True, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True, xml_huge_tree=True)
        wsse = FreshUsernameToken("api-key", api_key) if api_key else None
        self._client = zeep.Client(wsdl_url, transport=transport, settings=settings, wsse=wsse)
        # Calls go where the WSDL was read, not to the WSDL's soap:address: behind a proxy, a
        # gateway or fourcast's own wire recorder, the address the server believes it has is
        # not the one this client was given.
        endpoint = wsdl_url.split("?", 1)[0]
        binding = next(iter(self._client.wsdl.bindings))
        self._service: Any = self._client.create_service(binding, endpoint)

    @classmethod
    def connect(cls, host: str, port: int, api_key: str | None = None) -> Self:
        return cls(f"http://{host}:{port}/soap?wsdl", api_key)

    def close(self) -> None:
        self._session.close()

    def _call(self, operation: str, **params: Any) -> Any:
        with _faults_as_errors():
            return getattr(self._service, operation)(**_carriable(params))

    # -- stations ---------------------------------------------------------------------------

    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> domain.Page[domain.Station]:
        result = self._call("ListStations", pageSize=page_size, pageToken=page_token)
        return _page(result, "stations", "Station", _station)

    def get_station(self, station_id: str) -> domain.Station:
        return _station(self._call("GetStation", stationId=station_id))

    def put_station(self, station: domain.Station,
                    if_match: str | None = None) -> domain.WriteResult[domain.Station]:
        values = {"id": station.id, "name": station.name, "latitude": station.latitude,
                  "longitude": station.longitude, "elevation": station.elevation,
                  "timezone": station.timezone}
        result = self._call("PutStation", station=values, ifMatch=if_match)
        return domain.WriteResult(_station(result.station), bool(result.created),
                                  result.version)

    def delete_station(self, station_id: str, if_match: str | None = None) -> None:
        self._call("DeleteStation", stationId=station_id, ifMatch=if_match)

    # -- observations -----------------------------------------------------------------------

    def get_latest_observation(self, station_id: str,
                               units: Units = Units.SI) -> domain.Observation:
        return _observation(self._call("GetLatestObservation", stationId=station_id,
                                       units=Units(units).value))

    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units = Units.SI) -> domain.Observation:
        return _observation(self._call("GetObservation", stationId=station_id,
                                       observedAt=observed_at, units=Units(units).value))

    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units = Units.SI) -> domain.Page[domain.Observation]:
        result = self._call("ListObservations", stationId=station_id, start=start, end=end,
                            pageSize=page_size, pageToken=page_token,
                            units=Units(units).value)
        return _page(result, "observations", "Observation", _observation)

    def put_observation(self, observation: domain.Observation, if_match: str | None = None
                        ) -> domain.WriteResult[domain.Observation]:
        result = self._call("PutObservation", observation=_observation_input(observation),
                            ifMatch=if_match)
        return domain.WriteResult(_observation(result.observation), bool(result.created),
                                  result.version)

    def import_observations(self, observations: Iterable[domain.Observation]
                            ) -> domain.ImportSummary:
        batch = [_observation_input(o) for o in observations]
        with self._transport.settings(timeout=IMPORT_TIMEOUT):
            x = self._call("ImportObservations", observations={"ObservationInput": batch})
        return domain.ImportSummary(
            imported=int(x.imported), created=int(x.created), replaced=int(x.replaced),
            station_ids=tuple(_items(x.stationIds, "StationId")),
            first_observed_at=_utc(x.firstObservedAt), last_observed_at=_utc(x.lastObservedAt))

    def delete_observation(self, station_id: str, observed_at: datetime,
                           if_match: str | None = None) -> None:
        self._call("DeleteObservation", stationId=station_id, observedAt=observed_at,
                   ifMatch=if_match)

    # -- derived data -----------------------------------------------------------------------

    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None,
                        units: Units = Units.SI) -> list[domain.DailySummary]:
        result = self._call("ListDailySummaries", stationId=station_id, start=start, end=end,
                            units=Units(units).value)
        return [_summary(s) for s in _items(result, "DailySummary")]

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units = Units.SI) -> domain.Forecast:
        x = self._call("GetForecast", stationId=station_id, days=days, units=Units(units).value)
        issued_at = _utc(x.issuedAt)
        assert issued_at is not None
        return domain.Forecast(station_id=x.stationId, issued_at=issued_at,
                               units=Units(x.units),
                               periods=tuple(_period(p) for p in
                                             _items(x.periods, "ForecastPeriod")))

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> domain.Page[domain.Alert]:
        result = self._call("ListAlerts", stationId=station_id, start=start, end=end,
                            pageSize=page_size, pageToken=page_token)
        return _page(result, "alerts", "Alert", _alert)

    def get_alert(self, alert_id: str) -> domain.Alert:
        return _alert(self._call("GetAlert", alertId=alert_id))

    # -- live data: SOAP polls ----------------------------------------------------------------

    def watch_observations(self, station_ids: Sequence[str],
                           units: Units = Units.SI) -> ObservationWatcher:
        raise NotImplementedError(
            "SOAP has no push, so there is no live watch: poll observations_since() "
            "(the GetObservationsSince operation) with the last sequence you saw")

    def current_sequence(self) -> int:
        """The store's change sequence now: poll :meth:`observations_since` from here."""
        return int(self._call("GetCurrentSequence"))

    def observations_since(self, sequence: int, station_ids: Sequence[str] | None = None,
                           units: Units = Units.SI) -> list[domain.RecordedObservation]:
        ids = {"StationId": list(station_ids)} if station_ids is not None else None
        result = self._call("GetObservationsSince", sequence=sequence, stationIds=ids,
                            units=Units(units).value)
        return [domain.RecordedObservation(int(r.sequence), _observation(r.observation))
                for r in _items(result, "RecordedObservation")]
