"""Benchmark the REST server: GET the latest observation against a Flask hello-world.

Both are served by one production server process (granian, WSGI, configured as
``services/rest_api/server.py``) over a seeded temporary database, and measured in one run, in
interleaved rounds so that a busy machine slows both alike: the hello-world is a plain Flask
route added to the same application that returns a constant 10-field observation as JSON,
without the store, links, ETag or content negotiation; the real call is
``GET /stations/KJFK/observations/latest`` with ``Accept: application/hal+json``. Load: h2load
over HTTP/1.1 on loopback, 16 keep-alive connections.

    python scripts/bench_rest.py [--seconds 5] [--rounds 3] [--blocking-threads N] [--no-cache]

``--no-cache`` turns the origin's representation cache off (``FOURCAST_REST_CACHE=0``), to
measure the application rendering every answer.

Needs ``h2load`` (``apt-get install -y nghttp2-client``). Target: the real call at 80 % or
more of the hello-world rate (the exit status says whether the median ratio reaches it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from h2load_run import h2load_rate, wait_until_answers

from services.rest_api.server import blocking_threads

PATHS = {"hello-world": "/hello", "latest observation": "/stations/KJFK/observations/latest"}
RECORD = {"station_id": "KJFK", "observed_at": "2013-12-30T23:00:00Z", "temperature": -1.1,
          "dewpoint": -12.2, "relative_humidity": 42.66, "wind_speed": 8.23,
          "wind_direction": 340.0, "wind_gust": None, "precipitation_last_hour": 0.0,
          "sea_level_pressure": 1020.9, "visibility": 16093.4}


def bench_app() -> Any:
    """granian factory: the production application, and beside it, at ``/hello``, a plain
    Flask application (nothing of ours in its way) answering the constant record."""
    from flask import Flask, jsonify

    from services.rest_api.wsgi import application

    real = application()
    hello = Flask("hello")
    hello.add_url_rule("/hello", "hello", lambda: jsonify(RECORD))

    def dispatch(environ: dict[str, Any], start_response: Any) -> Any:
        chosen = hello if environ.get("PATH_INFO") == "/hello" else real
        return chosen(environ, start_response)

    return dispatch


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18098)
    parser.add_argument("--blocking-threads", type=int, default=blocking_threads(),
                        help="granian's WSGI threads (default: the server's setting)")
    parser.add_argument("--no-cache", action="store_true",
                        help="render every answer (no representation cache)")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOURCAST_DB=str(Path(tmp) / "bench.sqlite3"),
                   FOURCAST_REST_CACHE="0" if args.no_cache else "1")
        server = subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory",
             "--workers", "1", "--blocking-threads", str(args.blocking_threads),
             "--log-level", "error", "--host", "127.0.0.1", "--port", str(args.port),
             "--working-dir", str(here), "bench_rest:bench_app"], env=env)
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_until_answers(base + "/hello")
            rates: dict[str, list[float]] = {name: [] for name in PATHS}
            for round_ in range(1, args.rounds + 1):  # interleaved
                for name, path in PATHS.items():
                    rates[name].append(h2load_rate(base + path, args.seconds, args.connections,
                                                   headers=("Accept: application/hal+json",)))
                hello, real = rates["hello-world"][-1], rates["latest observation"][-1]
                print(f"threads {args.blocking_threads} round {round_}: hello-world "
                      f"{hello:7.0f} req/s, latest observation {real:7.0f} req/s "
                      f"({real / hello:.0%})", flush=True)
            ratio = statistics.median(r / h for r, h in zip(rates["latest observation"],
                                                             rates["hello-world"], strict=True))
            print(f"threads {args.blocking_threads} median: hello-world "
                  f"{statistics.median(rates['hello-world']):7.0f} req/s, latest observation "
                  f"{statistics.median(rates['latest observation']):7.0f} req/s, "
                  f"median ratio {ratio:.0%} (target >= 80%)")
            return 0 if ratio >= 0.8 else 1
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
