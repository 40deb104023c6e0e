"""Data derived from a station's observations: daily summaries and the forecast."""

from __future__ import annotations

from flask import Response, request

from services.core.units import Units
from services.rest_api import schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.context import service
from services.rest_api.models import DailyQuery, ForecastQuery
from services.rest_api.render import daily, forecast
from services.rest_api.representation import represent

api = ResourceBlueprint("derived", __name__,
                        "Computed from the observations: daily "
                        "summaries and the demonstration forecast.")
STATION_ID = {"station_id": "ICAO-style station id, e.g. KJFK"}


def _self_href() -> str:
    return request.full_path.rstrip("?")


@api.operation("GET", "/stations/{station_id}/daily",
               summary="Daily summaries per local date in [start, end] (default: last 7 days)",
               path_params=STATION_ID, query=DailyQuery,
               replies={200: Reply("The summaries", schemas.DailySummaries)}, errors=(400, 404))
def daily_summaries(station_id: str, query: DailyQuery) -> Response:
    """Per local date of the station (so a DST day has 23 or 25 hours), in [start, end]
    inclusive: temperature minimum, maximum and mean, precipitation total, maximum gust and the
    number of observations."""
    days = service().daily_summaries(station_id, query.start, query.end, query.units)
    doc = daily(station_id, days, _self_href(), Units.parse(query.units).value)
    return represent(doc, cache="derived")


@api.operation("GET", "/stations/{station_id}/forecast",
               summary="A demonstration climatological forecast, one period per local day",
               path_params=STATION_ID, query=ForecastQuery,
               replies={200: Reply("The forecast", schemas.Forecast)}, errors=(400, 404))
def get_forecast(station_id: str, query: ForecastQuery) -> Response:
    """A demonstration forecast, not a prediction: for each of the next `days` local days after
    the latest observation, the mean high and low, chance of precipitation and mean wind of the
    same calendar window in every year of the station's record."""
    result = service().get_forecast(station_id, query.days, query.units)
    return represent(forecast(result, _self_href()), cache="derived")
