"""Units of measure: what is stored (SI) and what a read may ask for (``si`` or ``us``).

Conversion happens here and nowhere else. Every converted value is rounded to a fixed number of
decimals per quantity so that the four protocols carry exactly the same number on the wire.
Unit codes are short, stable strings (``degC``, ``mph``, ...) that every protocol returns beside
the values, so a result always says which unit each value is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from services.core.errors import InvalidArgument


class Units(StrEnum):
    SI = "si"
    US = "us"

    @classmethod
    def parse(cls, value: str | Units | None, field: str = "units") -> Units:
        if value is None or value == "":
            return cls.SI
        if isinstance(value, Units):
            return value
        try:
            return cls(value.lower())  # a str; anything else is refused below
        except (ValueError, AttributeError):
            raise InvalidArgument.single(field, "must be 'si' or 'us'") from None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A kind of measurement: its SI unit, its US customary unit and the conversion."""

    name: str
    si_unit: str
    us_unit: str
    to_us: Callable[[float], float]
    us_decimals: int

    def unit(self, units: Units) -> str:
        return self.si_unit if units is Units.SI else self.us_unit

    def convert(self, si_value: float | None, units: Units) -> float | None:
        """An SI value in the requested units; missing stays missing."""
        if si_value is None or units is Units.SI:
            return si_value
        return round(self.to_us(si_value), self.us_decimals)


TEMPERATURE = Quantity("temperature", "degC", "degF", lambda c: c * 9 / 5 + 32, 2)
SPEED = Quantity("speed", "m/s", "mph", lambda ms: ms / 0.44704, 2)
PRECIPITATION = Quantity("precipitation", "mm", "in", lambda mm: mm / 25.4, 3)
PRESSURE = Quantity("pressure", "hPa", "inHg", lambda hpa: hpa / 33.8639, 3)
DISTANCE = Quantity("distance", "m", "mi", lambda m: m / 1609.344, 3)
PERCENT = Quantity("percent", "%", "%", lambda p: p, 2)
ANGLE = Quantity("angle", "deg", "deg", lambda d: d, 1)

# Inverse conversions, used by the seed builder (source data is in US customary units).
FAHRENHEIT_TO_C: Callable[[float], float] = lambda f: (f - 32) * 5 / 9  # noqa: E731
MPH_TO_MS: Callable[[float], float] = lambda mph: mph * 0.44704  # noqa: E731
INCH_TO_MM: Callable[[float], float] = lambda inch: inch * 25.4  # noqa: E731
MILE_TO_M: Callable[[float], float] = lambda mi: mi * 1609.344  # noqa: E731
FOOT_TO_M: Callable[[float], float] = lambda ft: ft * 0.3048  # noqa: E731

# Which quantity each observation measurement is. The order is the canonical field order.
OBSERVATION_QUANTITIES: dict[str, Quantity] = {
    "temperature": TEMPERATURE,
    "dewpoint": TEMPERATURE,
    "relative_humidity": PERCENT,
    "wind_speed": SPEED,
    "wind_direction": ANGLE,
    "wind_gust": SPEED,
    "precipitation_last_hour": PRECIPITATION,
    "sea_level_pressure": PRESSURE,
    "visibility": DISTANCE,
}
MEASUREMENTS: tuple[str, ...] = tuple(OBSERVATION_QUANTITIES)


def unit_codes(units: Units, fields: tuple[str, ...] = MEASUREMENTS) -> dict[str, str]:
    """The unit code of each observation measurement in the given system."""
    return {f: OBSERVATION_QUANTITIES[f].unit(units) for f in fields}
