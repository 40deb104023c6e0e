"""Measured subjects -> the result objects of ``fourcast bench --json`` (the issue's shape).

One object per protocol row and operation: the median rate of the rounds with its min-max, the
latency percentiles of the median round, bytes per call each way, the server's CPU per 1,000
calls (median over the rounds), and for ``latest`` the ceiling's rate and the efficiency: the
median over the rounds of real ÷ ceiling, each pair measured back to back in one round, and
the CPU efficiency: the ceiling's server CPU per call ÷ the real call's. A row
that could not be measured carries ``skipped`` (not attempted, and why) or ``error`` (tried
and refused, and why) instead of figures.
"""

from __future__ import annotations

import statistics
from typing import Any

from services.bench.measure import Subject


def _figures(subject: Subject) -> dict[str, Any]:
    rates = subject.rates()
    run = subject.median_run()
    cpus = [r.cpu_ms_per_1000_calls for r in subject.runs if r.cpu_ms_per_1000_calls is not None]
    return {
        "requests_per_second": round(statistics.median(rates), 1),
        "requests_per_second_range": [round(min(rates), 1), round(max(rates), 1)],
        "latency_ms": {"p50": round(run.p50, 2), "p90": round(run.p90, 2),
                       "p99": round(run.p99, 2)},
        "bytes_per_call": subject.bytes_per_call,
        "cpu_ms_per_1000_calls": round(statistics.median(cpus), 1) if cpus else None,
        "calls": sum(r.done for r in subject.runs),
        "rounds": len(subject.runs),
    }


def _measured(subject: Subject | None) -> bool:
    return (subject is not None and subject.error is None and bool(subject.runs)
            and subject.bytes_per_call is not None)


def result(subject: Subject, ceiling: Subject | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"protocol": subject.row, "operation": subject.operation}
    if not _measured(subject):
        row["error"] = subject.error or "not measured"
        return row
    row.update(_figures(subject))
    if subject.operation == "latest":
        if ceiling is not None and _measured(ceiling):
            ratios = [real.requests_per_second / top.requests_per_second
                      for real, top in zip(subject.runs, ceiling.runs, strict=False)
                      if top.requests_per_second > 0]
            row["ceiling_requests_per_second"] = round(
                statistics.median(ceiling.rates()), 1)
            row["efficiency"] = round(statistics.median(ratios), 3) if ratios else None
            row["ceiling"] = _figures(ceiling)
            real_cpu = row["cpu_ms_per_1000_calls"]
            top_cpu = row["ceiling"]["cpu_ms_per_1000_calls"]
            # the server's own CPU per call is barely moved by other load on the machine,
            # unlike the rates: the steadier of the two readings of the same question
            # (not for the cache rows: there the origin barely works, by design)
            row["cpu_efficiency"] = (round(top_cpu / real_cpu, 3)
                                     if real_cpu and top_cpu is not None
                                     and subject.row == subject.request.protocol else None)
        else:
            row["ceiling_requests_per_second"] = None
            row["efficiency"] = None
            row["ceiling_error"] = (ceiling.error if ceiling is not None and ceiling.error
                                    else "the ceiling was not measured")
    return row


def skipped(protocol: str, operation: str, reason: str) -> dict[str, Any]:
    return {"protocol": protocol, "operation": operation, "skipped": reason}


def failed(protocol: str, operation: str, reason: str) -> dict[str, Any]:
    return {"protocol": protocol, "operation": operation, "error": reason}
