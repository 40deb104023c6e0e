"""Build Fourcast's packaged seed from the real observations in ``scripts/source_data``.

    python scripts/build_seed.py [--data scripts/source_data] [--out services/store/seed]

The source files are the shared data set's CSVs, kept here gzipped (``*.csv.gz``, read as they
are; a folder of plain ``*.csv`` works too), so that a clone can rebuild the seed on its own.

Writes ``stations.csv`` and ``observations.csv.gz`` (SI units, UTC, ISO 8601 ``Z`` times, empty
cell = not measured). The output is byte-for-byte reproducible (sorted rows, gzip mtime 0), and a
test rebuilds it to prove the committed seed matches the script.

Conversions (exact factors): °F → °C (f − 32) × 5/9, 2 decimals; mph → m/s × 0.44704,
3 decimals; in → mm × 25.4, 3 decimals; mi → m × 1609.344, 1 decimal; ft → m × 0.3048,
1 decimal; pressure is already hPa. Values outside the core's plausible ranges (one NYC wind speed
of 1,048 mph) become missing, never 0, and are counted on stdout.

The 2010 Seattle and San Francisco series are local wall-clock times with no zone: they are read
in America/Los_Angeles. The one wall time that does not exist (2010-03-14 02:00, skipped by the
spring-forward) is read with the offset in force before the change (PST, as ``fold=0`` does),
i.e. 10:00 UTC, which keeps the series hourly in UTC; the repeated hour in November is present
once in the data and read as its first occurrence (PDT).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo

from services.core.domain import Observation, Station
from services.core.errors import InvalidArgument
from services.core.units import FAHRENHEIT_TO_C, FOOT_TO_M, INCH_TO_MM, MILE_TO_M, MPH_TO_MS
from services.core.validation import check_observation, check_station
from services.store.seed import OBSERVATION_HEADER, STATION_HEADER, format_value

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "scripts" / "source_data"
DEFAULT_OUT = ROOT / "services" / "store" / "seed"

# The two 2010 series name no station: Fourcast files them under the city's main airport.
WEST_COAST = {
    "seattle_hourly_temps_2010.csv": Station(
        "KSEA", "Seattle", 47.4502, -122.3088, 131.1, "America/Los_Angeles"),
    "sf_hourly_temps_2010.csv": Station(
        "KSFO", "San Francisco", 37.619, -122.3748, 4.0, "America/Los_Angeles"),
}


def _number(cell: str, convert=None, decimals: int | None = None) -> float | None:
    if cell.strip() == "":
        return None
    value = float(cell)
    if convert is not None:
        value = convert(value)
    return round(value, decimals) if decimals is not None else value


def _quality_controlled(obs: Observation, rejected: dict[str, int]) -> Observation:
    """Drop (to missing) each measurement outside the core's plausible ranges."""
    try:
        check_observation(obs)
        return obs
    except InvalidArgument as error:
        fields = {v.field for v in error.violations}
        for field in fields:
            rejected[field] = rejected.get(field, 0) + 1
        return check_observation(replace(obs, **{f: None for f in fields}))


def _source(data: Path, name: str) -> IO[str]:
    """A source CSV of ``data``, plain or gzipped."""
    if (data / name).exists():
        return open(data / name, newline="", encoding="utf-8")
    return gzip.open(data / f"{name}.gz", "rt", newline="", encoding="utf-8")


def nyc(data: Path, rejected: dict[str, int]) -> tuple[list[Station], list[Observation]]:
    stations = []
    with _source(data, "nyc_stations.csv") as f:
        for row in csv.DictReader(f):
            stations.append(check_station(Station(
                "K" + row["faa"], row["name"], float(row["lat"]), float(row["lon"]),
                round(FOOT_TO_M(float(row["alt"])), 1), row["tzone"])))
    observations = []
    with _source(data, "nyc_hourly_2013.csv") as f:
        for row in csv.DictReader(f):
            obs = Observation(
                station_id="K" + row["origin"],
                observed_at=datetime.fromisoformat(row["time_hour"].replace("Z", "+00:00")),
                temperature=_number(row["temp"], FAHRENHEIT_TO_C, 2),
                dewpoint=_number(row["dewp"], FAHRENHEIT_TO_C, 2),
                relative_humidity=_number(row["humid"], None, 2),
                wind_speed=_number(row["wind_speed"], MPH_TO_MS, 3),
                wind_direction=_number(row["wind_dir"], None, 1),
                wind_gust=_number(row["wind_gust"], MPH_TO_MS, 3),
                precipitation_last_hour=_number(row["precip"], INCH_TO_MM, 3),
                sea_level_pressure=_number(row["pressure"], None, 1),
                visibility=_number(row["visib"], MILE_TO_M, 1),
            )
            observations.append(_quality_controlled(obs, rejected))
    return stations, observations


def west_coast(data: Path, name: str, station: Station,
               rejected: dict[str, int]) -> list[Observation]:
    zone = ZoneInfo(station.timezone)
    observations = []
    with _source(data, name) as f:
        for row in csv.DictReader(f):
            text = row["date"]
            fmt = "%Y/%m/%d %H:%M:%S" if text.count(":") == 2 else "%Y/%m/%d %H:%M"
            local = datetime.strptime(text, fmt).replace(tzinfo=zone, fold=0)
            obs = Observation(station.id, local.astimezone(UTC),
                              temperature=_number(row["temp"], FAHRENHEIT_TO_C, 2))
            observations.append(_quality_controlled(obs, rejected))
    return observations


def build(data: Path) -> tuple[list[Station], list[Observation], dict[str, int]]:
    rejected: dict[str, int] = {}
    stations, observations = nyc(data, rejected)
    for name, station in WEST_COAST.items():
        stations.append(check_station(station))
        observations.extend(west_coast(data, name, station, rejected))
    stations.sort(key=lambda s: s.id)
    observations.sort(key=lambda o: (o.station_id, o.observed_at))
    keys = {(o.station_id, o.observed_at) for o in observations}
    if len(keys) != len(observations):
        raise SystemExit("the seed has two observations of one station at one instant")
    return stations, observations, rejected


def write(out: Path, stations: list[Station], observations: list[Observation]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "stations.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(STATION_HEADER)
        for s in stations:
            writer.writerow([s.id, s.name, format_value(s.latitude), format_value(s.longitude),
                             format_value(s.elevation), s.timezone])
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(OBSERVATION_HEADER)
    for o in observations:
        writer.writerow([o.station_id, o.observed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         *(format_value(v) for v in list(o.measurements().values()))])
    with open(out / "observations.csv.gz", "wb") as raw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    stations, observations, rejected = build(args.data)
    write(args.out, stations, observations)
    print(f"{len(stations)} stations, {len(observations)} observations -> {args.out}")
    for field, count in sorted(rejected.items()):
        print(f"quality control: {count} implausible {field} value(s) set to missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
