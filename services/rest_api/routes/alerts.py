"""``/alerts`` (paged, filterable by station and time) and ``/alerts/{alert_id}``."""

from __future__ import annotations

from flask import Response

from services.rest_api import links, render, schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.context import service
from services.rest_api.models import AlertsQuery
from services.rest_api.representation import represent

api = ResourceBlueprint("alerts", __name__,
                        "Alerts derived from the observations.")


@api.operation("GET", "/alerts", summary="Alerts active in [start, end), by onset, paged",
               query=AlertsQuery,
               replies={200: Reply("A page of alerts", schemas.AlertCollection,
                                   headers=("Link",))}, errors=(400, 404))
def list_alerts(query: AlertsQuery) -> Response:
    """Alerts derived from observations by thresholds after the US National Weather Service's
    (wind, heat, cold, rain), active in [start, end), optionally of one `station`, by onset,
    paged."""
    page = service().list_alerts(query.station, query.start, query.end, query.page_size,
                                 query.page_token)
    common = {"station": query.station, "start": query.start and links.timestamp(query.start),
              "end": query.end and links.timestamp(query.end), "page_size": query.page_size}
    self_href = links.with_query("/alerts", **common, page_token=query.page_token)
    next_href = (links.with_query("/alerts", **common, page_token=page.next_page_token)
                 if page.next_page_token else None)
    prev_href = (links.with_query("/alerts", **common, page_token=page.prev_page_token)
                 if page.prev_page_token else None)
    extra = {"up": links.link("/")}
    if query.station:
        extra["station"] = links.link(links.station(query.station))
    doc = render.collection("alerts", [render.alert(a) for a in page.items], page, self_href,
                            next_href, prev_href, extra)
    return represent(doc, cache="alerts",
                     link_header={k: v for k, v in (("next", next_href), ("prev", prev_href))
                                  if v})


@api.operation("GET", "/alerts/{alert_id}", summary="One alert",
               path_params={"alert_id": "e.g. KJFK-WIND-20130131T1400Z"},
               replies={200: Reply("The alert", schemas.Alert)}, errors=(400, 404))
def get_alert(alert_id: str) -> Response:
    """One alert in the spirit of CAP: event, severity, headline, description, onset and end,
    with a link to its station."""
    return represent(render.alert(service().get_alert(alert_id)), cache="alerts")
