"""The text of ``fourcast compare``: results side by side, then the wire, in 100 columns."""

from __future__ import annotations

import json
import re
import textwrap
from difflib import unified_diff

from services.core.errors import FourcastError, InvalidArgument
from services.evidence.compare import Comparison, Outcome, status_line, summary_line
from services.evidence.decode import BYTES_DEFINITION, Exchange
from services.evidence.payload import binary_metadata, error_signal, media_type, render_body

WIDTH = 100
MAX_RESULT_LINES = 40


def _clip(text: str, width: int = WIDTH) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _indent(text: str, prefix: str = "    ", limit: int | None = None) -> list[str]:
    lines = text.splitlines() or [""]
    shown = lines if limit is None or len(lines) <= limit else lines[:limit]
    out = [_clip(prefix + line) for line in shown]
    if len(shown) < len(lines):
        out.append(f"{prefix}… ({len(lines) - len(shown)} more lines; --json for all)")
    return out


def _result_text(outcome: Outcome) -> str:
    if outcome.error is not None:
        return error_text(outcome.error)
    if outcome.failure is not None:
        return f"FAILED (not a core error): {outcome.failure}"
    return with_units(json.dumps(outcome.result, indent=2, ensure_ascii=False), outcome.units)


def error_text(error: FourcastError) -> str:
    """A core error as a reader wants it: its class and code, then what it names."""
    lines = [f"raised {type(error).__name__} ({error.code})"]
    if isinstance(error, InvalidArgument):
        lines += [f"  {v.field}: {v.description}" for v in error.violations]
        if error.omitted:
            lines.append(f"  … and {error.omitted} more")
        return "\n".join(lines)
    lines[0] += f": {error.message}"
    return "\n".join(lines)


_MEASURE = re.compile(r'^(\s*"(\w+)": )(-?[\d.eE+-]+)(,?)$')


def with_units(text: str, units: dict[str, str]) -> str:
    """Pretty-printed JSON with each measured number followed by its unit (``30.02 degF``)."""
    def unit(line: str) -> str:
        found = _MEASURE.match(line)
        if not found or found.group(2) not in units:
            return line
        head, name, number, comma = found.groups()
        return f"{head}{number} {units[name]}{comma}"

    return "\n".join(unit(line) for line in text.splitlines())


def render(comparison: Comparison, show_wire: bool = False) -> str:
    lines = [f"fourcast compare {comparison.call}", ""]
    reference: Outcome | None = None
    for outcome in comparison.outcomes:
        text = _result_text(outcome)
        if reference is None:
            lines.append(f"{outcome.title}:")
            lines += _indent(text, limit=MAX_RESULT_LINES)
            reference = outcome
        elif outcome.key == reference.key:
            lines.append(f"{outcome.title}: the same as {reference.title}")
        else:
            lines.append(f"{outcome.title}: DIFFERS from {reference.title}:")
            diff = unified_diff(_result_text(reference).splitlines(), text.splitlines(),
                                reference.title, outcome.title, lineterm="", n=1)
            lines += _indent("\n".join(diff), limit=MAX_RESULT_LINES)
    count = len(comparison.outcomes)
    verdict = (f"all {count} agree" if comparison.agree
               else f"the {count} do NOT agree")
    lines += ["", f"agreement: {verdict}", "", "on the wire:"]
    for outcome in comparison.outcomes:
        lines += _wire_lines(outcome)
    lines += ["", *textwrap.wrap(f"{BYTES_DEFINITION}; request → / response ←.", WIDTH),
              "round trips: request/response exchanges + TCP handshakes"]
    if show_wire:
        for outcome in comparison.outcomes:
            lines += ["", "=" * WIDTH, f"{outcome.title}: the raw exchanges", "=" * WIDTH]
            for exchange in outcome.wire.exchanges if outcome.wire else []:
                lines += raw_exchange(exchange)
    return "\n".join(_clip(line) for line in lines)


def _wire_lines(outcome: Outcome) -> list[str]:
    wire = outcome.wire
    if wire is None:
        return [f"  {outcome.title:<8} (no call was made)"]
    lines = []
    if not wire.exchanges:
        lines.append(f"  {outcome.title:<8} no exchange crossed the recorder during the call "
                     "(the client went around it)")
    for i, x in enumerate(wire.exchanges):
        label = outcome.title if i == 0 else ""
        lines.append(_clip(f"  {label:<8} {summary_line(x)}"))
        lines.append(_clip(f"  {'':<8}   {status_line(x)}"))
        signal = error_signal(x)
        if signal:
            lines.append(_clip(f"  {'':<8}   error carried as: {signal}"))
    lines.append(f"  {'':<8}   {wire.request_bytes} B → · {wire.response_bytes} B ← · "
                 f"{len(wire.exchanges)} exchange(s) · {wire.new_connections} new "
                 f"connection(s) · {wire.round_trips} round trip(s) · {wire.latency_ms:.1f} ms")
    if wire.setup:
        setup = ", ".join(f"{x.method} {x.path} ({x.response_bytes} B)" for x in wire.setup)
        lines.append(_clip(f"  {'':<8}   before the call, the client's set-up: {setup}"))
    return lines


def raw_exchange(x: Exchange) -> list[str]:
    lines = ["", f"--- {summary_line(x)}", f"    {status_line(x)}",
             f"    {x.request_bytes} B → · {x.response_bytes} B ← (as counted above)"]
    if x.http_version == "HTTP/2":
        lines.append("frames:")
        lines += _indent("\n".join(x.frames))
        lines.append("request headers:")
        lines += _indent("\n".join(f":method: {x.method}\n:path: {x.path}".splitlines()
                                   + [f"{k}: {v}" for k, v in x.request_headers]))
    else:
        lines += _indent(x.request_head.decode("latin-1").rstrip(), prefix="> ")
    body = render_body(x, request=True)
    document = _graphql_document(x)
    if document:
        lines.append("GraphQL document:")
        lines += _indent(document)
    if body and not document:
        lines += _indent(body, prefix="> ")
    if x.http_version == "HTTP/2":
        lines.append("response headers:")
        lines += _indent("\n".join([f":status: {x.status}"]
                                   + [_header(k, v) for k, v in x.response_headers]))
    else:
        lines += _indent(x.response_head.decode("latin-1").rstrip(), prefix="< ")
    body = render_body(x, request=False)
    if body:
        lines += _indent(body, prefix="< ", limit=60)
    if x.trailers and x.trailers != x.response_headers:  # (not a trailers-only answer)
        lines.append("trailers:")
        lines += _indent("\n".join(_header(k, v) for k, v in x.trailers))
    return lines


def _header(name: str, value: str) -> str:
    if name.endswith("-bin"):  # binary metadata, base64 in its text form
        return f"{name}: {binary_metadata(name, value)}"
    return f"{name}: {value}"


def _graphql_document(x: Exchange) -> str | None:
    """The ``query`` of a JSON request body, printed as the document it is."""
    if not media_type(x.header("content-type", "request")).endswith("json"):
        return None
    try:
        data = json.loads(x.request_body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("query"), str):
        variables = json.dumps(data.get("variables") or {}, ensure_ascii=False)
        return textwrap.dedent(data["query"]).strip() + f"\nvariables: {variables}"
    return None
