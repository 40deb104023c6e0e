"""Benchmark the served gRPC process with h2load over h2c: GetLatestObservation vs its ceiling.

    python scripts/bench_grpc.py [--seconds 5] [--rounds 3] [--clients 16] [--port 50551]

Starts the production server (``python -m services.runner grpc``, as ``fourcast serve grpc``
does) over a freshly seeded temporary database, checks both calls once with grpcio (h2load
counts a grpc-status error as a 200), then measures in interleaved rounds (ceiling, real, real,
ceiling, ...) the very same framed request posted to
``fourcast.weather.v1.WeatherService/GetLatestObservation`` and to the server's own ceiling,
``fourcast.bench.v1.BenchService/GetCeilingObservation``. Prints calls/s per measurement, the
server's CPU per 1,000 calls (its own accounting, ``GetProcessUsage``), the medians and the
median real / ceiling ratio, and the same ratio in server CPU per call. h2load:
``apt-get install nghttp2-client``. Loopback only. ``fourcast bench latest`` supersedes it.
"""

from __future__ import annotations

import argparse
import re
import statistics
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

import grpc

from fourcast.bench.v1 import bench_pb2, bench_pb2_grpc
from fourcast.weather.v1 import weather_pb2 as pb
from services.config import DEFAULT_PORTS, Settings
from services.protocols import PROTOCOLS
from services.store import open_store
from services.supervisor import ServerProcess

HOST = "127.0.0.1"
CEILING = "/fourcast.bench.v1.BenchService/GetCeilingObservation"
REAL = "/fourcast.weather.v1.WeatherService/GetLatestObservation"
WARM_UP = 1  # second
REQUEST = pb.GetLatestObservationRequest(parent="stations/KJFK").SerializeToString()


def _framed(message: bytes) -> bytes:
    """One gRPC length-prefixed message (uncompressed)."""
    return struct.pack(">BI", 0, len(message)) + message


def _check_calls(channel: grpc.Channel) -> None:
    """Both calls succeed with grpcio and answer KJFK: h2load sees only HTTP statuses."""
    for path in (CEILING, REAL):
        call = channel.unary_unary(path, request_serializer=lambda b: b,
                                   response_deserializer=pb.Observation.FromString)
        reply = call(REQUEST, timeout=10)
        assert reply.station == "stations/KJFK", (path, reply)


def _cpu_seconds(bench: bench_pb2_grpc.BenchServiceStub) -> float:
    return float(bench.GetProcessUsage(bench_pb2.GetProcessUsageRequest(), timeout=10)
                 .cpu_seconds)


def _h2load(port: int, path: str, body: Path, seconds: int, clients: int) -> float:
    """Calls per second; every call must have succeeded (HTTP 200)."""
    out = subprocess.run(
        ["h2load", "-D", str(seconds), f"--warm-up-time={WARM_UP}", "-c", str(clients), "-m", "1",
         "-d", str(body), "-H", "content-type: application/grpc", "-H", "te: trailers",
         f"http://{HOST}:{port}{path}"], capture_output=True, text=True, check=True,
        timeout=seconds + 60).stdout
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    status = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    requests = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    assert rate and status and requests, out
    assert requests.group(1) == requests.group(2) == status.group(1), out
    return float(rate.group(1))


def _measure(port: int, path: str, body: Path, args: argparse.Namespace,
             bench: bench_pb2_grpc.BenchServiceStub) -> tuple[float, float]:
    """Calls/s, and the server's CPU ms per 1,000 calls (its CPU over the whole run, warm-up
    second included, over the calls of that whole run at the measured rate)."""
    cpu = _cpu_seconds(bench)
    rate = _h2load(port, path, body, args.seconds, args.clients)
    cpu = _cpu_seconds(bench) - cpu
    return rate, cpu * 1e6 / (rate * (args.seconds + WARM_UP))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=50551)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.sqlite3"
        open_store(db).close()
        ports = dict(DEFAULT_PORTS, grpc=args.port)
        server = ServerProcess(PROTOCOLS["grpc"], Settings(host=HOST, ports=ports, db=db))
        server.start()
        try:
            server.wait_ready()
            body = Path(tmp) / "request.bin"  # the same request bytes for both methods
            body.write_bytes(_framed(REQUEST))
            with grpc.insecure_channel(f"{HOST}:{args.port}") as channel:
                _check_calls(channel)
                bench = bench_pb2_grpc.BenchServiceStub(channel)
                rates: dict[str, list[float]] = {"ceiling": [], "real": []}
                cpus: dict[str, list[float]] = {"ceiling": [], "real": []}
                for round_ in range(args.rounds):
                    # ABBA order: a drift in the machine's load hits both alike
                    order = ("ceiling", "real") if round_ % 2 == 0 else ("real", "ceiling")
                    for name in order:
                        rate, cpu = _measure(args.port, CEILING if name == "ceiling" else REAL,
                                             body, args, bench)
                        rates[name].append(rate)
                        cpus[name].append(cpu)
                        print(f"round {round_ + 1} {name:7}: {rate:7.0f} calls/s, "
                              f"server CPU {cpu:6.1f} ms / 1000 calls", flush=True)
            ratios = [r / c for r, c in zip(rates["real"], rates["ceiling"], strict=True)]
            print(f"median: ceiling {statistics.median(rates['ceiling']):7.0f} calls/s, "
                  f"GetLatestObservation {statistics.median(rates['real']):7.0f} calls/s, "
                  f"real / ceiling {statistics.median(ratios):.0%} "
                  f"(rounds {', '.join(f'{r:.0%}' for r in ratios)})")
            # On a busy machine the rates swing with the neighbours' load; the server's own
            # CPU per call swings less, and its ratio is the same efficiency for a server that
            # is CPU-bound (one event loop).
            ceiling_cpu, real_cpu = (statistics.median(cpus[n]) for n in ("ceiling", "real"))
            cpu_ratios = [c / r for c, r in zip(cpus["ceiling"], cpus["real"], strict=True)]
            print(f"server CPU per 1,000 calls: ceiling {ceiling_cpu:.1f} ms, "
                  f"GetLatestObservation {real_cpu:.1f} ms, median ceiling / real per round "
                  f"{statistics.median(cpu_ratios):.0%}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
