"""The GraphQL client: gql over HTTP for queries and mutations, over ``graphql-transport-ws``
websockets for the live watch. Returns domain objects and raises core errors.

Errors come back by ``extensions.code`` (``docs/errors.md``): :data:`CODES` maps each code to
its core class, with the violations of BAD_USER_INPUT and the resource of NOT_FOUND. Request
errors the server raises before execution (a parse or validation failure) are InvalidArgument,
as the contract table says, naming the core field of the variable GraphQL refused; a query over
the cost limit is ResourceExhausted. The client validates nothing itself: the server (the
core) decides, so the four clients report the same error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import re
import threading
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, Self

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from gql.transport.websockets import WebsocketsTransport

from clients import graphql_documents as docs
from clients.base import ObservationWatcher, QueuedWatcher, WeatherClient
from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ForecastPeriod,
    ImportSummary,
    Observation,
    Page,
    RecordedObservation,
    Severity,
    Station,
    WriteResult,
)
from services.core.errors import (
    FailedPrecondition,
    FieldViolation,
    FourcastError,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)
from services.core.units import MEASUREMENTS, Units

PATH = "/graphql"
TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0

CODES: dict[str, type[FourcastError]] = {
    "NOT_FOUND": NotFound,
    "BAD_USER_INPUT": InvalidArgument,
    "GRAPHQL_PARSE_FAILED": InvalidArgument,
    "GRAPHQL_VALIDATION_FAILED": InvalidArgument,
    "BAD_REQUEST": InvalidArgument,
    "FAILED_PRECONDITION": FailedPrecondition,
    "UNAUTHENTICATED": Unauthenticated,
    "FORBIDDEN": PermissionDenied,
    "RESOURCE_EXHAUSTED": ResourceExhausted,
    "QUERY_TOO_COSTLY": ResourceExhausted,
    "INTERNAL_SERVER_ERROR": Internal,
}
#: the core's field for each variable of this client's documents whose name differs from it
#: (a value GraphQL itself refuses, e.g. a sequence past Int's 32 bits, names the variable)
CORE_FIELDS = {"afterSequence": "sequence", "first": "page_size", "after": "page_token",
               "stationId": "station_id", "stationIds": "station_ids",
               "observedAt": "observed_at"}
_VARIABLE = re.compile(r"Variable '\$(\w+)'")


def _field_of(message: str) -> str:
    """The core field a GraphQL request error is about: its variable, else the query."""
    found = _VARIABLE.match(message)
    if found is None:
        return "query"
    name = found.group(1)
    return CORE_FIELDS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def core_error(failure: TransportQueryError) -> FourcastError:
    """The core error for the first GraphQL error of a failed request."""
    error = (failure.errors or [{}])[0]
    message = str(error.get("message") or failure)
    extensions = error.get("extensions") or {}
    cls = CODES.get(str(extensions.get("code")), Internal)
    if cls is NotFound:
        return NotFound(str(extensions.get("resourceType", "resource")),
                        str(extensions.get("resourceName", "")), message)
    if cls is InvalidArgument:
        violations = [FieldViolation(str(v["field"]), str(v["description"]))
                      for v in extensions.get("violations") or []]
        return InvalidArgument(violations or [FieldViolation(_field_of(message), message)],
                               message)
    if cls is Internal:
        return Internal(message)
    return cls(message)


# -- decoding ---------------------------------------------------------------------------------

def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def _units(value: str) -> Units:
    return Units(value.lower())


def _station(data: dict[str, Any]) -> Station:
    return Station(data["id"], data["name"], data["latitude"], data["longitude"],
                   data["elevation"], data["timezone"])


def _observation(data: dict[str, Any]) -> Observation:
    values: dict[str, Any] = {m: data[_camel(m)] for m in MEASUREMENTS}
    return Observation(station_id=data["stationId"],
                       observed_at=datetime.fromisoformat(data["observedAt"]),
                       units=_units(data["units"]), **values)


def _alert(data: dict[str, Any]) -> Alert:
    return Alert(data["id"], data["stationId"], data["event"], Severity(data["severity"].title()),
                 data["headline"], data["description"], datetime.fromisoformat(data["onset"]),
                 datetime.fromisoformat(data["ends"]))


def _page(connection: dict[str, Any], convert: Any) -> Page[Any]:
    info = connection["pageInfo"]
    return Page(tuple(convert(edge["node"]) for edge in connection["edges"]),
                info["endCursor"], info["startCursor"])


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _observation_input(obs: Observation) -> dict[str, Any]:
    values = {_camel(m): getattr(obs, m) for m in MEASUREMENTS}
    return {"stationId": obs.station_id, "observedAt": obs.observed_at.isoformat(), **values}


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- the client -------------------------------------------------------------------------------

class GraphQLClient(WeatherClient):
    protocol = "graphql"

    def __init__(self, url: str, api_key: str | None = None) -> None:
        self.url = url
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = Client(transport=HTTPXTransport(url, headers=headers, timeout=TIMEOUT))
        self._session = self._client.connect_sync()
        self._watchers: list[SubscriptionWatcher] = []

    @classmethod
    def connect(cls, host: str, port: int, api_key: str | None = None) -> Self:
        return cls(f"http://{host}:{port}{PATH}", api_key)

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.close()
        self._client.close_sync()

    def _run(self, document: GraphQLRequest, **variables: Any) -> dict[str, Any]:
        try:
            result: dict[str, Any] = self._session.execute(
                GraphQLRequest(document, variable_values=variables))
        except TransportQueryError as failure:
            raise core_error(failure) from None
        return result

    # stations
    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> Page[Station]:
        data = self._run(docs.LIST_STATIONS, first=page_size, after=page_token)
        return _page(data["stations"], _station)

    def get_station(self, station_id: str) -> Station:
        return _station(self._run(docs.GET_STATION, id=station_id)["station"])

    def put_station(self, station: Station,
                    if_match: str | None = None) -> WriteResult[Station]:
        data = self._run(docs.PUT_STATION, ifMatch=if_match, station={
            "id": station.id, "name": station.name, "latitude": station.latitude,
            "longitude": station.longitude, "elevation": station.elevation,
            "timezone": station.timezone})["putStation"]
        return WriteResult(_station(data["station"]), data["created"], data["version"])

    def delete_station(self, station_id: str, if_match: str | None = None) -> None:
        self._run(docs.DELETE_STATION, id=station_id, ifMatch=if_match)

    # observations
    def get_latest_observation(self, station_id: str, units: Units = Units.SI) -> Observation:
        data = self._run(docs.LATEST_OBSERVATION, stationId=station_id, units=units.name)
        return _observation(data["latestObservation"])

    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units = Units.SI) -> Observation:
        data = self._run(docs.GET_OBSERVATION, stationId=station_id,
                         observedAt=observed_at.isoformat(), units=units.name)
        return _observation(data["observation"])

    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units = Units.SI) -> Page[Observation]:
        data = self._run(docs.LIST_OBSERVATIONS, stationId=station_id, start=_iso(start),
                         end=_iso(end), first=page_size, after=page_token, units=units.name)
        return _page(data["station"]["observations"], _observation)

    def put_observation(self, observation: Observation,
                        if_match: str | None = None) -> WriteResult[Observation]:
        data = self._run(docs.PUT_OBSERVATION, observation=_observation_input(observation),
                         ifMatch=if_match)["putObservation"]
        return WriteResult(_observation(data["observation"]), data["created"], data["version"])

    def import_observations(self, observations: Iterable[Observation]) -> ImportSummary:
        data = self._run(docs.IMPORT_OBSERVATIONS,
                         observations=[_observation_input(o) for o in observations])
        summary = data["importObservations"]
        return ImportSummary(summary["imported"], summary["created"], summary["replaced"],
                             tuple(summary["stationIds"]), _when(summary["firstObservedAt"]),
                             _when(summary["lastObservedAt"]))

    def delete_observation(self, station_id: str, observed_at: datetime,
                           if_match: str | None = None) -> None:
        self._run(docs.DELETE_OBSERVATION, stationId=station_id,
                  observedAt=observed_at.isoformat(), ifMatch=if_match)

    # derived data
    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None,
                        units: Units = Units.SI) -> list[DailySummary]:
        data = self._run(docs.DAILY_SUMMARIES, stationId=station_id, start=_iso(start),
                         end=_iso(end), units=units.name)
        return [DailySummary(d["stationId"], date.fromisoformat(d["date"]), d["temperatureMin"],
                             d["temperatureMax"], d["temperatureMean"], d["precipitationTotal"],
                             d["windGustMax"], d["observationCount"], _units(d["units"]))
                for d in data["station"]["daily"]]

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units = Units.SI) -> Forecast:
        f = self._run(docs.FORECAST, stationId=station_id, days=days,
                      units=units.name)["station"]["forecast"]
        periods = tuple(ForecastPeriod(
            p["number"], p["name"], datetime.fromisoformat(p["start"]),
            datetime.fromisoformat(p["end"]), p["temperatureHigh"], p["temperatureLow"],
            p["precipitationChance"], p["windSpeed"], p["windDirection"], p["summary"])
            for p in f["periods"])
        return Forecast(f["stationId"], datetime.fromisoformat(f["issuedAt"]),
                        _units(f["units"]), periods)

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]:
        data = self._run(docs.LIST_ALERTS, stationId=station_id, start=_iso(start),
                         end=_iso(end), first=page_size, after=page_token)
        return _page(data["alerts"], _alert)

    def get_alert(self, alert_id: str) -> Alert:
        return _alert(self._run(docs.GET_ALERT, id=alert_id)["alert"])

    # live data
    def watch_observations(self, station_ids: Sequence[str],
                           units: Units = Units.SI) -> ObservationWatcher:
        """Read the change sequence (the core checks the stations and units on the way),
        then subscribe after it: whatever is recorded from then on is delivered."""
        ids = list(station_ids)
        start = self._run(docs.WATCH_START, stationIds=ids, units=units.name)
        ws_url = "ws" + self.url.removeprefix("http")
        watcher = SubscriptionWatcher(ws_url, {"stationIds": ids, "units": units.name,
                                               "afterSequence": start["changeSequence"]})
        self._watchers.append(watcher)
        return watcher

    def observations_since(self, sequence: int, station_ids: Sequence[str] | None = None,
                           units: Units = Units.SI) -> list[RecordedObservation]:
        data = self._run(docs.OBSERVATIONS_SINCE, afterSequence=sequence,
                         stationIds=list(station_ids) if station_ids is not None else None,
                         units=units.name)
        return [RecordedObservation(e["sequence"], _observation(e["observation"]))
                for e in data["observationsSince"]]


class SubscriptionWatcher(QueuedWatcher):
    """One ``observationRecorded`` subscription, consumed by an event loop in its own thread
    (gql's websockets transport is asyncio) and handed over through a queue."""

    def __init__(self, url: str, variables: dict[str, Any]) -> None:
        super().__init__()
        self._url, self._variables = url, variables
        self._connected: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._loop = asyncio.new_event_loop()
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name="graphql-watch", daemon=True)
        self._thread.start()
        try:
            self._connected.result(CONNECT_TIMEOUT + 1)
        except BaseException:
            self.close()
            raise

    def _run(self) -> None:
        self._task = self._loop.create_task(self._consume())
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._task)
        self._loop.close()

    async def _consume(self) -> None:
        transport = WebsocketsTransport(
            url=self._url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            connect_timeout=CONNECT_TIMEOUT, close_timeout=2)
        try:
            async with Client(transport=transport) as session:
                self._connected.set_result(None)
                request = GraphQLRequest(docs.OBSERVATION_RECORDED,
                                         variable_values=self._variables)
                async for data in session.subscribe(request):
                    event = data["observationRecorded"]
                    self._items.put(_observation(event["observation"]))
        except TransportQueryError as failure:
            self._items.put(core_error(failure))
        except Exception as error:  # the connection failed or broke: tell the reader
            if not self._connected.done():
                self._connected.set_exception(error)
            self._items.put(error)

    def close(self) -> None:
        """Cancel the subscription: gql sends `complete` and closes the websocket, and the
        server cancels its side of the watch."""
        if self._thread.is_alive() and self._task is not None:
            with contextlib.suppress(RuntimeError):  # the loop finished meanwhile
                self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not threading.current_thread():
            self._thread.join(CONNECT_TIMEOUT)
