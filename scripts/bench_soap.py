"""Benchmark the SOAP server: GetLatestObservation against Spyne's ceiling, in interleaved rounds.

One production server process, started as ``fourcast serve soap`` starts it (the runner:
granian, WSGI, configured by ``services/soap_api/server.py``), over a temporary seeded database.
The very same envelope is posted to the real endpoint ``/soap`` and to the server's ceiling
``/bench/soap`` (Spyne's hello-world answering a constant observation, same process and
configuration: ``services/soap_api/ceiling.py``), in rounds ceiling, real, real, ceiling, ...
so that a machine busy with something else slows both alike. Load: h2load over HTTP/1.1
keep-alive on loopback.

    python scripts/bench_soap.py [--rounds 6] [--seconds 4] [--connections 16]

Needs ``h2load`` (``apt-get install -y nghttp2-client``). Target: the real call at 80 % or more
of the ceiling. ``fourcast bench latest`` is to replace this script.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.bench.usage import read_usage
from services.config import DEFAULT_PORTS, Settings
from services.protocols import PROTOCOLS
from services.store import open_store
from services.supervisor import ServerProcess
from tests.servers import HOST, free_port

ENVELOPE = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" '
            'xmlns:f="urn:fourcast:weather:v1"><soap:Body><f:GetLatestObservation>'
            '<f:stationId>KJFK</f:stationId></f:GetLatestObservation></soap:Body>'
            '</soap:Envelope>')
PATHS = {"ceiling": "/bench/soap", "real": "/soap"}
HEADERS = ("Content-Type: text/xml; charset=utf-8",)


def _h2load_rate(url: str, body: Path, args: argparse.Namespace) -> float:
    """Requests per second; every answer a 2xx (in a timed run h2load may count one answer
    more than it calls done: the one in flight at the end)."""
    out = subprocess.run(
        ["h2load", "--h1", "-c", str(args.connections), "-t", "1", "-D", str(args.seconds),
         "-d", str(body), *(arg for header in HEADERS for arg in ("-H", header)), url],
        capture_output=True, text=True, timeout=args.seconds + 60, check=True).stdout
    requests = re.search(r"requests: \d+ total, \d+ started, \d+ done, \d+ succeeded, "
                         r"(\d+) failed, (\d+) errored, (\d+) timeout", out)
    status = re.search(r"status codes: \d+ 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    rate = re.search(r"finished in .*?, ([\d.]+) req/s", out)
    if not (requests and status and rate) or any(int(n) for n in requests.groups()) \
            or any(int(n) for n in status.groups()):
        raise SystemExit(f"h2load: not every call succeeded:\n{out}")
    return float(rate.group(1))


def _measure(base: str, name: str, body: Path, args: argparse.Namespace) -> tuple[float, float]:
    """Requests per second, and the server's CPU milliseconds per call."""
    usage = read_usage("soap", HOST, args.port_used)
    rate = _h2load_rate(base + PATHS[name], body, args)
    cpu_ms = 1000 * (read_usage("soap", HOST, args.port_used).cpu_seconds - usage.cpu_seconds)
    per_call = cpu_ms / (rate * args.seconds)
    print(f"  {name:<8} {rate:>8.0f} req/s   server CPU {per_call:.3f} ms/call", flush=True)
    return rate, per_call


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("h2load") is None:
        print("h2load is missing: apt-get install -y nghttp2-client", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        open_store(str(db)).close()  # seeded on first opening, as ``fourcast serve`` does
        ports = dict(DEFAULT_PORTS, soap=free_port())
        server = ServerProcess(PROTOCOLS["soap"], Settings(host=HOST, ports=ports, db=db))
        server.start()
        try:
            server.wait_ready()
            args.port_used = server.port
            print(f"SOAP server pid {read_usage('soap', HOST, server.port).pid} "
                  f"on {server.address}")
            body = Path(tmp) / "latest.xml"
            body.write_text(ENVELOPE)
            base = f"http://{server.address}"
            rates: dict[str, list[float]] = {"ceiling": [], "real": []}
            cpu: dict[str, list[float]] = {"ceiling": [], "real": []}
            for round_ in range(args.rounds):
                print(f"round {round_ + 1}/{args.rounds}")
                for name in ("ceiling", "real") if round_ % 2 == 0 else ("real", "ceiling"):
                    rate, per_call = _measure(base, name, body, args)
                    rates[name].append(rate)
                    cpu[name].append(per_call)
        finally:
            server.stop()
    # On a machine shared with other work, the CPU per call varies less than the rate.
    cpu_ratio = statistics.median(cpu["ceiling"]) / statistics.median(cpu["real"])
    print(f"server CPU per call: ceiling {statistics.median(cpu['ceiling']):.3f} ms, "
          f"real {statistics.median(cpu['real']):.3f} ms (ceiling / real {cpu_ratio:.0%})")
    ceiling, real = (statistics.median(rates[name]) for name in ("ceiling", "real"))
    ratios = [r / c for r, c in zip(rates["real"], rates["ceiling"], strict=True)]
    print(f"ceiling  {ceiling:>8.0f} req/s (median; {min(rates['ceiling']):.0f}-"
          f"{max(rates['ceiling']):.0f})")
    print(f"real     {real:>8.0f} req/s (median; {min(rates['real']):.0f}-"
          f"{max(rates['real']):.0f})")
    print(f"efficiency {real / ceiling:.0%} (per round {min(ratios):.0%}-{max(ratios):.0%}; "
          "target >= 80%)")
    return 0 if real / ceiling >= 0.8 else 1


if __name__ == "__main__":
    sys.exit(main())
