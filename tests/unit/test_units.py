"""Units are converted in the core, once, and say which unit each value is in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.core import InvalidArgument, Observation, Units
from services.core.service import in_units
from services.core.units import DISTANCE, PRECIPITATION, PRESSURE, SPEED, TEMPERATURE


def test_us_customary_conversions_are_exact_to_their_decimals() -> None:
    assert TEMPERATURE.convert(3.9, Units.US) == 39.02
    assert TEMPERATURE.convert(-40.0, Units.US) == -40.0
    assert SPEED.convert(4.63, Units.US) == 10.36
    assert PRECIPITATION.convert(25.4, Units.US) == 1.0
    assert PRESSURE.convert(1013.25, Units.US) == 29.921
    assert DISTANCE.convert(16093.4, Units.US) == 10.0


def test_si_values_pass_through_and_missing_stays_missing() -> None:
    assert TEMPERATURE.convert(3.9, Units.SI) == 3.9
    assert TEMPERATURE.convert(None, Units.US) is None


def test_an_observation_in_us_units_names_its_units() -> None:
    obs = Observation("KJFK", datetime(2013, 1, 1, tzinfo=UTC), temperature=0.0, wind_gust=None,
                      relative_humidity=50.0)
    us = in_units(obs, Units.US)
    assert us.temperature == 32.0 and us.wind_gust is None and us.relative_humidity == 50.0
    assert us.unit_codes["temperature"] == "degF"
    assert obs.unit_codes["temperature"] == "degC"
    assert us.unit_codes["relative_humidity"] == "%"


def test_units_parse_case_insensitively_and_default_to_si() -> None:
    assert Units.parse(None) is Units.SI
    assert Units.parse("US") is Units.US


@pytest.mark.parametrize("value", ["metric", 1, ["us"], b"us"])
def test_units_other_than_si_or_us_are_an_invalid_argument(value: object) -> None:
    with pytest.raises(InvalidArgument) as caught:
        Units.parse(value)  # type: ignore[arg-type]
    assert caught.value.details() == ("INVALID_ARGUMENT", ("units",))
