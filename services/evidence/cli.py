"""The bodies of ``fourcast compare`` and ``fourcast probe`` (``services/cli.py`` parses)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from services.config import Settings
from services.core.auth import API_KEYS_ENV
from services.evidence.targets import Target, running_targets, started_targets
from services.protocols import PROTOCOLS
from services.supervisor import ServerFailed


@contextmanager
def _targets(args: argparse.Namespace, settings: Settings,
             api_key: str | None = None) -> Iterator[list[Target]]:
    if args.start_servers:
        with started_targets(list(PROTOCOLS)) as targets:
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


def _guarded(body: Callable[[], int]) -> int:
    try:
        return body()
    except ServerFailed as error:
        print(f"fourcast: {error}", file=sys.stderr)
        return 2


def run_compare(args: argparse.Namespace, settings: Settings) -> int:
    from services.evidence.compare import compare
    from services.evidence.compare_report import render

    def body() -> int:
        with _targets(args, settings) as targets:
            down = [] if args.start_servers else _unreachable(targets)
            if down:
                print("fourcast: no server answers at " + "; ".join(down)
                      + " (start them with `fourcast serve`, or pass --start-servers)",
                      file=sys.stderr)
                return 2
            comparison = compare(targets, args)
        if args.json:
            print(json.dumps(comparison.as_json(), indent=2, ensure_ascii=False))
        else:
            print(render(comparison, show_wire=args.show_wire))
        return 0 if comparison.agree else 1

    return _guarded(body)


def default_api_key(args: argparse.Namespace) -> str | None:
    if getattr(args, "api_key", None):
        return str(args.api_key)
    keys = [k.strip() for k in os.environ.get(API_KEYS_ENV, "").split(",") if k.strip()]
    return keys[0] if keys else None


def run_probe(args: argparse.Namespace, settings: Settings) -> int:
    from services.evidence.probe import probe_all
    from services.evidence.probe_report import render

    def body() -> int:
        with _targets(args, settings, default_api_key(args)) as targets:
            down = [] if args.start_servers else _unreachable(targets)
            if down:
                print("fourcast: no server answers at " + "; ".join(down)
                      + " (start them with `fourcast serve`, or pass --start-servers)",
                      file=sys.stderr)
                return 2
            report = probe_all(targets)
        if args.json:
            print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        else:
            print(render(report))
        return 0

    return _guarded(body)
