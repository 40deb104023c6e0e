"""Alerts derived from observations by documented thresholds (fields in the spirit of CAP).

Each rule watches one hazard and has levels, lowest first; thresholds follow the US National
Weather Service's criteria where one exists. Observations that meet a level are grouped into one
alert while they follow each other within ``MAX_GAP``; the alert takes the highest level reached.
``onset`` is the first qualifying observation, ``ends`` one hour after the last. The id is
``{station}-{rule}-{onset:%Y%m%dT%H%MZ}``, stable for the same data.

| rule | level | event | severity | threshold (SI) | (US) |
|---|---|---|---|---|---|
| WIND | 1 | Wind Advisory | Moderate | gust ≥ 20.1 m/s or wind ≥ 13.4 m/s | 45 / 30 mph |
| WIND | 2 | High Wind Warning | Severe | gust ≥ 25.9 m/s or wind ≥ 17.3 m/s | 58 / 38.6 mph |

Sustained wind counts 1.5 times its speed on the gust scale (a gust factor), so one number
ranks an observation; that puts the warning's sustained threshold at 17.3 m/s.
| HEAT | 1 | Heat Advisory | Moderate | temperature ≥ 32.2 °C | 90 °F |
| HEAT | 2 | Excessive Heat Warning | Severe | temperature ≥ 35.0 °C | 95 °F |
| COLD | 1 | Cold Weather Advisory | Moderate | temperature ≤ −10.0 °C | 14 °F |
| COLD | 2 | Extreme Cold Warning | Severe | temperature ≤ −23.3 °C | −10 °F |
| RAIN | 1 | Heavy Rain Statement | Minor | precipitation ≥ 7.6 mm in an hour | 0.3 in |
| RAIN | 2 | Flash Flood Warning | Severe | precipitation ≥ 25.4 mm in an hour | 1 in |
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from services.core.domain import Alert, Observation, Severity
from services.core.units import PRECIPITATION, SPEED, TEMPERATURE, Quantity, Units

MAX_GAP = timedelta(hours=3)
ALERT_DURATION_AFTER_LAST = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Level:
    event: str
    severity: Severity
    threshold: float


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    hazard: str
    measure: Callable[[Observation], float | None]
    quantity: Quantity
    higher_is_worse: bool
    levels: tuple[Level, ...]

    def level_of(self, obs: Observation) -> tuple[int, float] | None:
        value = self.measure(obs)
        if value is None:
            return None
        reached = 0
        for index, level in enumerate(self.levels, start=1):
            beyond = value >= level.threshold if self.higher_is_worse else value <= level.threshold
            if beyond:
                reached = index
        return (reached, value) if reached else None


def _wind_equivalent(obs: Observation) -> float | None:
    """Gusts and sustained wind share one scale: sustained wind is weighed as a gust would be."""
    values = []
    if obs.wind_gust is not None:
        values.append(obs.wind_gust)
    if obs.wind_speed is not None:
        # 13.4 m/s sustained ranks like a 20.1 m/s gust (the NWS advisory criteria).
        values.append(obs.wind_speed * 1.5)
    return max(values) if values else None


RULES: tuple[Rule, ...] = (
    Rule("WIND", "wind", _wind_equivalent, SPEED, True, (
        Level("Wind Advisory", Severity.MODERATE, 20.1),
        Level("High Wind Warning", Severity.SEVERE, 25.9),
    )),
    Rule("HEAT", "heat", lambda o: o.temperature, TEMPERATURE, True, (
        Level("Heat Advisory", Severity.MODERATE, 32.2),
        Level("Excessive Heat Warning", Severity.SEVERE, 35.0),
    )),
    Rule("COLD", "cold", lambda o: o.temperature, TEMPERATURE, False, (
        Level("Cold Weather Advisory", Severity.MODERATE, -10.0),
        Level("Extreme Cold Warning", Severity.SEVERE, -23.3),
    )),
    Rule("RAIN", "heavy rain", lambda o: o.precipitation_last_hour, PRECIPITATION, True, (
        Level("Heavy Rain Statement", Severity.MINOR, 7.6),
        Level("Flash Flood Warning", Severity.SEVERE, 25.4),
    )),
)


def _both_units(quantity: Quantity, si_value: float) -> str:
    us = quantity.convert(si_value, Units.US)
    return f"{si_value:g} {quantity.si_unit} ({us:g} {quantity.us_unit})"


def _make_alert(station_id: str, rule: Rule, run: list[tuple[Observation, int, float]]) -> Alert:
    level_index = max(level for _, level, _ in run)
    level = rule.levels[level_index - 1]
    worst = (max if rule.higher_is_worse else min)(run, key=lambda item: item[2])
    peak_obs, _, peak = worst
    onset = run[0][0].observed_at
    last = run[-1][0].observed_at
    peak_text = _both_units(rule.quantity, round(peak, 3))
    if rule.code == "WIND":
        gust = peak_obs.wind_gust
        peak_text = (f"gusts to {_both_units(SPEED, gust)}" if gust is not None else
                     f"sustained wind of {_both_units(SPEED, peak_obs.wind_speed or 0.0)}")
    return Alert(
        id=f"{station_id}-{rule.code}-{onset:%Y%m%dT%H%MZ}",
        station_id=station_id,
        event=level.event,
        severity=level.severity,
        headline=f"{level.event} for {station_id}: {peak_text}",
        description=(
            f"{len(run)} observation(s) at {station_id} met the {rule.hazard} criteria between "
            f"{onset:%Y-%m-%dT%H:%MZ} and {last:%Y-%m-%dT%H:%MZ}; the most extreme, at "
            f"{peak_obs.observed_at:%Y-%m-%dT%H:%MZ}, was {peak_text}. Derived automatically "
            f"from observations by Fourcast's documented thresholds; not an official warning."),
        onset=onset,
        ends=last + ALERT_DURATION_AFTER_LAST,
    )


def derive_alerts(station_id: str, observations: Iterable[Observation]) -> list[Alert]:
    """Every alert of one station, from its SI observations in ascending time order."""
    runs: dict[str, list[tuple[Observation, int, float]]] = {r.code: [] for r in RULES}
    alerts: list[Alert] = []
    for obs in observations:
        for rule in RULES:
            hit = rule.level_of(obs)
            if hit is None:
                continue
            run = runs[rule.code]
            if run and obs.observed_at - run[-1][0].observed_at > MAX_GAP:
                alerts.append(_make_alert(station_id, rule, run))
                run = runs[rule.code] = []
            run.append((obs, hit[0], hit[1]))
    for rule in RULES:
        if runs[rule.code]:
            alerts.append(_make_alert(station_id, rule, runs[rule.code]))
    alerts.sort(key=lambda a: (a.onset, a.id))
    return alerts
