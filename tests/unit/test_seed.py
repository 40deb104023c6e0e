"""The packaged seed holds the real observations, converted exactly, nulls kept."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.core import Observation
from services.store import seed

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DATA = ROOT / "scripts" / "source_data"  # the shared data set's CSVs, gzipped


@pytest.fixture(scope="module")
def observations() -> dict[tuple[str, datetime], Observation]:
    return {(o.station_id, o.observed_at): o for o in seed.load_observations()}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_seed_holds_every_real_observation(observations: dict) -> None:
    per_station: dict[str, int] = {}
    for station_id, _ in observations:
        per_station[station_id] = per_station.get(station_id, 0) + 1
    assert sum(per_station[s] for s in ("KEWR", "KJFK", "KLGA")) == 26_115
    assert per_station["KSEA"] == 8_759
    assert per_station["KSFO"] == 8_759


def test_the_five_stations_are_seeded_with_metres_and_zones() -> None:
    stations = {s.id: s for s in seed.load_stations()}
    assert sorted(stations) == ["KEWR", "KJFK", "KLGA", "KSEA", "KSFO"]
    assert stations["KEWR"].elevation == 5.5  # 18 ft
    assert stations["KLGA"].timezone == "America/New_York"
    assert stations["KSFO"].timezone == "America/Los_Angeles"


def test_us_units_are_converted_exactly_to_si(observations: dict) -> None:
    first = observations[("KEWR", at("2013-01-01T06:00:00"))]
    assert first == Observation(
        "KEWR", at("2013-01-01T06:00:00"), temperature=3.9, dewpoint=-3.3,
        relative_humidity=59.37, wind_speed=4.63, wind_direction=270.0, wind_gust=None,
        precipitation_last_hour=0.0, sea_level_pressure=1012.0, visibility=16093.4)


def test_missing_values_are_null_never_zero(observations: dict) -> None:
    nyc = [o for (s, _), o in observations.items() if s in ("KEWR", "KJFK", "KLGA")]
    assert sum(o.wind_gust is None for o in nyc) == 20_778
    assert sum(o.sea_level_pressure is None for o in nyc) == 2_729
    assert sum(o.wind_direction is None for o in nyc) == 460
    assert sum(o.temperature is None for o in nyc) == 1
    # 4 empty cells, plus the one implausible 1,048 mph reading dropped by quality control
    assert sum(o.wind_speed is None for o in nyc) == 5
    assert observations[("KEWR", at("2013-02-12T08:00:00"))].wind_speed is None


def test_the_west_coast_local_times_cross_dst_in_utc(observations: dict) -> None:
    # 2010-03-14 02:00 does not exist in Los Angeles; read as PST it is 10:00 UTC
    assert observations[("KSEA", at("2010-03-14T10:00:00"))].temperature == 6.11  # 43.0 °F
    # the repeated 01:00 on 2010-11-07 appears once (PDT, 08:00 UTC): 09:00 UTC is absent
    assert ("KSEA", at("2010-11-07T08:00:00")) in observations
    assert ("KSEA", at("2010-11-07T09:00:00")) not in observations


def test_rebuilding_the_seed_reproduces_the_committed_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_seed.py"),
                    "--data", str(SOURCE_DATA), "--out", str(tmp_path)],
                   check=True, capture_output=True)
    packaged = ROOT / "services" / "store" / "seed"
    for name in ("stations.csv", "observations.csv.gz"):
        assert (tmp_path / name).read_bytes() == (packaged / name).read_bytes(), name
