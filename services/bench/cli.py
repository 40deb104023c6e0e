"""The body of ``fourcast bench`` (``services/cli.py`` parses): what each protocol costs.

Everything the command line can get wrong (an operation, a count, the plot's path, a missing
h2load or matplotlib) is refused in one line with exit status 2 before any server is reached.
Then the servers are reached (or started) as ``compare`` reaches them, the requests are taken
from the real clients and checked once, the h2load operations are measured in interleaved
rounds, ``year`` and ``push`` are measured by their own module, and the report is printed (a
table, or JSON) and drawn (``--plot``). Exit status 1 when some row could not be measured.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.bench import h2load
from services.bench.plan import OPERATIONS, ProtocolPlan, build_subjects
from services.config import Settings
from services.evidence.targets import Target
from services.progress import Step

PUSH_WATCHERS = 1000  # the target: push latency with this many other watchers open
PUSH_SAMPLES = 50


def _problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the command line, before anything is measured."""
    unknown = [op for op in args.operations if op not in OPERATIONS]
    if unknown:
        return (f"unknown operation(s): {', '.join(unknown)}; choose from "
                f"{', '.join(OPERATIONS)}")
    if args.plot is not None:
        plot = Path(args.plot)
        folder = plot.parent if str(plot.parent) else Path(".")
        if plot.is_dir():
            return f"--plot {plot}: is a folder, not a file"
        if not folder.is_dir():
            return f"--plot {plot}: the folder {folder} does not exist"
        if not os.access(folder, os.W_OK) or (plot.exists() and not os.access(plot, os.W_OK)):
            return f"--plot {plot}: not writable"
        from services.bench.plot import matplotlib_missing

        missing = matplotlib_missing()
        if missing:
            return missing
    if h2load.h2load_path() is None:
        return h2load.INSTALL
    return None


def machine(args: argparse.Namespace, operations: list[str]) -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(),
            "load_generator": h2load.version(), "platform": platform.platform(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
            "operations": operations, "seconds": args.seconds, "rounds": args.rounds,
            "connections": args.connections,
            "servers": "started by bench" if args.start_servers else "running"}


def _own_module_rows(operation: str, targets: list[Target], args: argparse.Namespace,
                     api_key: str | None, step: Step) -> list[dict[str, Any]]:
    """``year`` and ``push``: measured with the real clients by their own module."""
    from services.bench.results import failed

    try:
        if operation == "year":
            from services.bench.year import measure_year

            return measure_year(targets, args.rounds, step)
        from services.bench.push import measure_push

        return measure_push(targets, api_key, PUSH_SAMPLES, PUSH_WATCHERS, step)
    except ImportError as error:
        return [failed(t.protocol, operation, f"not available: {error}") for t in targets]
    except Exception as error:  # one operation failing leaves the others' figures standing
        return [failed(t.protocol, operation, f"{type(error).__name__}: {error}")
                for t in targets]


def measure(targets: list[Target], args: argparse.Namespace, step: Step) -> dict[str, Any]:
    from services.bench.measure import measure_rounds

    operations = [op for op in OPERATIONS if op in (args.operations or OPERATIONS)]
    report: dict[str, Any] = {"machine": machine(args, operations), "results": []}
    api_key = next((t.api_key for t in targets if t.api_key), None)
    plans = [ProtocolPlan(t, operations) for t in targets]
    with build_subjects(plans, step) as subjects:
        measure_rounds(subjects, args.rounds, args.seconds, args.connections, step)
        by_operation: dict[str, list[dict[str, Any]]] = {}
        for plan in plans:
            for row in plan.rows():
                by_operation.setdefault(row["operation"], []).append(row)
    for operation in operations:
        if operation in ("year", "push"):
            step(f"measuring {operation} with the real clients")
            by_operation[operation] = _own_module_rows(operation, targets, args, api_key, step)
        report["results"] += by_operation.get(operation, [])
    return report


def run_bench(args: argparse.Namespace, settings: Settings) -> int:
    from services.evidence.cli import _gather, default_api_key

    problem = _problem(args)
    if problem:
        print(f"fourcast bench: {problem}", file=sys.stderr)
        return 2
    extra_env: dict[str, str] = {}
    # Only push needs the raised live-stream budgets: every other figure is taken from
    # servers configured exactly as `fourcast serve` configures them.
    if args.start_servers and "push" in (args.operations or OPERATIONS):
        from services.bench.push import STARTED_SERVER_ENV

        extra_env = dict(STARTED_SERVER_ENV)
    report = _gather(args, settings, "bench", lambda targets, step: measure(targets, args, step),
                     default_api_key(args), extra_env=extra_env)
    if isinstance(report, int):
        return report
    if args.plot is not None:
        from services.bench.plot import draw

        draw(report, Path(args.plot))
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        from services.bench.report import render

        render(report, sys.stdout)
    return 1 if any("error" in row for row in report["results"]) else 0
