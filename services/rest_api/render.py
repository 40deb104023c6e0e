"""Domain objects as HAL documents (plain dicts, serialised once by ``representation``).

Measurements carry their unit, NWS style: ``{"value": 21.1, "unitCode": "degC"}``, with the
unit code taken from the domain object (the core decides units); ``None`` stays ``null``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from services.core.domain import (
    Alert,
    DailySummary,
    Forecast,
    ForecastPeriod,
    ImportSummary,
    Observation,
    Page,
    Station,
)
from services.core.units import MEASUREMENTS, Units, unit_codes
from services.rest_api import links
from services.rest_api.links import link

Document = dict[str, Any]


def _time(value: datetime | None) -> str | None:
    return links.timestamp(value) if value is not None else None


def station(s: Station) -> Document:
    return {"_links": links.station_links(s.id), "id": s.id, "name": s.name,
            "latitude": s.latitude, "longitude": s.longitude, "elevation": s.elevation,
            "timezone": s.timezone}


# The unit codes of each unit system, computed once per process (they are the core's).
_OBSERVATION_CODES = {units: [(name, unit_codes(units)[name]) for name in MEASUREMENTS]
                      for units in Units}


def observation(o: Observation, self_href: str | None = None) -> Document:
    """On the hot path of every observation (latest, pages, live): each path and timestamp
    is spelled once (a page renders hundreds of these)."""
    units = o.units.value
    station_href = links.station(o.station_id)
    collection_href = links.observations(o.station_id)
    observed_at = links.timestamp(o.observed_at)
    canonical = links.units_query(links.observation_at(o.station_id, observed_at), units)
    doc_links = {"self": {"href": self_href or canonical},
                 "station": {"href": station_href},
                 "collection": {"href": collection_href}}
    if self_href is not None and self_href != canonical:
        doc_links["canonical"] = {"href": canonical}
    doc: Document = {"_links": doc_links, "station_id": o.station_id,
                     "observed_at": observed_at, "units": units}
    for name, code in _OBSERVATION_CODES[o.units]:
        doc[name] = {"value": getattr(o, name), "unitCode": code}
    return doc


def _paging_links(self_href: str, next_href: str | None,
                  prev_href: str | None) -> dict[str, links.Link]:
    found = {"self": link(self_href)}
    if next_href:
        found["next"] = link(next_href)
    if prev_href:
        found["prev"] = link(prev_href)
    return found


def collection(name: str, items: list[Document], page: Page[Any], self_href: str,
               next_href: str | None, prev_href: str | None,
               extra_links: dict[str, links.Link] | None = None) -> Document:
    doc_links = _paging_links(self_href, next_href, prev_href)
    doc_links.update(extra_links or {})
    return {"_links": doc_links, "_embedded": {name: items}, "count": len(items),
            "next_page_token": page.next_page_token,
            "prev_page_token": page.prev_page_token}


def daily(station_id: str, days: list[DailySummary], self_href: str, units: str) -> Document:
    summaries = []
    for day in days:
        codes = day.unit_codes
        item: Document = {"date": day.date.isoformat()}
        for name, code in codes.items():
            item[name] = {"value": getattr(day, name), "unitCode": code}
        item["observation_count"] = day.observation_count
        summaries.append(item)
    return {"_links": {"self": link(self_href), "station": link(links.station(station_id))},
            "station_id": station_id, "units": units, "days": summaries}


def _period(p: ForecastPeriod, codes: dict[str, str]) -> Document:
    doc: Document = {"number": p.number, "name": p.name, "start": p.start.isoformat(),
                     "end": p.end.isoformat()}
    for name, code in codes.items():
        doc[name] = {"value": getattr(p, name), "unitCode": code}
    doc["summary"] = p.summary
    return doc


def forecast(f: Forecast, self_href: str) -> Document:
    codes = f.unit_codes
    return {"_links": {"self": link(self_href), "station": link(links.station(f.station_id))},
            "station_id": f.station_id, "issued_at": links.timestamp(f.issued_at),
            "units": f.units.value, "periods": [_period(p, codes) for p in f.periods]}


def alert(a: Alert) -> Document:
    return {"_links": {"self": link(links.alert(a.id)),
                       "station": link(links.station(a.station_id))},
            "id": a.id, "station_id": a.station_id, "event": a.event,
            "severity": a.severity.value, "headline": a.headline,
            "description": a.description, "onset": links.timestamp(a.onset),
            "ends": links.timestamp(a.ends)}


def import_summary(summary: ImportSummary) -> Document:
    """What a batch stored, linking each station it wrote to and, for one station, the
    stored range of its observations."""
    ids = summary.station_ids
    doc_links: dict[str, Any] = {}
    if len(ids) == 1:
        doc_links["station"] = link(links.station(ids[0]))
        if summary.first_observed_at and summary.last_observed_at:
            doc_links["observations"] = link(links.with_query(
                links.observations(ids[0]), start=links.timestamp(summary.first_observed_at),
                end=links.timestamp(summary.last_observed_at + timedelta(seconds=1))))
    elif ids:
        doc_links["station"] = [link(links.station(i)) for i in ids]
    return {"_links": doc_links, "imported": summary.imported, "created": summary.created,
            "replaced": summary.replaced, "station_ids": list(summary.station_ids),
            "first_observed_at": _time(summary.first_observed_at),
            "last_observed_at": _time(summary.last_observed_at)}



def batch_entry() -> Document:
    """What ``/observations`` is, for a client that reads it."""
    return {"_links": {"self": link(links.BATCH), "stations": link("/stations")},
            "description": "POST {\"observations\": [...]} here to record observations of any "
                           "stations (each item names its station_id; SI units): all of them "
                           "are stored, or none."}


def live_feed(self_href: str, station_ids: Sequence[str], units: str) -> Document:
    """What a live feed is, for a client that did not ask for the stream itself."""
    doc_links = {"self": link(self_href),
                 "stream": link(self_href, type="text/event-stream")}
    if len(station_ids) == 1:
        doc_links["station"] = link(links.station(station_ids[0]))
    return {"_links": doc_links, "station_ids": list(station_ids), "units": units,
            "events": ["observation", "problem"],
            "description": "Server-Sent Events: each observation as it is recorded (id: its "
                           "change sequence; send Last-Event-ID to resume). Ask for "
                           "text/event-stream to receive it."}
