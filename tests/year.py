"""A year of one station, as the memory tests of every protocol fetch it (issue 10)."""

from __future__ import annotations

from datetime import UTC, datetime

from clients.base import WeatherClient

STATION = "KJFK"
START, END = datetime(2013, 1, 1, tzinfo=UTC), datetime(2014, 1, 1, tzinfo=UTC)
YEAR_MAX_GROWTH = 20 * 2**20  # issue 10: a year served costs the server under 20 MB


def page_through_the_year(client: WeatherClient, page_size: int = 500) -> int:
    """Every page of KJFK's 2013, as a client pages through it; the rows read."""
    count, token = 0, None
    while True:
        page = client.list_observations(STATION, START, END, page_size=page_size,
                                        page_token=token)
        count += len(page.items)
        token = page.next_page_token
        if not token:
            return count
