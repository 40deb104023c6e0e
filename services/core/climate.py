"""Daily aggregation and the demonstration climatological forecast.

Daily summaries group a station's observations by the station's *local* calendar date (DST
aware), so a summary day can hold 23 or 25 hourly observations.

The forecast is a demonstration, not a weather prediction: for each of the next 1–7 local days
after the station's latest observation, it averages the same calendar window (±7 days) over every
year of the station's own record — high and low are the mean daily max and min, the chance of
precipitation is the share of those days with at least 0.25 mm (0.01 in), wind is the mean wind
speed and the vector-mean direction. It depends only on stored data, so it is the same on every
protocol, in every process, at any wall-clock time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.core.domain import DailySummary, Forecast, ForecastPeriod, Observation
from services.core.units import PRECIPITATION, SPEED, TEMPERATURE, Units

WINDOW_DAYS = 7
MEASURABLE_PRECIPITATION_MM = 0.254
_COMPASS = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE",
            "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")


@dataclass(slots=True)
class DayAccumulator:
    count: int = 0
    temps: list[float] = field(default_factory=list)
    precipitation: list[float] = field(default_factory=list)
    gusts: list[float] = field(default_factory=list)
    wind_speeds: list[float] = field(default_factory=list)
    wind_u: float = 0.0
    wind_v: float = 0.0

    def add(self, obs: Observation) -> None:
        self.count += 1
        if obs.temperature is not None:
            self.temps.append(obs.temperature)
        if obs.precipitation_last_hour is not None:
            self.precipitation.append(obs.precipitation_last_hour)
        if obs.wind_gust is not None:
            self.gusts.append(obs.wind_gust)
        if obs.wind_speed is not None:
            self.wind_speeds.append(obs.wind_speed)
            if obs.wind_direction is not None and obs.wind_speed > 0:
                radians = math.radians(obs.wind_direction)
                self.wind_u += obs.wind_speed * math.sin(radians)
                self.wind_v += obs.wind_speed * math.cos(radians)


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at the start and at the end of ``day``."""
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def group_by_local_day(observations: Iterable[Observation],
                       zone: ZoneInfo) -> dict[date, DayAccumulator]:
    days: dict[date, DayAccumulator] = {}
    for obs in observations:
        day = obs.observed_at.astimezone(zone).date()
        acc = days.get(day)
        if acc is None:
            acc = days[day] = DayAccumulator()
        acc.add(obs)
    return days


def _mean(values: list[float], decimals: int) -> float | None:
    return round(sum(values) / len(values), decimals) if values else None


def summarize(station_id: str, day: date, acc: DayAccumulator, units: Units) -> DailySummary:
    t = TEMPERATURE
    return DailySummary(
        station_id=station_id,
        date=day,
        temperature_min=t.convert(min(acc.temps), units) if acc.temps else None,
        temperature_max=t.convert(max(acc.temps), units) if acc.temps else None,
        temperature_mean=t.convert(_mean(acc.temps, 2), units),
        precipitation_total=PRECIPITATION.convert(
            round(sum(acc.precipitation), 3) if acc.precipitation else None, units),
        wind_gust_max=SPEED.convert(max(acc.gusts), units) if acc.gusts else None,
        observation_count=acc.count,
        units=units,
    )


def shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def history_ranges(first: date, last: date, targets: list[date]) -> list[tuple[date, date]]:
    """The windows of history to read: the target window shifted back 0..N years, clipped."""
    lo, hi = targets[0] - timedelta(days=WINDOW_DAYS), targets[-1] + timedelta(days=WINDOW_DAYS)
    ranges = []
    for years in range(0, targets[-1].year - first.year + 2):
        a, b = max(shift_years(lo, years), first), min(shift_years(hi, years), last)
        if a <= b:
            ranges.append((a, b))
    return ranges


def _window_days(target: date, history: dict[date, DayAccumulator],
                 first: date) -> list[DayAccumulator]:
    chosen = []
    for years in range(0, target.year - first.year + 2):
        centre = shift_years(target, years)
        for offset in range(-WINDOW_DAYS, WINDOW_DAYS + 1):
            acc = history.get(centre + timedelta(days=offset))
            if acc is not None:
                chosen.append(acc)
    return chosen


def _compass(degrees: float) -> str:
    return _COMPASS[round(degrees / 22.5) % 16]


def _period_summary(high: float | None, low: float | None, chance: int | None,
                    wind: float | None, direction: float | None, units: Units) -> str:
    parts = []
    if chance is None:
        parts.append("No precipitation record")
    elif chance < 20:
        parts.append("Mostly dry")
    elif chance < 50:
        parts.append(f"Chance of precipitation {chance}%")
    else:
        parts.append(f"Precipitation likely ({chance}%)")
    deg = TEMPERATURE.unit(units).replace("deg", "°")
    if high is not None and low is not None:
        parts.append(f"high near {round(high)}{deg}, low around {round(low)}{deg}")
    if wind is not None:
        where = f"{_compass(direction)} " if direction is not None else ""
        parts.append(f"{where}wind {round(wind)} {SPEED.unit(units)}")
    text = ", ".join(parts) + "."
    return text[0].upper() + text[1:]


def build_forecast(station_id: str, zone: ZoneInfo, latest: datetime,
                   history: dict[date, DayAccumulator], first_day: date, days: int,
                   units: Units) -> Forecast:
    """The forecast for the ``days`` local days after ``latest`` from grouped history (SI)."""
    today = latest.astimezone(zone).date()
    periods = []
    for number in range(1, days + 1):
        target = today + timedelta(days=number)
        window = _window_days(target, history, first_day)
        highs = [max(a.temps) for a in window if a.temps]
        lows = [min(a.temps) for a in window if a.temps]
        with_precip = [a for a in window if a.precipitation]
        wind_speeds = [s for a in window for s in a.wind_speeds]
        u = sum(a.wind_u for a in window)
        v = sum(a.wind_v for a in window)
        high = TEMPERATURE.convert(_mean(highs, 1), units)
        low = TEMPERATURE.convert(_mean(lows, 1), units)
        chance = (round(100 * sum(1 for a in with_precip
                                  if sum(a.precipitation) >= MEASURABLE_PRECIPITATION_MM)
                        / len(with_precip)) if with_precip else None)
        wind = SPEED.convert(_mean(wind_speeds, 1), units)
        direction = (round(math.degrees(math.atan2(u, v)) % 360, 0)
                     if wind_speeds and (u or v) else None)
        start, end = local_day_bounds(target, zone)
        periods.append(ForecastPeriod(
            number=number, name=target.strftime("%A"), start=start, end=end,
            temperature_high=high, temperature_low=low, precipitation_chance=chance,
            wind_speed=wind, wind_direction=direction,
            summary=_period_summary(high, low, chance, wind, direction, units)))
    return Forecast(station_id=station_id, issued_at=latest, units=units, periods=tuple(periods))
