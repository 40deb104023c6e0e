"""The packaged seed: real observations in SI and UTC (built by ``scripts/build_seed.py``).

``seed/stations.csv`` and ``seed/observations.csv.gz`` ship inside the package, so a fresh
install seeds an empty database with no network and no access to the source files.
"""

from __future__ import annotations

import csv
import gzip
import io
from datetime import datetime
from importlib import resources
from typing import Any

from services.core.domain import Observation, Station
from services.core.units import MEASUREMENTS

STATION_HEADER = ("id", "name", "latitude", "longitude", "elevation", "timezone")
OBSERVATION_HEADER = ("station_id", "observed_at", *MEASUREMENTS)
SOURCE = "packaged seed: NYC 2013 (KEWR, KJFK, KLGA), Seattle and San Francisco 2010"


def format_value(value: float | None) -> str:
    """A float as its shortest round-tripping text; missing as an empty cell."""
    return "" if value is None else repr(float(value))


def _float(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def load_stations() -> list[Station]:
    text = resources.files("services.store").joinpath("seed/stations.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == STATION_HEADER
    return [Station(r[0], r[1], float(r[2]), float(r[3]), float(r[4]), r[5]) for r in rows[1:]]


def load_observations() -> list[Observation]:
    raw = resources.files("services.store").joinpath("seed/observations.csv.gz").read_bytes()
    rows = csv.reader(io.StringIO(gzip.decompress(raw).decode("utf-8")))
    header = next(rows)
    assert tuple(header) == OBSERVATION_HEADER
    def observation(r: list[str]) -> Observation:
        values: dict[str, Any] = dict(zip(MEASUREMENTS, (_float(c) for c in r[2:]), strict=True))
        return Observation(r[0], datetime.fromisoformat(r[1].replace("Z", "+00:00")), **values)

    return [observation(r) for r in rows]
