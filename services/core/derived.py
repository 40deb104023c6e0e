"""The use cases derived from a station's observations: daily summaries, the demonstration
forecast and the alerts. Mixed into :class:`~services.core.service.WeatherService`, which holds
the repository and the caches they share."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from services.core import paging, validation
from services.core.alerts import derive_alerts
from services.core.climate import (
    build_forecast,
    group_by_local_day,
    history_ranges,
    local_day_bounds,
    summarize,
)
from services.core.domain import Alert, DailySummary, Forecast, Page, Station
from services.core.errors import InvalidArgument, NotFound
from services.core.keyset import ALERT_KEY, alert_key, keyset_page
from services.core.ports import Repository
from services.core.units import Units
from services.core.validation import Violations

DEFAULT_DAILY_DAYS = 7


class DerivedUseCases:
    repository: Repository
    _lock: threading.Lock
    _alerts: dict[str, tuple[int, list[Alert]]]
    _forecasts: dict[tuple[str, int, Units], tuple[int, Forecast]]

    if TYPE_CHECKING:
        def get_station(self, station_id: str) -> Station: ...

    def daily_summaries(self, station_id: str, start: date | None = None,
                        end: date | None = None,
                        units: Units | str | None = None) -> list[DailySummary]:
        """One summary per local date in [start, end] (inclusive) that has observations.
        Without dates: the last seven local days of the station's data."""
        station = self.get_station(station_id)
        unit_system = Units.parse(units)
        zone = ZoneInfo(station.timezone)
        if start is not None:
            validation.check_date(start, "start")
        if end is not None:
            validation.check_date(end, "end")
        if start is None or end is None:
            span = self.repository.observation_span(station_id)
            last_day = span[1].astimezone(zone).date() if span else date(2000, 1, 1)
            if end is None:
                end = (start + timedelta(days=DEFAULT_DAILY_DAYS - 1)
                       if isinstance(start, date) else last_day)
            if start is None and isinstance(end, date):
                start = end - timedelta(days=DEFAULT_DAILY_DAYS - 1)
        assert start is not None and end is not None
        first_day, last_day = validation.check_date_range(start, end)
        lo, _ = local_day_bounds(first_day, zone)
        _, hi = local_day_bounds(last_day, zone)
        days = group_by_local_day(self.repository.iter_observations(station_id, lo, hi), zone)
        return [summarize(station_id, day, days[day], unit_system) for day in sorted(days)]

    def get_forecast(self, station_id: str, days: int | None = None,
                     units: Units | str | None = None) -> Forecast:
        """The demonstration climatological forecast (see ``services.core.climate``)."""
        station = self.get_station(station_id)
        count = validation.check_forecast_days(days)
        unit_system = Units.parse(units)
        sequence = self.repository.current_sequence()
        key = (station_id, count, unit_system)
        with self._lock:
            cached = self._forecasts.get(key)
        if cached and cached[0] == sequence:
            return cached[1]
        span = self.repository.observation_span(station_id)
        if span is None:
            raise NotFound("forecast", station_id,
                           f"station {station_id!r} has no observations to base a forecast on")
        zone = ZoneInfo(station.timezone)
        first_day = span[0].astimezone(zone).date()
        last_day = span[1].astimezone(zone).date()
        targets = [last_day + timedelta(days=n) for n in range(1, count + 1)]
        history = {}
        for a, b in history_ranges(first_day, last_day, targets):
            lo, _ = local_day_bounds(a, zone)
            _, hi = local_day_bounds(b, zone)
            history.update(group_by_local_day(
                self.repository.iter_observations(station_id, lo, hi), zone))
        forecast = build_forecast(station_id, zone, span[1], history, first_day, count,
                                  unit_system)
        with self._lock:
            self._forecasts[key] = (sequence, forecast)
        return forecast

    def _station_alerts(self, station_id: str, sequence: int) -> list[Alert]:
        with self._lock:
            cached = self._alerts.get(station_id)
        if cached and cached[0] == sequence:
            return cached[1]
        far_past, far_future = validation.EARLIEST, validation.LATEST
        alerts = derive_alerts(station_id,
                               self.repository.iter_observations(station_id, far_past, far_future))
        with self._lock:
            self._alerts[station_id] = (sequence, alerts)
        return alerts

    def _all_station_ids(self) -> list[str]:
        ids: list[str] = []
        after = None
        while True:
            batch = self.repository.list_stations(after=after, before=None,
                                                  limit=validation.MAX_PAGE_SIZE)
            ids.extend(s.id for s in batch)
            if len(batch) < validation.MAX_PAGE_SIZE:
                return ids
            after = batch[-1].id

    def list_alerts(self, station_id: str | None = None, start: datetime | None = None,
                    end: datetime | None = None, page_size: int | None = None,
                    page_token: str | None = None) -> Page[Alert]:
        """Alerts active at any time in [start, end) (open-ended when omitted), optionally of
        one station, ordered by onset, paged."""
        size = validation.check_page_size(page_size)
        v = Violations()
        s = validation.check_timestamp(start, "start", v) if start is not None else None
        e = validation.check_timestamp(end, "end", v) if end is not None else None
        v.raise_if_any()
        if s is not None and e is not None and s >= e:
            raise InvalidArgument.single("end", "must be after start")
        if station_id is not None:
            self.get_station(station_id)
        query = paging.fingerprint("alerts", station=station_id or "",
                                   start=s.isoformat() if s else "",
                                   end=e.isoformat() if e else "")
        cursor = paging.decode(page_token, query, ALERT_KEY)
        sequence = self.repository.current_sequence()
        stations = [station_id] if station_id is not None else self._all_station_ids()
        alerts = sorted(
            (a for sid in stations for a in self._station_alerts(sid, sequence)
             if (s is None or a.ends > s) and (e is None or a.onset < e)),
            key=alert_key)

        def fetch(after: Any, before: Any, limit: int) -> list[Alert]:
            if after:
                chosen = [a for a in alerts if alert_key(a) > tuple(after)][:limit]
            elif before:
                chosen = [a for a in alerts if alert_key(a) < tuple(before)][-limit:]
            else:
                chosen = alerts[:limit]
            return chosen

        return keyset_page(fetch, alert_key, size, cursor, query)

    def get_alert(self, alert_id: str) -> Alert:
        parts = alert_id.split("-") if isinstance(alert_id, str) else []
        if len(parts) != 3:
            raise InvalidArgument.single("alert_id", "must look like KJFK-WIND-20130131T1400Z")
        station_id = parts[0]
        try:
            self.get_station(station_id)
        except InvalidArgument:
            raise InvalidArgument.single(
                "alert_id", "must look like KJFK-WIND-20130131T1400Z") from None
        except NotFound:
            raise NotFound("alert", alert_id) from None
        for alert in self._station_alerts(station_id, self.repository.current_sequence()):
            if alert.id == alert_id:
                return alert
        raise NotFound("alert", alert_id)
