"""Alerts are derived from observations by the documented thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.core import Observation, Severity
from services.core.alerts import derive_alerts

T0 = datetime(2013, 1, 31, 14, tzinfo=UTC)


def at(hours: float, **values: float) -> Observation:
    return Observation("KJFK", T0 + timedelta(hours=hours), **values)


def test_consecutive_gusts_make_one_alert_at_the_highest_level() -> None:
    alerts = derive_alerts("KJFK", [
        at(0, wind_gust=21.0), at(1, wind_gust=27.0), at(2, wind_gust=22.0),
        at(3, wind_gust=5.0)])
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.id == "KJFK-WIND-20130131T1400Z"
    assert (alert.event, alert.severity) == ("High Wind Warning", Severity.SEVERE)
    assert alert.onset == T0 and alert.ends == T0 + timedelta(hours=3)
    assert "27 m/s" in alert.headline and "60.4 mph" in alert.headline


def test_a_gap_longer_than_three_hours_starts_a_new_alert() -> None:
    alerts = derive_alerts("KJFK", [at(0, wind_gust=21.0), at(4, wind_gust=21.0)])
    assert [a.event for a in alerts] == ["Wind Advisory", "Wind Advisory"]


def test_sustained_wind_counts_on_the_gust_scale() -> None:
    assert [a.event for a in derive_alerts("KJFK", [at(0, wind_speed=13.4)])] == ["Wind Advisory"]
    assert derive_alerts("KJFK", [at(0, wind_speed=13.3)]) == []


def test_heat_cold_and_rain_each_have_their_rule() -> None:
    alerts = derive_alerts("KJFK", [
        at(0, temperature=35.0), at(10, temperature=-10.0), at(20, precipitation_last_hour=30.0)])
    assert [(a.event, a.severity) for a in alerts] == [
        ("Excessive Heat Warning", Severity.SEVERE),
        ("Cold Weather Advisory", Severity.MODERATE),
        ("Flash Flood Warning", Severity.SEVERE)]


def test_missing_measurements_never_trigger_an_alert() -> None:
    assert derive_alerts("KJFK", [at(0), at(1, temperature=None, wind_gust=None)]) == []
