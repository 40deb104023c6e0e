"""Benchmark the GraphQL server: the real latest-observation query against a cached
hello-world answering the same 10-field record, on each candidate ASGI server, in one run.

    python scripts/bench_graphql.py [--rounds 4] [--duration 3] [--connections 16]
                                    [--servers granian uvicorn]

Each server runs one process on loopback serving both endpoints: ``/graphql`` (the real
application over a seeded temporary database) and ``/hello`` (Strawberry with the same parser
and validation caches, returning a constant record: no store, no worker thread). Load comes from
h2load over HTTP/1.1 (``apt-get install nghttp2-client``), POSTing the same JSON document, with a
warm-up second and a fixed duration per round. Rounds alternate the two endpoints (hello, real,
real, hello, ...) so that load from elsewhere on the machine hits both alike; the figures are
the means over the rounds. The issue's target: real >= 80 % of hello-world.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import strawberry
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.core.domain import Observation as DomainObservation  # noqa: E402
from services.graphql_api.server import app_from_env  # noqa: E402
from services.graphql_api.types.observation import Observation  # noqa: E402

FIELDS = ("stationId observedAt temperature dewpoint relativeHumidity windSpeed windDirection "
          "windGust seaLevelPressure visibility")
QUERY = f'{{ latestObservation(stationId: "KJFK") {{ {FIELDS} }} }}'
RECORD = DomainObservation("KJFK", datetime(2013, 12, 30, 23, tzinfo=UTC), -1.1, -6.1, 68.8,
                           4.6, 290.0, None, None, 1025.4, 16093.4)


@strawberry.type
class HelloQuery:
    @strawberry.field
    def latest_observation(self, station_id: str) -> Observation:
        return Observation.from_domain(RECORD)


def bench_app() -> Any:
    """The real application at /graphql, the hello-world at /hello (the servers' factory)."""
    real = app_from_env()
    hello = GraphQL(strawberry.Schema(HelloQuery, extensions=[
        lambda: ParserCache(maxsize=256), lambda: ValidationCache(maxsize=256)]),
        graphql_ide=None)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/hello":
            await hello(scope, receive, send)
        else:
            await real(scope, receive, send)

    return app


SERVERS = {
    "granian": ["-m", "granian", "--interface", "asgi", "--factory", "--workers", "1",
                "--log-level", "warning", "--host", "127.0.0.1", "--port", "{port}",
                "bench_graphql:bench_app"],
    "uvicorn": ["-m", "uvicorn", "--factory", "--workers", "1", "--log-level", "warning",
                "--host", "127.0.0.1", "--port", "{port}", "bench_graphql:bench_app"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.post(url, json={"query": QUERY}, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def h2load(url: str, body: Path, duration: int, connections: int) -> float:
    out = subprocess.run(
        ["h2load", "--h1", "-c", str(connections), "-t", "1", "-D", str(duration),
         "--warm-up-time", "1", "-d", str(body), "-H", "content-type: application/json", url],
        capture_output=True, text=True, timeout=duration + 30, check=True).stdout
    match = re.search(r"finished in [\d.]+m?s, ([\d.]+) req/s", out)
    failed = re.search(r"(\d+) failed", out)
    if not match or (failed and int(failed.group(1))):
        raise RuntimeError(out)
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--duration", type=int, default=3, help="seconds per round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--servers", nargs="+", default=list(SERVERS), choices=list(SERVERS))
    args = parser.parse_args()
    if not shutil.which("h2load"):
        print("h2load is missing: apt-get install nghttp2-client", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "query.json"
        body.write_text(json.dumps({"query": QUERY}))
        env = dict(os.environ, FOURCAST_DB=str(Path(tmp) / "bench.sqlite3"),
                   PYTHONPATH=f"{ROOT / 'scripts'}{os.pathsep}{ROOT}")
        print(f"{'server':<9} {'hello req/s':>12} {'real req/s':>11} {'real/hello':>10}")
        for name in args.servers:
            port = free_port()
            command = [sys.executable, *(a.format(port=port) for a in SERVERS[name])]
            server = subprocess.Popen(command, env=env, cwd=ROOT / "scripts",
                                      start_new_session=True)
            try:
                base = f"http://127.0.0.1:{port}"
                wait_ready(f"{base}/graphql")
                wait_ready(f"{base}/hello")
                rates: dict[str, list[float]] = {"hello": [], "graphql": []}
                for n in range(args.rounds):
                    order = ["hello", "graphql"] if n % 2 == 0 else ["graphql", "hello"]
                    for path in order:
                        rates[path].append(h2load(f"{base}/{path}", body, args.duration,
                                                  args.connections))
                hello = sum(rates["hello"]) / args.rounds
                real = sum(rates["graphql"]) / args.rounds
                print(f"{name:<9} {hello:>12.0f} {real:>11.0f} {real / hello:>10.0%}")
            finally:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
