"""The common client interface: one method per use case, core objects in, core objects out.

Every protocol client (REST, GraphQL, gRPC, SOAP) implements :class:`WeatherClient`, returns the
domain objects of :mod:`services.core.domain` and raises the errors of
:mod:`services.core.errors`, so a caller — and the comparative test suite — can swap one for
another without changing a line. Writes carry the API key given at construction.
"""

from __future__ import annotations

import queue
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import ClassVar, Self

from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ImportSummary,
    Observation,
    Page,
    RecordedObservation,
    Station,
    WriteResult,
)
from services.core.units import Units


class ObservationWatcher(ABC):
    """A live watch opened by :meth:`WeatherClient.watch_observations`.

    The watch is subscribed on the server by the time ``watch_observations`` returns: anything
    recorded afterwards is delivered.
    """

    @abstractmethod
    def next(self, timeout: float) -> Observation:
        """The next recorded observation; TimeoutError if none arrives within ``timeout`` s."""

    @abstractmethod
    def close(self) -> None:
        """Cancel the watch and release its connection (idempotent)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class QueuedWatcher(ObservationWatcher):
    """A watcher fed through a queue by its reader: observations, then one exception that
    ends the watch (a core error, a broken connection, or EOFError when it simply ended)."""

    def __init__(self) -> None:
        self._items: queue.Queue[Observation | BaseException] = queue.Queue()

    def next(self, timeout: float) -> Observation:
        try:
            item = self._items.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no observation within {timeout} s") from None
        if isinstance(item, BaseException):
            self._items.put(item)  # the watch is over: every later call says so too
            raise item
        return item


class WeatherClient(ABC):
    """One client of the Fourcast API over one protocol."""

    protocol: ClassVar[str]
    #: whether the protocol can push observations live (SOAP cannot: it offers polling instead)
    supports_push: ClassVar[bool] = True

    @classmethod
    @abstractmethod
    def connect(cls, host: str, port: int, api_key: str | None = None) -> Self:
        """A client for the server at ``host:port``, writing with ``api_key``."""

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    # stations
    @abstractmethod
    def list_stations(self, page_size: int | None = None,
                      page_token: str | None = None) -> Page[Station]: ...

    @abstractmethod
    def get_station(self, station_id: str) -> Station: ...

    @abstractmethod
    def put_station(self, station: Station,
                    if_match: str | None = None) -> WriteResult[Station]: ...

    @abstractmethod
    def delete_station(self, station_id: str, if_match: str | None = None) -> None: ...

    # observations
    @abstractmethod
    def get_latest_observation(self, station_id: str, units: Units = Units.SI) -> Observation: ...

    @abstractmethod
    def get_observation(self, station_id: str, observed_at: datetime,
                        units: Units = Units.SI) -> Observation: ...

    @abstractmethod
    def list_observations(self, station_id: str, start: datetime | None = None,
                          end: datetime | None = None, page_size: int | None = None,
                          page_token: str | None = None,
                          units: Units = Units.SI) -> Page[Observation]: ...

    @abstractmethod
    def put_observation(self, observation: Observation,
                        if_match: str | None = None) -> WriteResult[Observation]: ...

    @abstractmethod
    def import_observations(self, observations: Iterable[Observation]) -> ImportSummary: ...

    @abstractmethod
    def delete_observation(self, station_id: str, observed_at: datetime,
                           if_match: str | None = None) -> None: ...

    # derived data
    @abstractmethod
    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None,
                        units: Units = Units.SI) -> list[DailySummary]: ...

    @abstractmethod
    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units = Units.SI) -> Forecast: ...

    @abstractmethod
    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]: ...

    @abstractmethod
    def get_alert(self, alert_id: str) -> Alert: ...

    # live data
    @abstractmethod
    def watch_observations(self, station_ids: Sequence[str],
                           units: Units = Units.SI) -> ObservationWatcher:
        """Open a live watch (raise NotImplementedError where ``supports_push`` is False)."""

    def observations_since(self, sequence: int, station_ids: Sequence[str] | None = None,
                           units: Units = Units.SI) -> list[RecordedObservation]:
        """The polling alternative to a watch, where the protocol offers one (SOAP does)."""
        raise NotImplementedError(f"{self.protocol} offers no polling operation")
