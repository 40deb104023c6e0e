"""The GraphQL server's bench endpoints (``fourcast bench``): its ceiling and its usage.

- ``POST /bench/graphql``: Strawberry's hello-world. A schema of its own with one query field,
  ``latestObservation(stationId: String!, units: UnitSystem = SI): Observation``, of the real
  ``Observation`` type, answering :data:`~services.core.ceiling.CEILING_OBSERVATION` (converted
  once, at import). It is served by Strawberry's own view class (the one the real endpoint's
  view extends) with the real endpoint's view settings and the same parser and validation
  caches, in the same granian process, behind the same path dispatch: the very same JSON body
  can be posted to ``/graphql`` and here. Nothing of Fourcast is in its way: no context, no
  DataLoaders, no store, no limits or cost extensions, no error contract, no media negotiation.
- ``GET /bench/usage``: :func:`~services.core.ceiling.process_usage` of this server process as
  JSON; ``POST`` resets the peak first.

Both are plain HTTP (no websocket), and absent (the JSON 404 of any unknown path) when
``FOURCAST_BENCH_ENDPOINTS=0``.
"""

from __future__ import annotations

from typing import Any

import strawberry
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from services.core.ceiling import CEILING_OBSERVATION, process_usage
from services.graphql_api.schema import CACHE_SIZE
from services.graphql_api.types.observation import Observation
from services.graphql_api.types.units import UnitSystem

CEILING_PATH = "/bench/graphql"
USAGE_PATH = "/bench/usage"

_OBSERVATION = Observation.from_domain(CEILING_OBSERVATION)


@strawberry.type
class CeilingQuery:
    @strawberry.field(description="The constant ceiling record, whatever the station.")
    def latest_observation(self, station_id: str,
                           units: UnitSystem = UnitSystem.SI) -> Observation | None:
        return _OBSERVATION


def ceiling_view(**view_settings: Any) -> GraphQL[Any, None]:
    """Strawberry's view of the ceiling schema, built with the real view's ``view_settings``
    and the real schema's cache settings (and nothing else)."""
    schema = strawberry.Schema(query=CeilingQuery, extensions=[
        lambda: ParserCache(maxsize=CACHE_SIZE), lambda: ValidationCache(maxsize=CACHE_SIZE)])
    return GraphQL(schema, **view_settings)


async def usage(scope: Scope, receive: Receive, send: Send) -> None:
    """This process's CPU time and memory; POST resets the peak first."""
    method = scope["method"]
    if method in ("GET", "HEAD", "POST"):
        response = JSONResponse(process_usage(reset_peak=method == "POST").as_dict())
    else:
        response = JSONResponse(
            {"errors": [{"message": f"{USAGE_PATH} takes GET or POST",
                         "extensions": {"code": "METHOD_NOT_ALLOWED"}}]},
            status_code=405, headers={"Allow": "GET, HEAD, POST"})
    await response(scope, receive, send)


class BenchEndpoints:
    """The bench paths of one server process: ``route(path)`` is the ASGI app serving an
    HTTP request to ``path``, or None when it is not a bench path."""

    def __init__(self, **view_settings: Any) -> None:
        self.ceiling = ceiling_view(**view_settings)

    def route(self, path: str) -> Any:
        if path == CEILING_PATH:
            return self.ceiling
        if path == USAGE_PATH:
            return usage
        return None


__all__ = ["CEILING_PATH", "USAGE_PATH", "BenchEndpoints", "CeilingQuery", "ceiling_view"]
