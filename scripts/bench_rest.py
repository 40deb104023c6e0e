"""Benchmark the REST server: the latest observation against its own Flask ceiling.

One production server process (``services.runner rest``, as ``fourcast serve rest`` starts it:
granian, WSGI, one worker) over a seeded temporary database, measured in interleaved rounds
(ceiling, real, real, ceiling, ...) so that a busy machine slows both alike:

- the ceiling: ``GET /bench/ceiling`` (``services/rest_api/ceiling.py``), Flask's hello-world
  answering the constant observation record in the same process;
- the real call, rendered every time: ``GET /stations/KJFK/observations/latest`` with the REST
  client's ``Accept: application/hal+json`` and ``Cache-Control: no-cache`` (the origin cache is
  neither read nor written);
- with ``--origin-cache``, also the real call as a plain GET (the origin cache answering).

Load: h2load over HTTP/1.1 on loopback, 16 keep-alive connections.

    python scripts/bench_rest.py [--seconds 5] [--rounds 3] [--origin-cache]

Needs ``h2load`` (``apt-get install -y nghttp2-client``). Target: the rendered call at 80 % or
more of the ceiling (the exit status says whether the median ratio reaches it). ``fourcast
bench latest`` supersedes this script.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from h2load_run import h2load_rate, wait_until_answers

from services.config import DEFAULT_PORTS, Settings
from services.protocols import PROTOCOLS
from services.store import open_store
from services.supervisor import ServerProcess

HAL = "Accept: application/hal+json"
LATEST = "/stations/KJFK/observations/latest"
CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ceiling": ("/bench/ceiling", (HAL,)),
    "latest, rendered": (LATEST, (HAL, "Cache-Control: no-cache")),
    "latest, origin cache": (LATEST, (HAL,)),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18098)
    parser.add_argument("--origin-cache", action="store_true",
                        help="also measure the plain GET answered by the origin cache")
    args = parser.parse_args()
    names = [n for n in CALLS if args.origin_cache or n != "latest, origin cache"]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        open_store(db).close()
        settings = Settings("127.0.0.1", {**DEFAULT_PORTS, "rest": args.port}, db)
        server = ServerProcess(PROTOCOLS["rest"], settings)
        server.start()
        try:
            server.wait_ready()
            base = f"http://127.0.0.1:{args.port}"
            wait_until_answers(base + "/bench/ceiling")
            rates: dict[str, list[float]] = {name: [] for name in names}
            for round_ in range(args.rounds):
                order = names if round_ % 2 == 0 else names[::-1]  # ceiling, real, real, ...
                for name in order:
                    path, headers = CALLS[name]
                    rates[name].append(h2load_rate(base + path, args.seconds, args.connections,
                                                   headers=headers))
                line = ", ".join(f"{n} {rates[n][-1]:7.0f} req/s" for n in names)
                print(f"round {round_ + 1}: {line}", flush=True)
            ratio = statistics.median(r / c for r, c in zip(rates["latest, rendered"],
                                                             rates["ceiling"], strict=True))
            medians = ", ".join(f"{n} {statistics.median(rates[n]):7.0f} req/s" for n in names)
            print(f"median: {medians}; rendered / ceiling {ratio:.0%} (target >= 80%)")
            return 0 if ratio >= 0.8 else 1
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
