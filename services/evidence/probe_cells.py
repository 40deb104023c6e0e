"""Each REST constraint, judged from requests the probe sends and what the server answers."""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import httpx

from services.evidence.crawler import crawl
from services.evidence.decode import Exchange
from services.evidence.http import Sent, transport
from services.evidence.payload import media_type
from services.evidence.probe_session import RESOURCE_TYPES, Cell, Discovered, Session, template

CACHE_READS = 5
SAFE = {"GET", "HEAD"}
# media types whose syntax any intermediary can parse without the service's schema
GENERIC_SYNTAX = re.compile(r"^(application/(json|xml|[\w.+-]+\+(json|xml))|text/[\w.+-]+)$")


def _ok(x: Exchange | None) -> bool:
    return x is not None and x.status is not None and 200 <= x.status < 300


def _cell(constraint: str, passed: bool | None, summary: str, evidence: list[str]) -> Cell:
    return Cell(constraint, passed, summary, evidence)


def identification(s: Session, d: dict[str, Discovered]) -> Cell:
    a, b = d["station"].last, d["station_b"].last
    first, second = d["ids"].result
    if a is None or b is None:
        return _cell("identification of resources", False, "no request seen", [])
    evidence = [f"client, station {first}: {a.method} {a.path}",
                f"client, station {second}: {b.method} {b.path}"]
    distinct = a.path != b.path
    derefs = [s.requester.send("GET", x.path) for x in (a, b)]
    evidence += [f"probe: {sent.show()}" for sent in derefs]
    dereferenceable = all(_ok(sent.exchange) and sid.encode() in sent.exchange.response_body
                          for sent, sid in zip(derefs, (first, second), strict=True)
                          if sent.exchange is not None) and all(x.exchange for x in derefs)
    passed = distinct and dereferenceable
    summary = ("distinct URIs, each dereferenceable with GET" if passed else
               "one URI for different entities (the entity is named in the body)"
               if not distinct else "distinct URIs that a plain GET does not dereference")
    return _cell("identification of resources", passed, summary, evidence)


def standard_methods(s: Session, d: dict[str, Discovered]) -> Cell:
    read = d["station"].last
    assert read is not None
    first = d["ids"].result[0]
    evidence = [f"client read: {read.method} {read.path}"]
    before = s.state(first)
    replays = [s.requester.send(m, read.path, read.request_headers, read.request_body)
               for m in ("GET", "HEAD", "GET")]
    after = s.state(first)
    evidence += [f"probe: {r.show()}" for r in replays]
    evidence.append(f"state of {first} {'unchanged' if before == after else 'CHANGED'} "
                    "after GET/HEAD")
    safe = read.method in SAFE and before == after and all(_ok(r.exchange) for r in replays)
    head = replays[1].exchange
    if head is not None and head.response_body:
        safe = False
        evidence.append("HEAD answered with a body")
    idempotent, writes = _idempotent(s, d, evidence)
    options = s.requester.send("OPTIONS", read.path)
    allow = options.exchange.header("allow") if options.exchange else None
    evidence.append(f"probe: {options.show()}; Allow: {allow or '(none)'}")
    passed = safe and idempotent is not False and bool(allow)
    parts = [f"reads by {read.method}" + (" (safe)" if safe else " (not a safe method)"),
             writes, f"Allow: {allow}" if allow else "no Allow"]
    return _cell("standard methods", passed, "; ".join(parts), evidence)


def _idempotent(s: Session, d: dict[str, Discovered],
                evidence: list[str]) -> tuple[bool | None, str]:
    """Whether PUT and DELETE are idempotent on the wire (None: not measured), and a summary."""
    if "put" not in d:
        evidence.append("writes not probed: no API key (--api-key or FOURCAST_API_KEYS)")
        return None, "writes not probed (no API key)"
    failed = next((w for w in (d["put"], d["delete"]) if w.error), None)
    if failed is not None:
        # replaying a refused write compares two refusals: it says nothing about the method
        x = failed.last
        answer = f" → {x.status}" if x is not None else ""
        evidence.append(f"client {failed.name}{answer}: {failed.error}; writes not measured")
        return None, ("writes not measured (the API key was refused)" if failed.refused
                      else "writes not measured (the client's write failed)")
    put, delete = d["put"].last, d["delete"].last
    if put is None or delete is None:
        return False, "writes without idempotent methods"
    evidence.append(f"client write: {put.method} {put.path}; delete: {delete.method} "
                    f"{delete.path}")
    results = []
    station = "ZPRB"
    for x, method in ((put, "PUT"), (delete, "DELETE")):
        if x.method != method:
            evidence.append(f"{x.method} is not {method}: no idempotency guarantee to test "
                            "on the wire")
            results.append(False)
            continue
        states = []
        for _ in range(2):
            sent = s.requester.replay(x)
            states.append(s.state(station))
            evidence.append(f"probe replay: {sent.show()}; state: {_short(states[-1])}")
        results.append(states[0] == states[1])
    if put.method == "PUT" and delete.method != "DELETE" and s.writer is not None:
        s.writer.delete_station(station)  # leave nothing behind
    passed = all(results)
    return passed, "PUT/DELETE idempotent" if passed else "writes without idempotent methods"


def _short(state: Any) -> str:
    return str(state)[:60]


def self_descriptive(s: Session, d: dict[str, Discovered]) -> Cell:
    nf, bad, read = d["not_found"].last, d["invalid"].last, d["station"].last
    assert nf is not None and bad is not None and read is not None
    kind = media_type(read.content_type)
    evidence = [f"unknown station: {nf.method} {nf.path} → {nf.status}",
                f"invalid input (99-day forecast): {bad.method} {bad.path} → {bad.status}",
                f"representation media type: {kind or '(none)'}"]
    generic = bool(GENERIC_SYNTAX.match(kind))
    passed = nf.status == 404 and bad.status in (400, 422) and generic
    summary = (f"not found → {nf.status}, invalid → {bad.status}, {kind or 'no media type'}"
               + ("" if generic else " (opaque without the schema)"))
    return _cell("self-descriptive messages", passed, summary, evidence)


def cacheable(s: Session, d: dict[str, Discovered]) -> list[Cell]:
    read = d["station"].last
    assert read is not None
    control, expires = read.header("cache-control"), read.header("expires")
    etag, modified = read.header("etag"), read.header("last-modified")
    evidence = [f"client read: {read.method} {read.path} → Cache-Control: {control}; "
                f"Expires: {expires}; ETag: {etag}; Last-Modified: {modified}"]
    explicit = read.method in SAFE and bool(control or expires)
    metadata = _cell("cache metadata on reads", explicit,
                     f"{read.method} with Cache-Control: {control}" if explicit else
                     f"{read.method} without explicit cache metadata" if read.method in SAFE
                     else f"{read.method} responses are not cacheable", evidence)
    conditions = ([("If-None-Match", etag)] if etag else []) + \
                 ([("If-Modified-Since", modified)] if modified else [])
    if read.method not in SAFE or not conditions:
        why = "no validator (ETag/Last-Modified) to repeat with" if read.method in SAFE \
            else f"a {read.method} cannot be repeated conditionally"
        return [metadata, _cell("conditional request → 304", False, why, evidence)]
    sent = s.requester.send("GET", read.path, conditions)
    passed = sent.exchange is not None and sent.exchange.status == 304
    return [metadata, _cell("conditional request → 304", passed,
                            f"conditional GET → {sent.exchange.status if sent.exchange else '-'}",
                            [*evidence, f"probe: {sent.show()}"])]


def layered(s: Session, d: dict[str, Discovered]) -> Cell:
    """A real shared HTTP cache (hishel, RFC 9111 rules) between the probe and the server."""
    import hishel
    from hishel.httpx import CacheTransport

    read = d["station"].last
    assert read is not None
    storage = hishel.SqliteStorage(connection=sqlite3.connect(":memory:",
                                                              check_same_thread=False))
    cache = CacheTransport(transport(s.http2), storage=storage, rfc=hishel.CacheOptions())
    connection, since = s.requester.mark()
    with httpx.Client(transport=cache, timeout=10) as client:
        answers = [s.requester.replay(read, client=client) for _ in range(CACHE_READS)]
    origin = s.requester.new_exchanges(connection, since)
    full = [x for x in origin if x.status != 304]
    evidence = [f"{CACHE_READS} × {read.method} {read.path} through hishel (shared cache)",
                f"origin saw {len(origin)} request(s), {len(full)} answered in full, "
                f"{len(origin) - len(full)} revalidated (304)"]
    evidence += [f"origin: {x.method} {x.path} → {x.status}" for x in origin[:CACHE_READS]]
    del answers
    passed = len(full) < CACHE_READS
    return _cell("layered system (cache in front)", passed,
                 f"{CACHE_READS} reads → {len(full)} full origin response(s)", evidence)


def hypermedia(s: Session, d: dict[str, Discovered]) -> Cell:
    first = d["ids"].result[0]
    templates = {name: template(x, first) for name in RESOURCE_TYPES
                 if (x := d[name].last) is not None}
    shared = {n for n, t in templates.items() if list(templates.values()).count(t) > 1}
    result = crawl(s.requester)
    reached = {n for n, t in templates.items() if n not in shared and any(
        re.match(t, path) and 200 <= status < 300 for path, status in result.reached.items())}
    coverage = round(100 * len(reached) / len(RESOURCE_TYPES))
    evidence = [f"crawl from /: {len(result.visited)} request(s), {result.links_seen} link(s) "
                f"found, {sum(1 for v in result.reached.values() if 200 <= v < 300)} 2xx"]
    evidence += [f"  {sent.show()}" for sent in result.visited[:3]]
    for name in RESOURCE_TYPES:
        state = ("reached" if name in reached else
                 "shares its URI with other operations" if name in shared else "not reached")
        evidence.append(f"{name}: {templates.get(name, '-')} {state}")
    return _cell("hypermedia (HATEOAS)", coverage == 100,
                 f"crawler reached {coverage}% of resource types", evidence)


def stateless(s: Session, d: dict[str, Discovered]) -> Cell:
    read = d["station"].last
    assert read is not None
    again: Sent = s.requester.replay(read)
    same = again.exchange is not None and again.exchange.status == read.status and \
        again.exchange.response_body == read.response_body
    cookies = [x for name in ("station", "stations", "latest")
               for x in d[name].exchanges if x.header("set-cookie")]
    passed = same and not cookies
    evidence = [f"the client's read replayed alone on a new connection: {again.show()}",
                "same answer" if same else "a different answer",
                f"Set-Cookie in {len(cookies)} response(s)"]
    return _cell("stateless", passed, "each request stands alone" if passed
                 else "answers depend on earlier requests", evidence)


def client_server(s: Session, d: dict[str, Discovered]) -> Cell:
    exchanges = sum(len(v.exchanges) for v in d.values())
    passed = exchanges > 0 and d["station"].result is not None
    return _cell("client-server", passed,
                 "separate processes, only messages between them",
                 [f"{exchanges} exchange(s) over TCP between the probe's client and the "
                  f"server at {s.target.host}:{s.target.port}; the result was rebuilt from "
                  "those bytes alone"])


def judge(s: Session, d: dict[str, Discovered]) -> list[Cell]:
    return [client_server(s, d), stateless(s, d), *cacheable(s, d), layered(s, d),
            identification(s, d), standard_methods(s, d), self_descriptive(s, d),
            hypermedia(s, d)]
