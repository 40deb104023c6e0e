"""Every operation, called through the zeep client against the real served process."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from clients.soap_client import SoapClient
from services.core.domain import Observation, Station
from services.core.units import Units


def test_stations_page_forward_and_back(client: SoapClient) -> None:
    first = client.list_stations(page_size=2)
    assert [s.id for s in first.items] == ["KEWR", "KJFK"]
    assert first.next_page_token
    second = client.list_stations(page_size=2, page_token=first.next_page_token)
    assert second.prev_page_token
    assert client.list_stations(page_size=2, page_token=second.prev_page_token) == first


def test_a_missing_measurement_stays_missing_through_a_write_and_a_read(
        client: SoapClient) -> None:
    client.put_station(Station("ZSOA", "Sparse", 10.0, 20.0, 30.0, "UTC"))
    at = datetime(2021, 6, 1, 12, tzinfo=UTC)
    written = client.put_observation(Observation("ZSOA", at, temperature=0.0))
    assert written.created
    read = client.get_observation("ZSOA", at)
    assert (read.temperature, read.dewpoint, read.visibility) == (0.0, None, None)
    assert client.get_latest_observation("ZSOA", Units.US).temperature == 32.0
    client.delete_observation("ZSOA", at)
    client.delete_station("ZSOA")


def test_an_import_is_summarised_and_listed(client: SoapClient) -> None:
    client.put_station(Station("ZSOB", "Imported", 10.0, 20.0, 30.0, "UTC"))
    start = datetime(2021, 6, 1, tzinfo=UTC)
    batch = [Observation("ZSOB", start.replace(hour=h), temperature=float(h)) for h in range(3)]
    summary = client.import_observations(batch)
    assert (summary.imported, summary.created, summary.station_ids) == (3, 3, ("ZSOB",))
    page = client.list_observations("ZSOB", start, start.replace(day=2), page_size=2)
    assert [o.temperature for o in page.items] == [0.0, 1.0]
    assert client.daily_summaries("ZSOB", date(2021, 6, 1), date(2021, 6, 1))[0] \
        .observation_count == 3


def test_polling_replaces_the_watch_soap_cannot_offer(client: SoapClient) -> None:
    assert not client.supports_push
    with pytest.raises(NotImplementedError, match="no push"):
        client.watch_observations(["KJFK"])
    client.put_station(Station("ZSOC", "Polled", 10.0, 20.0, 30.0, "UTC"))
    since = client.current_sequence()
    at = datetime(2021, 6, 1, tzinfo=UTC)
    client.put_observation(Observation("ZSOC", at, wind_speed=3.0))
    recorded = client.observations_since(since, ["ZSOC"])
    assert [(r.observation.station_id, r.observation.wind_speed) for r in recorded] == \
        [("ZSOC", 3.0)]
    assert recorded[0].sequence > since
    assert client.observations_since(recorded[0].sequence, ["ZSOC"]) == []


def test_forecast_and_alerts_are_served(client: SoapClient) -> None:
    forecast = client.get_forecast("KJFK", days=2, units=Units.US)
    assert [p.number for p in forecast.periods] == [1, 2]
    alerts = client.list_alerts("KJFK", page_size=1)
    assert len(alerts.items) == 1
    assert client.get_alert(alerts.items[0].id) == alerts.items[0]
