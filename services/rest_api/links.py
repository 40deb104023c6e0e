"""Where each resource lives: the one place that spells the URI space.

Paths are built with f-strings rather than ``url_for`` because they are on the hot path of
every representation; ``tests/rest/test_links.py`` checks them against the routes.
HAL links are ``{"href": ...}`` objects; parameterised ones are RFC 6570 templates.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

Link = dict[str, Any]

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def link(href: str, **extra: Any) -> Link:
    return {"href": href, **extra}


def template(href: str) -> Link:
    return {"href": href, "templated": True}


def with_query(path: str, **params: Any) -> str:
    pairs = [(k, v) for k, v in params.items() if v is not None and v != ""]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def timestamp(value: datetime) -> str:
    """``TIMESTAMP_FORMAT`` (whole seconds, ``Z``), spelled without ``strftime``, which
    costs several times more on the hot path of every observation."""
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"


BATCH = "/observations"  # observations of any stations, POSTed as one all-or-nothing batch
OPENAPI_DOCUMENT = "/openapi.json"
DOCS = "/docs"  # Swagger UI over the OpenAPI document (rest_api/docs.py): not an operation


def _segment(value: str) -> str:
    # ids are ASCII letters and digits almost always: nothing to escape, no quote() call
    return value if value.isascii() and value.isalnum() else quote(value, safe="")


# A station's paths are spelled once per process (bounded): a page renders each of them for
# every one of its up to 500 observations.
@functools.lru_cache(maxsize=1024)
def station(station_id: str) -> str:
    return f"/stations/{_segment(station_id)}"


@functools.lru_cache(maxsize=1024)
def observations(station_id: str) -> str:
    return f"{station(station_id)}/observations"


def observation(station_id: str, observed_at: datetime) -> str:
    return observation_at(station_id, timestamp(observed_at))


def observation_at(station_id: str, observed_at: str) -> str:
    """:func:`observation` for a time already spelled by :func:`timestamp`."""
    return f"{observations(station_id)}/{observed_at}"


def latest(station_id: str) -> str:
    return f"{observations(station_id)}/latest"


def live(station_id: str) -> str:
    return f"{observations(station_id)}/live"


def daily(station_id: str) -> str:
    return f"{station(station_id)}/daily"


def forecast(station_id: str) -> str:
    return f"{station(station_id)}/forecast"


def alerts(station_id: str | None = None) -> str:
    return with_query("/alerts", station=station_id)


def alert(alert_id: str) -> str:
    return f"/alerts/{quote(alert_id, safe='')}"


def units_query(path: str, units: str) -> str:
    """Links keep the caller's unit system, so following them stays in it."""
    return path if units == "si" else with_query(path, units=units)


def station_links(station_id: str) -> dict[str, Link]:
    """Everything a station leads to (its own representation and its related resources)."""
    return {
        "self": link(station(station_id)),
        "observations": link(observations(station_id)),
        "latest": link(latest(station_id)),
        "daily": link(daily(station_id)),
        "forecast": link(forecast(station_id)),
        "alerts": link(alerts(station_id)),
        "live": link(live(station_id), type="text/event-stream"),
        "collection": link("/stations"),
    }


ROOT_TEMPLATES: dict[str, str] = {
    "station": "/stations/{station_id}",
    "station-observations":
        "/stations/{station_id}/observations{?start,end,page_size,page_token,units}",
    "observation": "/stations/{station_id}/observations/{observed_at}{?units}",
    "latest-observation": "/stations/{station_id}/observations/latest{?units}",
    "station-live": "/stations/{station_id}/observations/live{?units}",
    "daily": "/stations/{station_id}/daily{?start,end,units}",
    "forecast": "/stations/{station_id}/forecast{?days,units}",
    "alert": "/alerts/{alert_id}",
    "find-alerts": "/alerts{?station,start,end,page_size,page_token}",
    "live": "/live{?station*,units}",
    "problem": "/problems/{slug}",
}
