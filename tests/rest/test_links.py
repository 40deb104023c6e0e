"""The URIs ``services/rest_api/links.py`` spells with f-strings are the ones the routes
serve: each builder's path, matched against the application's URL map, reaches the view
that serves that kind of resource."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Flask

from services.rest_api import links

AT = datetime(2013, 7, 1, 12, tzinfo=UTC)


def test_every_link_builder_names_the_route_of_its_resource(rest_app: Flask) -> None:
    urls = rest_app.url_map.bind("localhost")
    built = {
        links.station("KJFK"): "stations.get_station",
        links.observations("KJFK"): "observations.list_observations",
        links.observation("KJFK", AT): "observations.get_observation",
        links.latest("KJFK"): "observations.get_latest_observation",
        links.live("KJFK"): "live.watch_station",
        links.daily("KJFK"): "derived.daily_summaries",
        links.forecast("KJFK"): "derived.get_forecast",
        links.alerts(): "alerts.list_alerts",
        links.alerts("KJFK"): "alerts.list_alerts",
        links.alert("KJFK-HEAT-20130706T1600Z"): "alerts.get_alert",
    }
    for href, endpoint in built.items():
        assert urls.match(urlsplit(href).path, "GET")[0] == endpoint, href
    assert links.observation("KJFK", AT) == "/stations/KJFK/observations/2013-07-01T12:00:00Z"
    assert links.units_query(links.latest("KJFK"), "us").endswith("/latest?units=us")
    assert links.units_query(links.latest("KJFK"), "si").endswith("/latest")


def test_a_station_links_to_resources_of_that_same_station(rest_app: Flask) -> None:
    urls = rest_app.url_map.bind("localhost")
    matched = {rel: (urls.match(urlsplit(link["href"]).path, "GET"), urlsplit(link["href"]))
               for rel, link in links.station_links("KSEA").items()}
    for rel in ("self", "observations", "latest", "daily", "forecast", "live"):
        (_, values), _ = matched[rel]
        assert values == {"station_id": "KSEA"}, rel
    (endpoint, _), alerts = matched["alerts"]
    assert (endpoint, alerts.query) == ("alerts.list_alerts", "station=KSEA")
    assert matched["collection"][0][0] == "stations.list_stations"
