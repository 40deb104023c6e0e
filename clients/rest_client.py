"""The REST client: httpx against the HAL API, finding every resource from the entry point.

The client is given one URL, the entry point ``/``. It reads it once (on first use) and finds
every other resource from its links, expanding their RFC 6570 templates
(:mod:`clients._hal`); the only URL part spelled here is the stations collection's
paging parameters, which the entry point does not template. One
``httpx.Client`` per client keeps its connections alive. Reads ask for
``application/hal+json``; writes send JSON in SI units with ``Authorization: Bearer KEY``, and a
conditional write sends the version as a strong entity tag in ``If-Match`` (the server's ETag
*is* the version). Error responses (``application/problem+json``) become core errors in
:func:`clients._rest_documents.core_error`; a failure of the connection itself is not an
answer of the API and stays an ``httpx.HTTPError``. The live watch reads Server-Sent Events.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Self

import httpx
from httpx_sse import EventSource, ServerSentEvent, SSEError

from clients import _rest_documents as wire
from clients._hal import Links, Value
from clients.base import ObservationWatcher, QueuedWatcher, WeatherClient
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
from services.core.errors import FourcastError, Internal, InvalidArgument
from services.core.units import Units

HAL = "application/hal+json"
EVENT_STREAM = "text/event-stream"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# A live stream is quiet between observations, but the server sends a comment after a few
# quiet seconds (2 by default): this long without a byte means the connection is gone.
LIVE_TIMEOUT = httpx.Timeout(30.0, connect=10.0, read=60.0)
CLOSE_WAIT = 5.0  # seconds to wait for a watcher's reader thread to stop


# The core's own rule for a path variable, where it has one apart from a use case: a value
# the URL cannot carry is refused by it, in its words, as the other protocols' servers do.
CORE_RULES: dict[str, Callable[[str], object]] = {"station_id": validation.check_station_id}


def _path(**values: str) -> dict[str, Value]:
    """Path variables (named as the core names them). The empty string, dot segments and a
    ``/`` cannot be carried by one URL path segment (WSGI hands the server the path decoded, so
    ``%2F`` arrives as a separator), so they never reach the server: no id the core accepts
    looks like that, and the core's rule refuses them here (station ids, as the other three
    protocols do on the server; another id with the same field and a generic reason)."""
    for name, value in values.items():
        if not isinstance(value, str) or value in ("", ".", "..") or "/" in value:
            rule = CORE_RULES.get(name)
            if rule is not None:
                rule(value)
            raise InvalidArgument.single(name, "cannot name a resource in a URL path")
    return dict(values)


def _error_of(response: httpx.Response) -> FourcastError:
    """The core error of an error response (its body read)."""
    problem: Any = None
    with contextlib.suppress(ValueError):
        problem = response.json()
    retry_after = response.headers.get("Retry-After", "")
    return wire.core_error(response.status_code, problem if isinstance(problem, Mapping)
                           else None, response.reason_phrase,
                           float(retry_after) if retry_after.isdigit() else None)


class RestClient(WeatherClient):
    """A Fourcast client over REST (HAL + problem+json), from the entry point at ``url``."""

    protocol: ClassVar[str] = "rest"

    def __init__(self, url: str, api_key: str | None = None) -> None:
        self.url = url
        self._api_key = api_key
        self._http = httpx.Client(timeout=TIMEOUT, headers={"Accept": HAL})
        self._entry: Links | None = None
        self._watchers: list[LiveWatcher] = []

    @classmethod
    def connect(cls, host: str, port: int, api_key: str | None = None) -> Self:
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"  # an IPv6 literal
        return cls(f"http://{host}:{port}/", api_key)

    def close(self) -> None:
        for watcher in self._watchers:
            watcher.close()
        self._http.close()

    # -- the uniform interface --------------------------------------------------------------

    def _links(self) -> Links:
        """The entry point's links, read once."""
        if self._entry is None:
            response = self._send("GET", httpx.URL(self.url))
            self._entry = Links(response.url, response.json())
        return self._entry

    def _target(self, rel: str, path: dict[str, Value] | None = None,
                **query: Value) -> httpx.URL:
        try:
            return self._links().url(rel, {**(path or {}), **query})
        except LookupError as error:
            raise Internal(f"the REST entry point does not link {rel!r}") from error

    def _send(self, method: str, url: httpx.URL, body: Any = None,
              if_match: str | None = None) -> httpx.Response:
        headers = {}
        if method != "GET":
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            if if_match is not None:
                headers["If-Match"] = wire.entity_tag(if_match)
        if body is not None:
            violations = wire.unsendable(body)
            if violations:  # no JSON text carries them: refused as the core would
                raise InvalidArgument(violations)
        response = self._http.request(method, url, json=body, headers=headers)
        if not response.is_success:
            raise _error_of(response)
        return response

    def _get(self, rel: str, path: dict[str, Value], **query: Value) -> Any:
        return self._send("GET", self._target(rel, path, **query)).json()

    # -- stations ---------------------------------------------------------------------------

    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> Page[Station]:
        # The collection's paging parameters (OpenAPI), added to the entry point's link.
        url = self._target("stations").copy_merge_params(
            {k: v for k, v in (("page_size", page_size), ("page_token", page_token))
             if v is not None})
        return wire.page(self._send("GET", url).json(), "stations", wire.station)

    def get_station(self, station_id: str) -> Station:
        return wire.station(self._get("station", _path(station_id=station_id)))

    def put_station(self, station: Station, if_match: str | None = None) -> WriteResult[Station]:
        url = self._target("station", _path(station_id=station.id))
        response = self._send("PUT", url, wire.station_body(station), if_match)
        return WriteResult(wire.station(response.json()), response.status_code == 201,
                           wire.version(response.headers.get("ETag")))

    def delete_station(self, station_id: str, if_match: str | None = None) -> None:
        self._send("DELETE", self._target("station", _path(station_id=station_id)),
                   if_match=if_match)

    # -- observations -----------------------------------------------------------------------

    def get_latest_observation(self, station_id: str, units: Units = Units.SI) -> Observation:
        return wire.observation(self._get("latest-observation", _path(station_id=station_id),
                                          units=wire.units_param(units)))

    def _observation_path(self, station_id: str, observed_at: datetime) -> dict[str, Value]:
        return _path(station_id=station_id, observed_at=wire.rfc3339(observed_at))

    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units = Units.SI) -> Observation:
        return wire.observation(self._get("observation",
                                          self._observation_path(station_id, observed_at),
                                          units=wire.units_param(units)))

    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units = Units.SI) -> Page[Observation]:
        doc = self._get("station-observations", _path(station_id=station_id),
                        start=wire.instant(start), end=wire.instant(end),
                        page_size=page_size, page_token=page_token,
                        units=wire.units_param(units))
        return wire.page(doc, "observations", wire.observation)

    def put_observation(self, observation: Observation,
                        if_match: str | None = None) -> WriteResult[Observation]:
        url = self._target("observation", self._observation_path(observation.station_id,
                                                                  observation.observed_at))
        response = self._send("PUT", url, wire.measurements_body(observation), if_match)
        return WriteResult(wire.observation(response.json()), response.status_code == 201,
                           wire.version(response.headers.get("ETag")))

    def import_observations(self, observations: Iterable[Observation]) -> ImportSummary:
        """POSTs the batch to the entry point's ``batch`` resource (observations of any
        stations): the server stores all of it or none."""
        url = self._target("batch")
        body = {"observations": [wire.batch_item(o) for o in observations]}
        return wire.import_summary(self._send("POST", url, body).json())

    def delete_observation(self, station_id: str, observed_at: datetime,
                           if_match: str | None = None) -> None:
        url = self._target("observation", self._observation_path(station_id, observed_at))
        self._send("DELETE", url, if_match=if_match)

    # -- derived data -----------------------------------------------------------------------

    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None, units: Units = Units.SI) -> list[DailySummary]:
        return wire.daily_summaries(self._get(
            "daily", _path(station_id=station_id), start=wire.iso_date(start),
            end=wire.iso_date(end), units=wire.units_param(units)))

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units = Units.SI) -> Forecast:
        return wire.forecast(self._get("forecast", _path(station_id=station_id), days=days,
                                       units=wire.units_param(units)))

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]:
        doc = self._get("find-alerts", {}, station=station_id,
                        start=wire.instant(start), end=wire.instant(end),
                        page_size=page_size, page_token=page_token)
        return wire.page(doc, "alerts", wire.alert)

    def get_alert(self, alert_id: str) -> Alert:
        return wire.alert(self._get("alert", _path(alert_id=alert_id)))

    # -- live data --------------------------------------------------------------------------

    def watch_observations(self, station_ids: Sequence[str],
                           units: Units = Units.SI) -> ObservationWatcher:
        """Opens the station's live feed (several stations: the combined one) and returns once
        the server has sent its opening (``retry:`` and ``: open N``): from then on,
        everything recorded is delivered."""
        ids = list(station_ids)
        if len(ids) == 1:
            url = self._target("station-live", _path(station_id=ids[0]),
                               units=wire.units_param(units))
        else:
            url = self._target("live", station=ids, units=wire.units_param(units))
        request = self._http.build_request("GET", url, headers={"Accept": EVENT_STREAM},
                                           timeout=LIVE_TIMEOUT)
        response = self._http.send(request, stream=True)
        try:
            if not response.is_success:
                response.read()
                raise _error_of(response)
            watcher = LiveWatcher(response)
        except BaseException:
            response.close()
            raise
        self._watchers = [w for w in self._watchers if not w.closed]
        self._watchers.append(watcher)
        return watcher


class LiveWatcher(QueuedWatcher):
    """One Server-Sent Events stream, read by a thread into a queue so that :meth:`next` can
    wait with a timeout. ``observation`` events are observations; a ``problem`` event (e.g.
    the station was deleted) is the core error that ended the watch."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__()
        self._response = response
        self._closing = threading.Event()
        self.closed = False
        events = EventSource(response).iter_sse()
        try:
            # The first block is the opening: `retry: 1000` and the `: open N` comment
            # (httpx-sse dispatches a block that sets `retry`, with empty data).
            opening = next(events)
        except StopIteration:
            raise Internal("the live feed ended before it opened") from None
        except SSEError as error:
            raise Internal(f"the live feed is not an event stream: {error}") from None
        if opening.retry is None:  # not an opening: an event, to deliver
            events = itertools.chain([opening], events)
        self._reader = threading.Thread(target=self._read, args=(events,), daemon=True,
                                        name="rest-watch-reader")
        self._reader.start()

    def _read(self, events: Iterator[ServerSentEvent]) -> None:
        try:
            for event in events:
                if event.event == "observation":
                    self._items.put(wire.observation(event.json()))
                elif event.event == "problem":
                    problem = event.json()
                    self._items.put(wire.core_error(int(problem.get("status") or 500),
                                                    problem))
                    return
            self._items.put(EOFError("the live feed has ended"))
        except Exception as error:  # the connection broke, or close() shut it down
            self._items.put(EOFError("the watch is closed") if self._closing.is_set()
                            else error)
        finally:
            self._response.close()

    def close(self) -> None:
        """Shut the connection down (which wakes the reader blocked on it) and wait for the
        reader to release it; the server ends its side at its next write."""
        if self.closed:
            return
        self.closed = True
        self._closing.set()
        stream = self._response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._reader is not threading.current_thread():
            self._reader.join(CLOSE_WAIT)
        if self._reader.is_alive():  # no socket to shut down: close it under the reader
            self._response.close()
