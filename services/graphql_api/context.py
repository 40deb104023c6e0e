"""The per-request context: the service, the caller's credential, the subscription budget and
who the caller is for it, and fresh DataLoaders.

DataLoaders are built for each request that uses them (never shared), so their caches cannot
leak one caller's reads into another's or serve stale data across requests. The synchronous
core runs in worker threads (:meth:`Context.call`), except a point read (one row by key) when
the store says it is quicker than the hop to a thread (SQLite: ~50 µs), which runs on the event
loop (:meth:`Context.read`).
"""

from __future__ import annotations

import asyncio
import functools
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from services.core.auth import KeyChecker
from services.core.budget import StreamBudget, client_identity, forwarded_address
from services.core.domain import Observation, Station
from services.core.service import WeatherService
from services.core.units import Units

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


def bearer_credential(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer <key>`` header; None when there is none.
    Whether the key is valid is the core's decision."""
    scheme, _, token = headers.get("authorization", "").strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def client_of(connection: HTTPConnection, credential: str | None, keys: KeyChecker,
              hops: int = 0) -> str:
    """Who a caller is, for the per-client share of a budget (the core's rule: a known API
    key, else its address, behind ``hops`` trusted proxies)."""
    peer = connection.client.host if connection.client else None
    return client_identity(keys, credential, forwarded_address(
        peer, connection.headers.get("x-forwarded-for"), hops))


@dataclass
class Context:
    service: WeatherService
    credential: str | None
    streams: StreamBudget
    #: who the caller is for the budget, or how to find out (only a subscription asks)
    identify: str | Callable[[], str]

    def __post_init__(self) -> None:
        self.quick_reads = self.service.repository.quick_point_reads

    @functools.cached_property
    def client(self) -> str:
        return self.identify if isinstance(self.identify, str) else self.identify()

    # Built when a resolver first needs them: most requests never do.
    @functools.cached_property
    def stations(self) -> DataLoader[str, Station | None]:
        return DataLoader(load_fn=self._load_stations)

    @functools.cached_property
    def latest_observations(self) -> DataLoader[tuple[str, Units], Observation | None]:
        return DataLoader(load_fn=self._load_latest)

    async def call(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a (blocking) core use case in a worker thread."""
        return await asyncio.to_thread(function, *args, **kwargs)

    async def read(self, function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """Run a core use case that reads one row by key: on the event loop when the store
        says such a read is quicker than the hop to a worker thread, else in a worker."""
        if self.quick_reads:
            return function(*args, **kwargs)
        return await asyncio.to_thread(function, *args, **kwargs)

    def point_read(self, convert: Callable[[R], T], function: Callable[P, R], *args: P.args,
                   **kwargs: P.kwargs) -> T | Awaitable[T]:
        """``convert(function(...))`` for a resolver reading one row by key: answered at once,
        without an awaitable for graphql-core to drive, when the store says such a read is
        quicker than the hop to a worker thread (:meth:`read`); else awaitable."""
        if self.quick_reads:
            return convert(function(*args, **kwargs))

        async def in_thread() -> T:
            return convert(await asyncio.to_thread(function, *args, **kwargs))

        return in_thread()

    async def _load_stations(self, ids: Sequence[str]) -> list[Station | None]:
        found = await self.call(self.service.get_stations, ids)
        return [found.get(i) for i in ids]

    async def _load_latest(self, keys: Sequence[tuple[str, Units]]
                           ) -> list[Observation | None]:
        """One store query per unit system asked for in this request (usually one)."""
        by_units: dict[Units, list[str]] = defaultdict(list)
        for station_id, units in keys:
            by_units[units].append(station_id)
        found: dict[tuple[str, Units], Observation] = {}
        for units, ids in by_units.items():
            latest = await self.call(self.service.get_latest_observations, ids, units)
            found.update({(sid, units): obs for sid, obs in latest.items()})
        return [found.get(key) for key in keys]


Info = StrawberryInfo[Context, None]
