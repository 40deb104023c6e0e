"""``/stations`` and ``/stations/{station_id}``."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response

from services.core.domain import Station, version_of
from services.core.errors import InvalidArgument
from services.rest_api import links, render, schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.context import service
from services.rest_api.models import StationBody, StationsQuery
from services.rest_api.representation import (
    credential,
    if_match_version,
    no_content,
    represent,
)

api = ResourceBlueprint("stations", __name__,
                        "Weather stations.")
STATION_ID = {"station_id": "ICAO-style station id, e.g. KJFK"}


def _version(station_id: str) -> Callable[[], str]:
    return lambda: version_of(service().get_station(station_id))


def page_links(path: str, page_size: int | None, token: str | None) -> str | None:
    return links.with_query(path, page_size=page_size, page_token=token) if token else None


@api.operation("GET", "/stations", summary="List stations, paged", query=StationsQuery,
               replies={200: Reply("A page of stations", schemas.StationCollection,
                                   headers=("Link",))}, errors=(400,))
def list_stations(query: StationsQuery) -> Response:
    """Every station, embedded as HAL items, in pages of `page_size` (default 50, at most 500).
    The `next` and `prev` links (also in the `Link` header) page on; their tokens are bound to
    this query."""
    page = service().list_stations(query.page_size, query.page_token)
    self_href = links.with_query("/stations", page_size=query.page_size,
                                 page_token=query.page_token)
    next_href = page_links("/stations", query.page_size, page.next_page_token)
    prev_href = page_links("/stations", query.page_size, page.prev_page_token)
    doc = render.collection("stations", [render.station(s) for s in page.items], page,
                            self_href, next_href, prev_href, {"up": links.link("/")})
    return represent(doc, cache="stations",
                     link_header={k: v for k, v in (("next", next_href), ("prev", prev_href))
                                  if v})


@api.operation("GET", "/stations/{station_id}", summary="A station, with links to its data",
               path_params=STATION_ID, replies={200: Reply("The station", schemas.Station)},
               errors=(400, 404))
def get_station(station_id: str) -> Response:
    """A station's name, position, elevation and time zone, with links to its observations,
    latest observation, daily summaries, forecast, alerts and live feed. The ETag is the
    station's version, for `If-Match`."""
    station = service().get_station(station_id)
    return represent(render.station(station), cache="station", version=version_of(station))


@api.operation("PUT", "/stations/{station_id}", summary="Create or replace a station",
               path_params=STATION_ID, body=StationBody, writes=True,
               request_headers=("If-Match",),
               replies={200: Reply("Replaced", schemas.Station),
                        201: Reply("Created", schemas.Station, headers=("Location",))},
               errors=(400, 401, 403, 412, 413, 415))
def put_station(station_id: str, body: StationBody) -> Response:
    """Creates the station (201, with `Location`) or replaces it (200); the same PUT twice
    leaves the same state. Needs a writer API key; with `If-Match` it writes only while the
    station has that version (else 412)."""
    if body.id is not None and body.id != station_id:
        raise InvalidArgument.single("id", "must equal the station id in the URL")
    station = Station(station_id, body.name, body.latitude, body.longitude, body.elevation,
                      body.timezone)
    result = service().put_station(station, credential=credential(),
                                   if_match=if_match_version(_version(station_id)))
    return represent(render.station(result.value), cache="none", version=result.version,
                     status=201 if result.created else 200,
                     location=links.station(station_id) if result.created else None)


@api.operation("DELETE", "/stations/{station_id}",
               summary="Delete a station and all its observations", path_params=STATION_ID,
               writes=True, request_headers=("If-Match",),
               replies={204: Reply("Deleted")}, errors=(400, 401, 403, 404, 412))
def delete_station(station_id: str) -> Response:
    """Deletes the station and every observation of it (204); a repeat finds nothing (404).
    Needs a writer API key; `If-Match` makes it conditional."""
    service().delete_station(station_id, credential=credential(),
                             if_match=if_match_version(_version(station_id)))
    return no_content()
