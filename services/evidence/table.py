"""The README comparison table, generated from ``probe`` and ``compare`` runs (never typed).

Only facts that are the same on every run go in: methods, paths, status codes, header names,
byte counts of the same exchange. Latencies do not (they change from run to run).

The row "called from a browser page" needs a browser and the servers a page needs (targets
started with ``browser=True``); without them the table has no such row.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from services.evidence.capabilities import FIELDS, PUSH, YEAR, measure_all
from services.evidence.capabilities.browser import BROWSER, measure_from_page
from services.evidence.compare import Comparison, compare
from services.evidence.decode import Exchange
from services.evidence.probe import ProbeReport, ServerProbe, probe_all
from services.evidence.targets import Target
from services.protocols import PROTOCOLS

START = "<!-- comparison:start -->"
END = "<!-- comparison:end -->"
BYTES_QUERIES = (("station KJFK", ["station", "KJFK"]),
                 ("latest KJFK --units us", ["latest", "KJFK", "--units", "us"]),
                 ("forecast KJFK --days 3", ["forecast", "KJFK", "--days", "3"]))


def _compare(targets: Sequence[Target], argv: list[str]) -> Comparison:
    from services.cli import build_parser

    return compare(targets, build_parser().parse_args(["compare", *argv]))


def _templated(path: str, ids: Sequence[str]) -> str:
    for value in ids:
        path = path.replace(value, "{id}")
    return path.split("?")[0]


def _call(x: Exchange | None, ids: Sequence[str]) -> str:
    return f"`{x.method} {_templated(x.path, ids)}`" if x is not None else "—"


def _mark(passed: bool | None) -> str:
    return {True: "✅", False: "❌", None: "n/a"}[passed]


def _cell(server: ServerProbe, name: str) -> str:
    cell = server.cell(name)
    return f"{_mark(cell.passed)} {cell.summary}"


def _bytes(comparison: Comparison, protocol: str) -> str:
    outcome = next(o for o in comparison.outcomes if o.protocol == protocol)
    if outcome.wire is None or not outcome.wire.exchanges:
        return "—"
    sent = sum(x.request_bytes for x in outcome.wire.exchanges)
    received = sum(x.response_bytes for x in outcome.wire.exchanges)
    exchanges = outcome.wire.exchanges
    if len(exchanges) == 1:
        return f"{sent} → / {received} ←"
    calls = ", ".join(f"`{x.method} {x.path.split('?')[0]}`" for x in exchanges)
    return f"{sent} → / {received} ← ({len(exchanges)} exchanges: {calls})"


def _address_free(text: str, target: Target) -> str:
    return re.sub(rf"(https?://)?{re.escape(target.host)}:{target.port}", "HOST", text)


def build_rows(targets: Sequence[Target], report: ProbeReport) -> list[tuple[str, list[str]]]:
    servers = {s.protocol: s for s in report.servers}
    errors = _compare(targets, ["station", "KZZZ"])
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, values: list[str]) -> None:
        rows.append((label, values))

    def facts(protocol: str, which: str) -> dict[str, object]:
        value = servers[protocol].facts.get(which, {})
        return value if isinstance(value, dict) else {}

    protocols = [t.protocol for t in targets]
    row("transport", [str(facts(p, "read").get("http_version", "—")) for p in protocols])
    row("a station is read with", [str(servers[p].facts.get("read_call", "—"))
                                   for p in protocols])
    row("resource URIs", [_cell(servers[p], "identification of resources") for p in protocols])
    row("methods", [_cell(servers[p], "standard methods") for p in protocols])
    row("status codes, media type", [_cell(servers[p], "self-descriptive messages")
                                     for p in protocols])
    row("cache metadata", [_cell(servers[p], "cache metadata on reads") for p in protocols])
    row("conditional GET", [_cell(servers[p], "conditional request → 304") for p in protocols])
    row("generic cache in front", [_cell(servers[p], "layered system (cache in front)")
                                   for p in protocols])
    row("hypermedia", [_cell(servers[p], "hypermedia (HATEOAS)") for p in protocols])
    row("stateless", [_cell(servers[p], "stateless") for p in protocols])
    row("error for an unknown station", [
        next((str(e["error_signal"]) for e in (o.wire.facts()["exchanges"] if o.wire else [])
              if e["error_signal"]), "—").replace("|", "\\|")
        for o in errors.outcomes])
    measured = {c.protocol: c for c in measure_all(targets)}
    for capability in (PUSH, FIELDS, YEAR):
        row(capability, [measured[p].get(capability).cell.replace("|", "\\|")
                         for p in protocols])
    page = targets[0].page if targets else None
    if page is not None:
        from_page = measure_from_page(targets, page)
        row(BROWSER, [from_page[p].cell.replace("|", "\\|") for p in protocols])
    row("contract document", [
        f"`{_address_free(PROTOCOLS[t.protocol].load().describe(t.host, t.port)[0], t)}`"
        for t in targets])
    row("standard tool", [
        f"`{PROTOCOLS[t.protocol].load().describe(t.host, t.port)[1].split()[0]}`"
        for t in targets])
    for title, argv in BYTES_QUERIES:
        comparison = _compare(targets, argv)
        row(f"bytes on the wire: `{title}`", [_bytes(comparison, p) for p in protocols])
    row("Richardson maturity level", [str(servers[p].level) for p in protocols])
    row("REST (every constraint holds)", [_mark(servers[p].rest) for p in protocols])
    return rows


def render_table(targets: Sequence[Target]) -> str:
    report = probe_all(list(targets))
    rows = build_rows(targets, report)
    titles = [PROTOCOLS[t.protocol].title for t in targets]
    lines = [START,
             "<!-- generated by scripts/comparison_table.py from `fourcast probe` and "
             "`fourcast compare`; do not edit by hand -->",
             "",
             f"**Verdict: {report.verdict}.**",
             "",
             "| | " + " | ".join(titles) + " |",
             "|---|" + "---|" * len(titles)]
    for label, values in rows:
        lines.append(f"| {label} | " + " | ".join(v.replace("\n", " ") for v in values) + " |")
    lines += ["", "Bytes are those of the call's HTTP messages (start line, headers, body; for "
              "HTTP/2 the stream's HEADERS, CONTINUATION and DATA frames), without connection "
              "set-up or flow control (SETTINGS, PING, WINDOW_UPDATE); request → / response ←; "
              "the same count as `fourcast compare`. "
              "Each call is made by a new client, so a client that finds its URLs by following "
              "links pays here for reading the entry point first (once per client, and "
              "cacheable)."]
    if targets and targets[0].page is not None:
        lines += ["", f"*{BROWSER.capitalize()}*: what the web app's page (its origin is the "
                  "one the servers allow) could do in headless Chromium at each protocol's own "
                  "address: `fetch` and `WebSocket` as a page has them, nothing else."]
    lines += ["", END]
    return "\n".join(lines)


def replace_block(readme: str, block: str) -> str:
    start, end = readme.index(START), readme.index(END) + len(END)
    return readme[:start] + block + readme[end:]


def main_args() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when README.md's table differs from a fresh run")
    return parser
