"""Daily summaries and the demonstration climatological forecast."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.core import Observation, Units
from services.core.climate import build_forecast, group_by_local_day, summarize

NEW_YORK = ZoneInfo("America/New_York")


def hourly(start: datetime, hours: int, **values: float) -> list[Observation]:
    return [Observation("KAAA", start + timedelta(hours=h), **values) for h in range(hours)]


def history_with(temp_low: float, temp_high: float, days: int, rainy_every: int) -> list:
    """Local days whose temperature runs from ``temp_low`` at midnight to ``temp_high``."""
    observations = []
    first = datetime(2013, 1, 1, tzinfo=NEW_YORK)
    for d in range(days):
        for h in range(24):
            at = (first + timedelta(days=d, hours=h)).astimezone(UTC)
            temp = temp_low + (temp_high - temp_low) * h / 23
            rain = 1.0 if d % rainy_every == 0 and h == 12 else 0.0
            observations.append(Observation("KAAA", at, temperature=temp, wind_speed=5.0,
                                            wind_direction=270.0,
                                            precipitation_last_hour=rain))
    return observations


def test_days_are_local_days_so_a_dst_day_has_23_hours() -> None:
    spring_forward = datetime(2013, 3, 10, 5, tzinfo=UTC)  # local midnight, EST
    days = group_by_local_day(hourly(spring_forward, 23, temperature=1.0), NEW_YORK)
    assert list(days) == [date(2013, 3, 10)]
    assert days[date(2013, 3, 10)].count == 23


def test_a_daily_summary_aggregates_and_converts() -> None:
    obs = hourly(datetime(2013, 7, 1, 4, tzinfo=UTC), 24, temperature=20.0,
                 precipitation_last_hour=0.254)
    acc = group_by_local_day(obs, NEW_YORK)[date(2013, 7, 1)]
    summary = summarize("KAAA", date(2013, 7, 1), acc, Units.US)
    assert summary.temperature_max == 68.0 and summary.observation_count == 24
    assert summary.precipitation_total == 0.24  # 24 × 0.254 mm = 6.096 mm
    assert summary.wind_gust_max is None


def test_the_forecast_is_the_climatology_of_the_same_calendar_window() -> None:
    history = group_by_local_day(history_with(10.0, 20.0, 40, rainy_every=2), NEW_YORK)
    latest = datetime(2013, 1, 20, 12, tzinfo=UTC)
    forecast = build_forecast("KAAA", NEW_YORK, latest, history, date(2013, 1, 1), 3, Units.SI)
    assert forecast.issued_at == latest
    assert [p.number for p in forecast.periods] == [1, 2, 3]
    period = forecast.periods[0]
    assert (period.temperature_high, period.temperature_low) == (20.0, 10.0)
    assert period.precipitation_chance in (47, 53)  # every other day of a 15-day window
    assert period.wind_speed == 5.0 and period.wind_direction == 270.0
    assert period.start == datetime(2013, 1, 21, 5, tzinfo=UTC)
    assert period.end - period.start == timedelta(hours=24)
    assert "high near 20°C" in period.summary


def test_the_forecast_is_deterministic_and_follows_units() -> None:
    history = group_by_local_day(history_with(0.0, 10.0, 30, rainy_every=3), NEW_YORK)
    latest = datetime(2013, 1, 15, tzinfo=UTC)
    args = ("KAAA", NEW_YORK, latest, history, date(2013, 1, 1), 7)
    assert build_forecast(*args, Units.SI) == build_forecast(*args, Units.SI)
    us = build_forecast(*args, Units.US)
    assert us.periods[0].temperature_high == 50.0 and us.units is Units.US
    assert "°F" in us.periods[0].summary and "mph" in us.periods[0].summary


def test_a_period_spanning_the_dst_change_lasts_23_hours() -> None:
    history = group_by_local_day(history_with(0.0, 10.0, 2, rainy_every=1), NEW_YORK)
    latest = datetime(2013, 3, 9, 12, tzinfo=UTC)
    forecast = build_forecast("KAAA", NEW_YORK, latest, history, date(2013, 1, 1), 1, Units.SI)
    period = forecast.periods[0]
    assert period.name == "Sunday"
    assert period.end - period.start == timedelta(hours=23)
    assert period.temperature_high is None  # no history near 10 March
    assert period.summary.startswith("No precipitation record")
