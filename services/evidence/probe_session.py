"""The probe of one server: its session (client, wire, requester) and what it found.

Shared by :mod:`services.evidence.probe` (which runs the discovery and scores the levels) and
:mod:`services.evidence.probe_cells` (which judges each constraint), so that both import this
lower module and neither imports the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from clients import connect
from clients.base import WeatherClient
from services.core.domain import to_plain
from services.core.errors import FourcastError, PermissionDenied, Unauthenticated
from services.evidence.decode import Exchange
from services.evidence.http import Requester, post_only
from services.evidence.targets import Target


@dataclass
class Discovered:
    """What the client did for one operation: its exchanges, and the last (the operation)."""

    name: str
    exchanges: list[Exchange]
    result: Any = None
    error: str | None = None
    refused: bool = False  # the server refused the credential (unauthenticated, forbidden)

    @property
    def last(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    def show(self) -> str:
        x = self.last
        if x is None:
            return f"{self.name}: no exchange seen"
        return f"{self.name}: {x.method} {x.path} → {x.status}"


@dataclass
class Cell:
    constraint: str
    passed: bool | None  # None: could not be measured here (said why in the evidence)
    summary: str
    evidence: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"constraint": self.constraint, "passed": self.passed, "summary": self.summary,
                "evidence": self.evidence}


class Session:
    """The probe of one server: its clients (for discovery), its wire, its requester.

    Reads are discovered by a client without credentials (reads are open): a read the probe
    replays must be the read itself, not a signed message that a server may rightly refuse to
    accept twice (a WS-Security UsernameToken's nonce). Writes go through a second client that
    has the API key.
    """

    def __init__(self, target: Target) -> None:
        self.target = target
        self.recorder = target.wire()
        self.client: WeatherClient = connect(target.protocol, self.recorder.host,
                                             self.recorder.port, None)
        self.writer: WeatherClient | None = None
        if target.api_key:
            self.writer = connect(target.protocol, self.recorder.host, self.recorder.port,
                                  target.api_key)
        self.http2 = False
        self.requester = Requester(self.recorder, http2=False)

    def discover(self, name: str, call: Callable[[WeatherClient], Any],
                 write: bool = False) -> Discovered:
        _, since = self.requester.mark()
        found = Discovered(name, [])
        client = self.writer if write and self.writer is not None else self.client
        try:
            found.result = call(client)
        except FourcastError as error:
            found.error = f"{type(error).__name__}: {error.message}"
            found.refused = isinstance(error, Unauthenticated | PermissionDenied)
        found.exchanges = self.requester.new_exchanges(0, since)
        if found.last is not None:  # speak to this server as its own client does
            self.http2 = found.last.http_version == "HTTP/2"
            self.requester.http2 = self.http2
            self.requester.only_post = post_only(found.last.header("content-type", "request"))
        return found

    def state(self, station_id: str) -> Any:
        """The observable state of one station, read through the service's own client."""
        try:
            return to_plain(self.client.get_station(station_id))
        except FourcastError as error:
            return error.details()

    def close(self) -> None:
        self.client.close()
        if self.writer is not None:
            self.writer.close()


RESOURCE_TYPES = ("station", "stations", "latest", "observations", "daily", "forecast",
                  "alerts")


def template(x: Exchange, station_id: str) -> str:
    """The path a client used, with the station id as a variable: a URI template."""
    path = x.path.split("?")[0]
    return "^" + re.escape(path).replace(re.escape(station_id), "[^/]+") + "$"
