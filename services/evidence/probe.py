"""``fourcast probe``: the REST constraints, measured on each server's wire.

The service's own client is used only to *discover* how each operation is done (which request it
sends); every verdict comes from what the server did with requests the probe sent itself: plain
GETs of the URIs the client used, replays of recorded requests, a conditional repeat, a real HTTP
cache (hishel) in front, a generic link crawler from the root. Nothing is keyed on the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from services.core.domain import Station
from services.evidence.decode import Exchange
from services.evidence.probe_cells import judge
from services.evidence.probe_session import Cell, Discovered, Session
from services.evidence.targets import Target
from services.progress import Step, quiet

PROBE_STATION = Station("ZPRB", "Fourcast probe station", 1.5, 2.5, 3.0, "UTC")


@dataclass
class ServerProbe:
    protocol: str
    title: str
    address: str
    cells: list[Cell]
    level: int
    rest: bool
    facts: dict[str, Any] = field(default_factory=dict)

    def cell(self, constraint: str) -> Cell:
        return next(c for c in self.cells if c.constraint == constraint)

    def as_json(self) -> dict[str, Any]:
        return {"protocol": self.protocol, "address": self.address, "richardson_level":
                self.level, "rest": self.rest, "cells": [c.as_json() for c in self.cells],
                "facts": self.facts}


@dataclass
class ProbeReport:
    servers: list[ServerProbe]

    @property
    def verdict(self) -> str:
        rest = sum(1 for s in self.servers if s.rest)
        return f"{len(self.servers)} APIs, {rest} REST"

    def as_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict,
                "servers": [s.as_json() for s in self.servers]}


def discover_all(session: Session) -> dict[str, Discovered]:
    first, second = (s.id for s in session.client.list_stations(page_size=2).items)
    d: dict[str, Discovered] = {"ids": Discovered("ids", [], (first, second))}
    d["station"] = session.discover("station", lambda c: c.get_station(first))
    d["station_b"] = session.discover("station", lambda c: c.get_station(second))
    d["stations"] = session.discover("stations", lambda c: c.list_stations(page_size=5))
    d["latest"] = session.discover("latest observation",
                                   lambda c: c.get_latest_observation(first))
    latest = d["latest"].result
    d["observations"] = session.discover(
        "observations", lambda c: c.list_observations(
            first, latest.observed_at - timedelta(hours=6), latest.observed_at, page_size=3))
    day = latest.observed_at.date()
    d["daily"] = session.discover("daily summaries", lambda c: c.daily_summaries(
        first, day - timedelta(days=3), day))
    d["forecast"] = session.discover("forecast", lambda c: c.get_forecast(first, 2))
    d["alerts"] = session.discover("alerts", lambda c: c.list_alerts(first, page_size=3))
    d["not_found"] = session.discover("unknown station", lambda c: c.get_station("KZZZ"))
    d["invalid"] = session.discover("forecast for 99 days",
                                    lambda c: c.get_forecast(first, 99))
    if session.target.api_key:
        d["put"] = session.discover("put station", lambda c: c.put_station(PROBE_STATION),
                                    write=True)
        d["delete"] = session.discover("delete station",
                                       lambda c: c.delete_station(PROBE_STATION.id),
                                       write=True)
    return d


def probe_one(target: Target) -> ServerProbe:
    session = Session(target)
    try:
        found = discover_all(session)
        cells = judge(session, found) if found["station"].last is not None \
            else unmeasured(session)
    finally:
        session.close()
    by_name = {c.constraint: c for c in cells}
    level = 0
    if by_name["identification of resources"].passed:
        level = 1
        if by_name["standard methods"].passed and by_name["self-descriptive messages"].passed:
            level = 2
            if by_name["hypermedia (HATEOAS)"].passed:
                level = 3
    rest = all(c.passed for c in cells)
    read = found["station"].last
    ids = found["ids"].result
    facts = {"read": _facts(read), "not_found": _facts(found["not_found"].last),
             "write_key": _write_key(found),
             "read_call": "—" if read is None else
             f"`{read.method} {read.path.split('?')[0].replace(ids[0], '{id}')}`"}
    return ServerProbe(target.protocol, target.title, f"{target.host}:{target.port}", cells,
                       level, rest, facts)


def _write_key(found: dict[str, Discovered]) -> str:
    """What became of the API key the probe was given: none, accepted, or refused (and how)."""
    if "put" not in found:
        return "none"
    refused = next((d for d in (found["put"], found["delete"]) if d.refused), None)
    return f"refused ({refused.error})" if refused else "accepted"


def _facts(x: Exchange | None) -> dict[str, Any]:
    from services.evidence.compare import exchange_facts

    return exchange_facts(x) if x is not None else {}


CONSTRAINTS = ("client-server", "stateless", "cache metadata on reads",
               "conditional request → 304", "layered system (cache in front)",
               "identification of resources", "standard methods", "self-descriptive messages",
               "hypermedia (HATEOAS)")


def unmeasured(session: Session) -> list[Cell]:
    """The client's requests never crossed the recorder (the server told it to go elsewhere,
    e.g. an advertised endpoint address): nothing can be judged from this wire."""
    why = (f"the {session.target.title} client's requests did not cross the recorder in front "
           f"of {session.target.host}:{session.target.port}: the server advertised another "
           "address to its client (start the servers with --start-servers to measure it)")
    return [Cell(name, None, "not measured", [why]) for name in CONSTRAINTS]


def probe_all(targets: list[Target], step: Step = quiet) -> ProbeReport:
    servers = []
    for i, target in enumerate(targets):
        step(f"probing {target.title} ({i + 1}/{len(targets)}): discovery, replays, a cache "
             "in front, a crawl from /")
        servers.append(probe_one(target))
    return ProbeReport(servers)
