"""The row shapes both SQL stores share: times as integer Unix seconds (UTC), measurements in
SI (NULL when missing), the columns in the order the domain objects take them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from services.core.domain import Observation, Station
from services.core.units import MEASUREMENTS

STATION_COLUMNS = "id, name, latitude, longitude, elevation, timezone"
OBSERVATION_COLUMNS = "station_id, observed_at, " + ", ".join(MEASUREMENTS)


def ts(value: datetime) -> int:
    return int(value.timestamp())


def station_from_row(row: Sequence[Any]) -> Station:
    return Station(*row)


def observation_from_row(row: Sequence[Any]) -> Observation:
    return Observation(row[0], datetime.fromtimestamp(row[1], UTC), *row[2:11])


def station_params(station: Station) -> tuple[object, ...]:
    return (station.id, station.name, station.latitude, station.longitude, station.elevation,
            station.timezone)


def observation_params(obs: Observation) -> tuple[object, ...]:
    return (obs.station_id, ts(obs.observed_at), *(getattr(obs, m) for m in MEASUREMENTS))
