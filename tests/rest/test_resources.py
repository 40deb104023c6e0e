"""The resources and their links: the entry point, each resource family, paging, and a
generic crawler that finds everything from ``/`` by following links alone."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest

from services.store import open_store
from tests.rest.conftest import HAL, SEEDED
from tests.servers import HOST, served

ENTRY_RELS = {"self", "stations", "alerts", "openapi"}
STATION_RELS = {"self", "observations", "latest", "daily", "forecast", "alerts", "live",
                "collection"}
TEMPLATE_VALUES: dict[str, Any] = {
    "station_id": "KJFK", "observed_at": "2013-07-01T12:00:00Z", "alert_id":
    "KJFK-HEAT-20130706T1600Z", "slug": "not-found", "days": 2, "units": "us",
    "page_size": 5, "station": "KJFK"}


def expand(template: str, values: dict[str, Any]) -> str:
    """The RFC 6570 forms the entry point uses: ``{var}`` and ``{?a,b*}`` (level 4 explode)."""
    def query(match: re.Match[str]) -> str:
        pairs: list[tuple[str, Any]] = []
        for name in match.group(1).split(","):
            explode = name.endswith("*")
            name = name.rstrip("*")
            if name in values:
                value = values[name]
                listed = value if isinstance(value, list) else [value]
                pairs += [(name, v) for v in listed] if explode else [(name, value)]
        return "?" + urlencode(pairs) if pairs else ""

    expanded = re.sub(r"\{\?([^}]+)\}", query, template)
    return re.sub(r"\{(\w+)\}", lambda m: quote(str(values[m.group(1)]), safe=""), expanded)


def hal_get(http: httpx.Client, href: str, **params: Any) -> dict[str, Any]:
    # (httpx replaces the href's own query with ``params`` whenever they are given)
    response = http.get(href, params=params or None, headers={"Accept": HAL})
    assert response.status_code == 200, (href, response.text)
    assert response.headers["content-type"] == HAL
    document: dict[str, Any] = response.json()
    return document


def test_the_entry_point_links_to_every_collection_the_openapi_document_and_itself(
        http: httpx.Client) -> None:
    links = hal_get(http, "/")["_links"]
    assert links.keys() >= ENTRY_RELS
    assert links["self"]["href"] == "/"
    assert links["openapi"]["href"] == "/openapi.json"
    assert hal_get(http, links["stations"]["href"])["_embedded"]["stations"]
    assert hal_get(http, links["alerts"]["href"])["_embedded"]["alerts"]
    assert http.get(links["openapi"]["href"]).json()["openapi"] == "3.1.0"


def test_every_template_of_the_entry_point_expands_to_a_served_resource(
        http: httpx.Client) -> None:
    links = hal_get(http, "/")["_links"]
    templates = {rel: link for rel, link in links.items() if link.get("templated")}
    assert {"station", "station-observations", "observation", "latest-observation", "daily",
            "forecast", "alert", "find-alerts", "station-live", "live"} <= templates.keys()
    for rel, link in templates.items():
        href = expand(link["href"], TEMPLATE_VALUES)
        response = http.get(href, headers={"Accept": HAL})
        assert response.status_code == 200, (rel, href, response.text)


def test_a_station_links_to_itself_and_to_everything_about_it(http: httpx.Client) -> None:
    station = hal_get(http, "/stations/KJFK")
    assert station["id"] == "KJFK" and station["timezone"] == "America/New_York"
    links = station["_links"]
    assert links.keys() >= STATION_RELS
    assert links["self"]["href"] == "/stations/KJFK"
    assert links["live"]["type"] == "text/event-stream"
    for rel in STATION_RELS:
        document = hal_get(http, links[rel]["href"])  # the live feed describes itself in HAL
        assert "self" in document["_links"], rel
    latest = hal_get(http, links["latest"]["href"])
    assert latest["_links"]["station"]["href"] == "/stations/KJFK"


def test_stations_are_paged_with_next_and_prev_in_the_body_and_in_the_link_header(
        http: httpx.Client) -> None:
    first = http.get("/stations", params={"page_size": 2})
    body = first.json()
    assert body["count"] == 2 and "prev" not in body["_links"]
    assert first.links["next"]["url"] == body["_links"]["next"]["href"]
    second = http.get(first.links["next"]["url"])
    assert second.links["prev"]["url"] == second.json()["_links"]["prev"]["href"]
    back = http.get(second.links["prev"]["url"]).json()
    assert ([s["id"] for s in back["_embedded"]["stations"]]
            == [s["id"] for s in body["_embedded"]["stations"]])

    seen: list[str] = []
    href: str | None = "/stations?page_size=2"
    while href is not None:
        page = http.get(href)
        seen += [s["id"] for s in page.json()["_embedded"]["stations"]]
        href = page.links.get("next", {}).get("url")
        assert "Link" in page.headers or href is None
    assert len(seen) == len(set(seen)) and set(SEEDED) <= set(seen)
    assert seen == sorted(seen)


def test_observations_are_paged_through_a_half_open_range_in_the_units_asked_for(
        http: httpx.Client) -> None:
    params = {"start": "2013-07-01T00:00:00Z", "end": "2013-07-02T00:00:00Z",
              "page_size": 10, "units": "us"}
    page = hal_get(http, "/stations/KJFK/observations", **params)
    times: list[str] = []
    while True:
        items = page["_embedded"]["observations"]
        times += [o["observed_at"] for o in items]
        assert all(o["units"] == "us" and o["temperature"]["unitCode"] == "degF"
                   for o in items)
        assert all(o["_links"]["self"]["href"].endswith("?units=us") for o in items)
        if "next" not in page["_links"]:
            break
        assert "units=us" in page["_links"]["next"]["href"]
        page = hal_get(http, page["_links"]["next"]["href"])
    assert times == [f"2013-07-01T{h:02d}:00:00Z" for h in range(24)]
    last = http.get(page["_links"]["self"]["href"])
    assert last.links["prev"]["url"] == page["_links"]["prev"]["href"]
    assert "next" not in last.links


def test_an_observation_is_its_own_resource_and_the_latest_names_its_canonical_url(
        http: httpx.Client) -> None:
    href = "/stations/KJFK/observations/2013-07-01T12:00:00Z"
    one = http.get(href)
    assert one.json()["_links"]["self"]["href"] == href
    assert one.json()["sea_level_pressure"] == {"value": None, "unitCode": "hPa"}

    latest = http.get("/stations/KJFK/observations/latest")
    links = latest.json()["_links"]
    assert links["self"]["href"] == "/stations/KJFK/observations/latest"
    canonical = http.get(links["canonical"]["href"])
    assert canonical.headers["etag"] == latest.headers["etag"]  # the same version
    assert ({k: v for k, v in canonical.json().items() if k != "_links"}
            == {k: v for k, v in latest.json().items() if k != "_links"})


def test_daily_summaries_cover_each_local_date_of_an_inclusive_range(
        http: httpx.Client) -> None:
    daily = hal_get(http, "/stations/KJFK/daily", start="2013-07-01", end="2013-07-03")
    assert [d["date"] for d in daily["days"]] == ["2013-07-01", "2013-07-02", "2013-07-03"]
    assert all(d["observation_count"] == 24 for d in daily["days"])
    assert daily["_links"]["self"]["href"] == "/stations/KJFK/daily?start=2013-07-01&end=2013-07-03"
    assert daily["_links"]["station"]["href"] == "/stations/KJFK"


def test_the_forecast_has_one_period_per_day_asked_for_in_the_units_asked_for(
        http: httpx.Client) -> None:
    forecast = hal_get(http, "/stations/KJFK/forecast", days=3, units="us")
    assert [p["number"] for p in forecast["periods"]] == [1, 2, 3]
    assert forecast["periods"][0]["temperature_high"]["unitCode"] == "degF"
    assert forecast["_links"]["self"]["href"] == "/stations/KJFK/forecast?days=3&units=us"


def test_alerts_are_filtered_by_station_and_time_and_each_links_to_its_own_resource(
        http: httpx.Client) -> None:
    page = http.get("/alerts", params={"station": "KJFK", "start": "2013-07-01T00:00:00Z",
                                       "end": "2013-08-01T00:00:00Z", "page_size": 2})
    body = page.json()
    alerts = body["_embedded"]["alerts"]
    assert len(alerts) == 2 and all(a["station_id"] == "KJFK" for a in alerts)
    assert all(a["ends"] > "2013-07-01" and a["onset"] < "2013-08-01" for a in alerts)
    assert page.links["next"]["url"] == body["_links"]["next"]["href"]
    assert body["_links"]["station"]["href"] == "/stations/KJFK"
    for alert in alerts:
        assert hal_get(http, alert["_links"]["self"]["href"]) == alert


RESOURCE_KINDS = {
    "stations": r"/stations(\?.*)?",
    "station": r"/stations/[A-Z0-9]{4}",
    "observations": r"/stations/[A-Z0-9]{4}/observations(\?.*)?",
    "observation": r"/stations/[A-Z0-9]{4}/observations/\d{4}-[^/?]+(\?.*)?",
    "latest": r"/stations/[A-Z0-9]{4}/observations/latest(\?.*)?",
    "daily": r"/stations/[A-Z0-9]{4}/daily(\?.*)?",
    "forecast": r"/stations/[A-Z0-9]{4}/forecast(\?.*)?",
    "alerts": r"/alerts(\?.*)?",
    "alert": r"/alerts/[^/?]+",
    "live": r"/stations/[A-Z0-9]{4}/observations/live(\?.*)?",
}


def links_in(document: Any) -> list[dict[str, Any]]:
    """Every HAL link object anywhere in a document (its own and its embedded items')."""
    found: list[dict[str, Any]] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "_links":
                for link in value.values():
                    found += link if isinstance(link, list) else [link]
            else:
                found += links_in(value)
    elif isinstance(document, list):
        for item in document:
            found += links_in(item)
    return found


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    """A REST server over a database of its own, freshly seeded: the crawl's request budget
    is not spent on the stations other tests leave in the shared one."""
    path = tmp_path_factory.mktemp("crawl") / "fourcast.sqlite3"
    open_store(path).close()
    with served("rest", path, path.parent) as server, \
            httpx.Client(base_url=f"http://{HOST}:{server.port}", timeout=10) as client:
        yield client


def test_a_generic_crawler_reaches_every_kind_of_resource_from_the_entry_point(
        pristine: httpx.Client) -> None:
    """Breadth-first from ``/``, following every non-templated href and knowing nothing of
    the URI space; bounded by a request budget. Every link answers HAL with a ``self`` link,
    except that one typed as another media type may refuse HAL (the OpenAPI document) or
    answer in the type its link announced (the documentation page, HTML)."""
    queue: deque[tuple[str, str | None]] = deque([("/", None)])
    seen, fetched = {"/"}, 0
    reached: set[str] = set()
    while queue and fetched < 300:
        href, typed = queue.popleft()
        fetched += 1
        response = pristine.get(href, headers={"Accept": HAL})
        if typed and (response.status_code == 406 or (
                response.status_code == 200
                and response.headers["content-type"].split(";")[0] == typed)):
            continue
        assert response.status_code == 200, (href, response.status_code, response.text)
        document = response.json()
        assert "self" in document["_links"], href
        reached |= {kind for kind, pattern in RESOURCE_KINDS.items()
                    if re.fullmatch(pattern, href)}
        for link in links_in(document):
            target = link["href"]
            if link.get("templated") or target in seen:
                continue  # a template needs values the crawler does not have
            seen.add(target)
            queue.append((target, link.get("type")))
    assert reached == set(RESOURCE_KINDS), set(RESOURCE_KINDS) - reached
