"""Benchmark the GraphQL server: the real latest-observation query against its ceiling.

    python scripts/bench_graphql.py [--seconds 4] [--rounds 6] [--connections 16]

One production server process (``fourcast serve graphql``: granian, ASGI, one worker, started
as ``services/graphql_api/server.py`` does) over a seeded temporary database serves both
endpoints: ``/graphql`` (the real application) and ``/bench/graphql`` (its ceiling: Strawberry's
hello-world with the same view and caches, ``services/graphql_api/ceiling.py``). h2load POSTs
the very same JSON body to each, over HTTP/1.1 keep-alive, in interleaved rounds (ceiling, real,
real, ceiling, ...) so that load from elsewhere on the machine hits both alike. Besides the rates
it reads the server's own CPU time (``/bench/usage``) around each round: CPU per 1,000 calls.

Needs ``h2load`` (``apt-get install -y nghttp2-client``). Target: real >= 80 % of the ceiling
(the exit status says whether the median ratio reaches it). ``fourcast bench latest`` measures
the same thing for all four protocols.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import sys
import tempfile
from pathlib import Path

from h2load_run import h2load_rate

from services.bench.usage import read_usage
from services.config import DEFAULT_PORTS, Settings
from services.protocols import PROTOCOLS
from services.store import open_store
from services.supervisor import ServerProcess

FIELDS = ("stationId observedAt temperature dewpoint relativeHumidity windSpeed windDirection "
          "windGust precipitationLastHour seaLevelPressure visibility")
QUERY = f'{{ latestObservation(stationId: "KJFK") {{ {FIELDS} }} }}'
PATHS = {"ceiling": "/bench/graphql", "real": "/graphql"}
TARGET = 0.80
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def measure(base: str, port: int, path: str, body: Path, seconds: int,
            connections: int) -> tuple[float, float]:
    """Requests per second, and the server's CPU milliseconds per 1,000 calls."""
    before = read_usage("graphql", HOST, port)
    rate = h2load_rate(base + path, seconds, connections, body=body, warm_up=1,
                       headers=("content-type: application/json",))
    after = read_usage("graphql", HOST, port)
    calls = rate * seconds  # the warm-up second's calls count in the CPU, not in the rate
    return rate, 1e6 * (after.cpu_seconds - before.cpu_seconds) / (calls + rate)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("h2load"):
        print("h2load is missing: apt-get install -y nghttp2-client", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        open_store(db).close()
        body = Path(tmp) / "latest.json"
        body.write_text(json.dumps({"query": QUERY}))
        port = free_port()
        settings = Settings(host=HOST, ports=DEFAULT_PORTS | {"graphql": port}, db=db)
        server = ServerProcess(PROTOCOLS["graphql"], settings)
        server.start()
        try:
            server.wait_ready()
            base = f"http://{HOST}:{port}"
            rates: dict[str, list[float]] = {name: [] for name in PATHS}
            cpu: dict[str, list[float]] = {name: [] for name in PATHS}
            for n in range(args.rounds):
                order = ["ceiling", "real"] if n % 2 == 0 else ["real", "ceiling"]
                for name in order:
                    rate, cpu_ms = measure(base, port, PATHS[name], body, args.seconds,
                                           args.connections)
                    rates[name].append(rate)
                    cpu[name].append(cpu_ms)
                    print(f"round {n + 1} {name:<8} {rate:>8.0f} req/s  "
                          f"{cpu_ms:>6.0f} ms CPU / 1000 calls", flush=True)
        finally:
            server.stop()
    ratios = [r / c for r, c in zip(rates["real"], rates["ceiling"], strict=True)]
    for name in PATHS:
        print(f"{name:<8} median {statistics.median(rates[name]):>8.0f} req/s "
              f"({min(rates[name]):.0f}-{max(rates[name]):.0f}), "
              f"{statistics.median(cpu[name]):.0f} ms CPU / 1000 calls")
    efficiency = statistics.median(rates["real"]) / statistics.median(rates["ceiling"])
    print(f"efficiency (median real / median ceiling): {efficiency:.2f}; "
          f"per round {min(ratios):.2f}-{max(ratios):.2f}; target {TARGET:.2f}")
    return 0 if efficiency >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
