"""Benchmark the SOAP server: GetLatestObservation against a hello-world operation.

Both run on one production server process (granian, WSGI, configured exactly as
``services/soap_api/server.py``), in one run, over a seeded temporary database: the hello-world
``Hello`` operation returns a constant ``Observation`` record (the same type and fields as the
real operation) without touching the store. Load: h2load over HTTP/1.1 on loopback, 16
connections, a warm-up and a fixed measuring window per operation.

    python scripts/bench_soap.py [--seconds 10] [--connections 16]

Needs ``h2load`` (``apt-get install -y nghttp2-client``). Target: the real operation at 80 %
or more of the hello-world rate.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from h2load_run import h2load_rate, wait_until_answers

from services.soap_api.server import BACKPRESSURE, BLOCKING_THREADS

ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:f="urn:fourcast:weather:v1"><soap:Body>{}</soap:Body></soap:Envelope>')
REQUESTS = {
    "hello-world": "<f:Hello/>",
    "GetLatestObservation": "<f:GetLatestObservation><f:stationId>KJFK</f:stationId>"
                            "</f:GetLatestObservation>",
}


def bench_app() -> Any:
    """granian factory: the production app plus a ``Hello`` operation."""
    from spyne import ServiceBase, rpc

    from services.config import Settings, build_service
    from services.soap_api import create_app
    from services.soap_api import xsd_types as xsd

    record = xsd.Observation(
        stationId="KJFK", observedAt=datetime(2013, 12, 30, 23, tzinfo=UTC), temperature=-1.1,
        dewpoint=-12.2, relativeHumidity=42.66, windSpeed=8.231, windDirection=340.0,
        windGust=None, precipitationLastHour=0.0, seaLevelPressure=1020.9, visibility=16093.4,
        units="si")

    class HelloService(ServiceBase):
        @rpc(_returns=xsd.Observation)
        def Hello(ctx):
            """A constant observation: the hello-world baseline of the benchmark."""
            return record

    return create_app(build_service(Settings.from_env()), extra_services=[HelloService])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=18099)
    parser.add_argument("--blocking-threads", type=int, default=BLOCKING_THREADS,
                        help="granian's WSGI threads (default: the server's setting)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOURCAST_DB=str(Path(tmp) / "bench.sqlite3"),
                   PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        server = subprocess.Popen(
            [sys.executable, "-m", "granian", "--interface", "wsgi", "--factory",
             "--workers", "1", "--blocking-threads", str(args.blocking_threads),
             "--backpressure", str(BACKPRESSURE), "--log-level", "warning",
             "--host", "127.0.0.1", "--port", str(args.port),
             "--working-dir", str(Path(__file__).resolve().parent), "bench_soap:bench_app"],
            env=env)
        try:
            url = f"http://127.0.0.1:{args.port}/soap"
            wait_until_answers(url + "?wsdl")
            rates = {}
            for name, request in REQUESTS.items():
                body = Path(tmp) / f"{name}.xml"
                body.write_text(ENVELOPE.format(request))
                rates[name] = h2load_rate(url, args.seconds, args.connections, body=body, warm_up=2,
                                          headers=("Content-Type: text/xml; charset=utf-8",))
                print(f"{name:<22} {rates[name]:>9.0f} req/s")
            ratio = rates["GetLatestObservation"] / rates["hello-world"]
            print(f"real / hello-world     {ratio:>9.0%}  (target >= 80%)")
            return 0 if ratio >= 0.8 else 1
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    sys.exit(main())
