"""The bodies of ``fourcast compare`` and ``fourcast probe`` (``services/cli.py`` parses)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from services.config import Settings
from services.core.auth import API_KEYS_ENV
from services.evidence.targets import Target, running_targets, started_targets
from services.progress import Step, progress, wanted
from services.protocols import PROTOCOLS
from services.supervisor import ServerFailed

T = TypeVar("T")


@contextmanager
def _targets(args: argparse.Namespace, settings: Settings, step: Step,
             api_key: str | None = None,
             extra_env: dict[str, str] | None = None) -> Iterator[list[Target]]:
    if args.start_servers:
        with started_targets(list(PROTOCOLS), extra_env=extra_env, step=step) as targets:
            yield targets
        return
    targets = running_targets(settings, list(PROTOCOLS), api_key)
    try:
        yield targets
    finally:
        for target in targets:
            target.close()


def _unreachable(targets: list[Target]) -> list[str]:
    return [f"{t.title} at {t.host}:{t.port}" for t in targets
            if not PROTOCOLS[t.protocol].load().ready(t.host, t.port)]


def _gather(args: argparse.Namespace, settings: Settings, what: str,
            work: Callable[[list[Target], Step], T], api_key: str | None = None,
            extra_env: dict[str, str] | None = None) -> T | int:
    """Reach (or start, with ``extra_env``) the servers and run ``work`` on them, saying what
    is going on on a terminal; an exit status instead when the servers cannot be had."""
    try:
        with progress(what, wanted(args.json)) as step, \
                _targets(args, settings, step, api_key, extra_env) as targets:
            if not args.start_servers:
                step("checking that the servers answer")
                down = _unreachable(targets)
                if down:
                    print("fourcast: no server answers at " + "; ".join(down)
                          + " (start them with `fourcast serve`, or pass --start-servers)",
                          file=sys.stderr)
                    return 2
            return work(targets, step)
    except ServerFailed as error:
        print(f"fourcast: {error}", file=sys.stderr)
        return 2


def run_compare(args: argparse.Namespace, settings: Settings) -> int:
    from services.evidence.compare import compare
    from services.evidence.compare_report import render

    comparison = _gather(args, settings, f"compare {args.operation}",
                         lambda targets, step: compare(targets, args, step))
    if isinstance(comparison, int):
        return comparison
    if args.json:
        print(json.dumps(comparison.as_json(), indent=2, ensure_ascii=False))
    else:
        print(render(comparison, show_wire=args.show_wire))
    return 0 if comparison.agree else 1


def default_api_key(args: argparse.Namespace) -> str | None:
    if getattr(args, "api_key", None):
        return str(args.api_key)
    keys = [k.strip() for k in os.environ.get(API_KEYS_ENV, "").split(",") if k.strip()]
    return keys[0] if keys else None


def run_probe(args: argparse.Namespace, settings: Settings) -> int:
    from services.evidence.probe import probe_all
    from services.evidence.probe_report import render

    report = _gather(args, settings, "probe", probe_all, default_api_key(args))
    if isinstance(report, int):
        return report
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        print(render(report))
    return 0
