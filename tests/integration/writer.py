"""A separate writer process for the multi-process tests: ``python -m tests.integration.writer
DB STATION FIRST_HOUR COUNT`` puts COUNT observations one by one, each its own transaction."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from services.core import Observation, WeatherService
from services.core.auth import KeyChecker
from services.store import connect

KEY = "writer-key"
EPOCH = datetime(2030, 1, 1, tzinfo=UTC)


def main() -> None:
    db, station_id, first, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    service = WeatherService(connect(db), KeyChecker([KEY]))
    for hour in range(first, first + count):
        service.put_observation(
            Observation(station_id, EPOCH + timedelta(hours=hour), temperature=hour % 50),
            credential=KEY)


if __name__ == "__main__":
    main()
