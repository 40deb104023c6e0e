"""The terminal text of ``fourcast bench``: one rich table, protocol rows per operation.

Columns: requests per second (median of the rounds) and its min-max, latency p50 / p90 / p99
(the median round), bytes per call each way on the wire, the server's CPU per 1,000 calls, and
for ``latest`` the efficiency (real ÷ the framework's hello-world in the same rounds). A row
that was not measured says why in the last column.
"""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

EFFICIENCY_NOTE = ("efficiency: the real call's rate ÷ its framework's hello-world (same request "
                   "bytes, same server process) in the same rounds; 1.0 is the framework's "
                   "ceiling. CPU eff.: the hello-world's server CPU per call ÷ the real call's "
                   "(steadier on a busy machine). rest renders every answer (Cache-Control: "
                   "no-cache); the cache rows show what caching buys.")


def _number(value: Any, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _note(row: dict[str, Any]) -> str:
    if "skipped" in row:
        return f"skipped: {row['skipped']}"
    if "error" in row:
        return f"error: {row['error']}"
    notes = []
    if "rss_growth_mb" in row:
        notes.append(f"RSS +{row['rss_growth_mb']} MiB, {row.get('rows')} rows, "
                     f"{row.get('calls_per_year')} {row.get('call_kind', 'calls')}")
    if row.get("ceiling_requests_per_second"):
        notes.append(f"ceiling {_number(row['ceiling_requests_per_second'])} req/s")
    if row.get("ceiling_error"):
        notes.append(f"ceiling: {row['ceiling_error']}")
    if row.get("note"):
        notes.append(str(row["note"]))
    return "; ".join(notes)


def _rate(value: Any, like: Any = None) -> str:
    """A rate: whole numbers from 100 up, else two decimals (``like`` decides for a range)."""
    if value is None:
        return "—"
    return _number(value, 0 if (like if like is not None else value) >= 100 else 2)


def table(report: dict[str, Any]) -> Table:
    machine = report.get("machine", {})
    title = (f"fourcast bench — {machine.get('cpus')} CPUs, Python {machine.get('python')}, "
             f"{machine.get('load_generator')}, {machine.get('connections')} connections, "
             f"{machine.get('rounds')} rounds of {machine.get('seconds')} s")
    grid = Table(title=title, caption=EFFICIENCY_NOTE, show_lines=False)
    for name, justify in (("operation", "left"), ("protocol", "left"), ("req/s", "right"),
                          ("min–max", "right"), ("p50 ms", "right"), ("p90 ms", "right"),
                          ("p99 ms", "right"), ("bytes sent", "right"),
                          ("bytes recv", "right"), ("CPU ms/1k", "right"),
                          ("efficiency", "right"), ("CPU eff.", "right"), ("note", "left")):
        grid.add_column(name, justify=justify)  # type: ignore[arg-type]
    previous = None
    for row in report["results"]:
        operation = row["operation"] if row["operation"] != previous else ""
        if row["operation"] != previous and previous is not None:
            grid.add_section()
        previous = row["operation"]
        if "requests_per_second" not in row:
            grid.add_row(operation, row["protocol"], *["—"] * 10, _note(row))
            continue
        low, high = row.get("requests_per_second_range") or (None, None)
        latency = row.get("latency_ms") or {}
        sizes = row.get("bytes_per_call") or {}
        efficiency = row.get("efficiency")
        grid.add_row(
            operation, row["protocol"], _rate(row["requests_per_second"]),
            f"{_rate(low, row['requests_per_second'])}–{_rate(high, row['requests_per_second'])}",
            _number(latency.get("p50"), 2),
            _number(latency.get("p90"), 2), _number(latency.get("p99"), 2),
            _number(sizes.get("sent")), _number(sizes.get("received")),
            _number(row.get("cpu_ms_per_1000_calls"), 0),
            f"{efficiency:.2f}" if efficiency is not None else "",
            f"{row['cpu_efficiency']:.2f}" if row.get("cpu_efficiency") is not None else "",
            _note(row))
    return grid


def render(report: dict[str, Any], stream: TextIO) -> None:
    # wide enough for the whole table when piped (rich would otherwise assume 80 columns)
    console = Console(file=stream, width=None if stream.isatty() else 200)
    console.print(table(report))
