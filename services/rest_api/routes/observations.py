"""A station's observations: the paged collection, the latest, one by its timestamp, and the
all-or-nothing batch POST."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response

from services.core.domain import Observation, version_of
from services.core.errors import FieldViolation, InvalidArgument
from services.core.service import in_units
from services.core.units import Units
from services.rest_api import links, render, schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.context import path_timestamp, service
from services.rest_api.models import BatchBody, ObservationBody, ObservationsQuery, UnitsQuery
from services.rest_api.representation import (
    credential,
    if_match_version,
    no_content,
    represent,
)

api = ResourceBlueprint("observations", __name__,
                        "A station's observations: the paged collection, the latest, "
                        "one by its time, and batches of any stations.")
STATION_ID = {"station_id": "ICAO-style station id, e.g. KJFK"}
OBSERVATION = {**STATION_ID, "observed_at": "UTC time of the observation, "
                                            "e.g. 2013-07-01T12:00:00Z"}


def _version(station_id: str, at: datetime) -> Callable[[], str]:
    return lambda: version_of(service().get_observation(station_id, at, Units.SI))


def _tagged(obs: Observation, units: Units, cache: str, self_href: str | None = None,
            **extra: object) -> Response:
    """An observation read in SI (to know its version) and shown in ``units``; the ETag is
    the version plus a units discriminator, so it still names the version for If-Match."""
    version = version_of(obs) + ("" if units is Units.SI else f".{units.value}")
    shown = in_units(obs, units)
    return represent(render.observation(shown, self_href), cache=cache, version=version,
                     **extra)  # type: ignore[arg-type]


@api.operation("GET", "/stations/{station_id}/observations",
               summary="A station's observations in [start, end), oldest first, paged",
               path_params=STATION_ID, query=ObservationsQuery,
               replies={200: Reply("A page of observations", schemas.ObservationCollection,
                                   headers=("Link",))}, errors=(400, 404))
def list_observations(station_id: str, query: ObservationsQuery) -> Response:
    """Observations recorded in the half-open range [start, end) (at most 366 days; default:
    the last day of data), oldest first, paged, in SI or US units. Timestamps without a time
    zone are refused."""
    page = service().list_observations(station_id, query.start, query.end, query.page_size,
                                       query.page_token, query.units)
    base = links.observations(station_id)
    common = {"start": query.start and links.timestamp(query.start),
              "end": query.end and links.timestamp(query.end),
              "page_size": query.page_size, "units": query.units}
    self_href = links.with_query(base, **common, page_token=query.page_token)
    next_href = (links.with_query(base, **common, page_token=page.next_page_token)
                 if page.next_page_token else None)
    prev_href = (links.with_query(base, **common, page_token=page.prev_page_token)
                 if page.prev_page_token else None)
    doc = render.collection("observations", [render.observation(o) for o in page.items],
                            page, self_href, next_href, prev_href,
                            {"station": links.link(links.station(station_id))})
    return represent(doc, cache="observations",
                     link_header={k: v for k, v in (("next", next_href), ("prev", prev_href))
                                  if v})


@api.operation("POST", "/stations/{station_id}/observations",
               summary="Record a batch of observations (SI units): all of them, or none",
               path_params=STATION_ID, body=BatchBody, writes=True,
               replies={200: Reply("What was stored", schemas.ImportResult)},
               errors=(400, 401, 403, 404, 413, 415))
def import_observations(station_id: str, body: BatchBody) -> Response:
    """Stores every observation of the batch (measurements in SI) in one transaction: all of
    them or none, at most 50,000 per request. An item may omit `station_id`; if given, it must
    be the URL's."""
    mismatched = [FieldViolation(f"observations[{i}].station_id",
                                 "must equal the station id in the URL")
                  for i, item in enumerate(body.observations)
                  if item.station_id is not None and item.station_id != station_id]
    if mismatched:
        raise InvalidArgument(mismatched)
    batch = (item.observation(station_id, item.observed_at)
             for item in body.observations)
    summary = service().import_observations(batch, credential=credential())
    return represent(render.import_summary(summary), cache="none")


@api.operation("GET", links.BATCH, summary="Where a batch of observations of any stations "
                                          "is POSTed", replies={200: Reply(
                   "What the resource is for", schemas.BatchEntry)})
def batch_entry() -> Response:
    """Says what this resource is for: a batch of observations of any stations is POSTed here."""
    return represent(render.batch_entry(), cache="entry")


@api.operation("POST", links.BATCH,
               summary="Record a batch of observations of any stations (SI units, each item "
                       "names its station_id): all of them, or none",
               body=BatchBody, writes=True,
               replies={200: Reply("What was stored", schemas.ImportResult)},
               errors=(400, 401, 403, 404, 413, 415))
def import_batch(body: BatchBody) -> Response:
    """Stores a batch of observations of any stations, each naming its `station_id`
    (measurements in SI), in one transaction: all of them or none, at most 50,000 per request."""
    unnamed = [FieldViolation(f"observations[{i}].station_id", "is required")
               for i, item in enumerate(body.observations) if item.station_id is None]
    if unnamed:
        raise InvalidArgument(unnamed)
    batch = (item.observation(item.station_id or "", item.observed_at)
             for item in body.observations)
    summary = service().import_observations(batch, credential=credential())
    return represent(render.import_summary(summary), cache="none")


@api.operation("GET", "/stations/{station_id}/observations/latest",
               summary="The station's most recent observation", path_params=STATION_ID,
               query=UnitsQuery, replies={200: Reply("The observation", schemas.Observation)},
               errors=(400, 404))
def get_latest_observation(station_id: str, query: UnitsQuery) -> Response:
    """The station's most recent observation, with a `canonical` link to its own URI. It
    changes whenever an observation is recorded, so it is fresh for 30 seconds only."""
    units = Units.parse(query.units)
    obs = service().get_latest_observation(station_id, Units.SI)
    return _tagged(obs, units, "latest", links.units_query(links.latest(station_id), units))


@api.operation("GET", "/stations/{station_id}/observations/{observed_at}",
               summary="One observation", path_params=OBSERVATION, query=UnitsQuery,
               replies={200: Reply("The observation", schemas.Observation)},
               errors=(400, 404))
def get_observation(station_id: str, observed_at: str, query: UnitsQuery) -> Response:
    """One observation, named by its UTC time, in SI or US units; a measurement not taken is
    null. The ETag is the observation's version (with `.us` in US units), for `If-Match`."""
    units = Units.parse(query.units)
    obs = service().get_observation(station_id, path_timestamp(observed_at), Units.SI)
    return _tagged(obs, units, "observation")


@api.operation("PUT", "/stations/{station_id}/observations/{observed_at}",
               summary="Create or replace one observation (SI units)",
               path_params=OBSERVATION, body=ObservationBody, writes=True,
               request_headers=("If-Match",),
               replies={200: Reply("Replaced", schemas.Observation),
                        201: Reply("Created", schemas.Observation, headers=("Location",))},
               errors=(400, 401, 403, 404, 412, 413, 415))
def put_observation(station_id: str, observed_at: str, body: ObservationBody) -> Response:
    """Creates (201) or replaces (200) the observation at this time; the same PUT twice leaves
    the same state. Measurements in SI, null where not measured. Needs a writer API key; `If-
    Match` makes it conditional."""
    at = path_timestamp(observed_at)
    wrong = []
    if body.station_id is not None and body.station_id != station_id:
        wrong.append(FieldViolation("station_id", "must equal the station id in the URL"))
    if body.observed_at is not None and body.observed_at != at:
        wrong.append(FieldViolation("observed_at", "must equal the time in the URL"))
    if wrong:
        raise InvalidArgument(wrong)
    result = service().put_observation(body.observation(station_id, at),
                                       credential=credential(),
                                       if_match=if_match_version(_version(station_id, at)))
    href = links.observation(station_id, result.value.observed_at)
    return represent(render.observation(result.value), cache="none", version=result.version,
                     status=201 if result.created else 200,
                     location=href if result.created else None)


@api.operation("DELETE", "/stations/{station_id}/observations/{observed_at}",
               summary="Delete one observation", path_params=OBSERVATION, writes=True,
               request_headers=("If-Match",), replies={204: Reply("Deleted")},
               errors=(400, 401, 403, 404, 412))
def delete_observation(station_id: str, observed_at: str) -> Response:
    """Deletes one observation (204); a repeat finds nothing (404). Needs a writer API key;
    `If-Match` makes it conditional."""
    at = path_timestamp(observed_at)
    service().delete_observation(station_id, at, credential=credential(),
                                 if_match=if_match_version(_version(station_id, at)))
    return no_content()
