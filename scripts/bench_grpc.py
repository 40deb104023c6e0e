"""Benchmark the gRPC server with h2load over h2c: the real call against a hello-world.

    python scripts/bench_grpc.py                   # grpc.aio as in production (point reads
                                                   # inline, the rest via asyncio.to_thread)
    python scripts/bench_grpc.py --offload-all     # grpc.aio, every core call in to_thread
    python scripts/bench_grpc.py --server sync     # thread-pool grpc.server, hello-world only

One server process serves both methods, and one run measures them in interleaved rounds: the
hello-world is a unary method registered on the same server, behind the same interceptor,
that takes the same request and returns a prebuilt 10-field Observation without touching the
core; the real call is ``GetLatestObservation(stations/KJFK)``. h2load (``apt-get install
nghttp2-client``) posts the gRPC-framed request body over 16 connections for a fixed duration
and the script checks every call got a 200. Everything stays on 127.0.0.1; the server runs in
a child process (``--serve``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
from concurrent import futures
from pathlib import Path

import grpc

from fourcast.weather.v1 import weather_pb2 as pb
from services.config import Settings, build_service
from services.grpc_api.server import OPTIONS, create_server

HELLO = "/fourcast.bench.v1.Hello/GetObservation"
REAL = "/fourcast.weather.v1.WeatherService/GetLatestObservation"
REQUEST = pb.GetLatestObservationRequest(parent="stations/KJFK")
RECORD = pb.Observation(
    name="stations/KJFK/observations/2013-12-30T23:00:00Z", station="stations/KJFK",
    observe_time={"seconds": 1388444400}, temperature=-1.1, dewpoint=-12.2,
    relative_humidity=42.66, wind_speed=8.23, wind_direction=340.0, wind_gust=11.3,
    precipitation_last_hour=0.0, sea_level_pressure=1020.9, visibility=16093.0,
    units=pb.UNITS_SI)


async def _hello(request: pb.GetLatestObservationRequest,
                 context: grpc.aio.ServicerContext) -> pb.Observation:
    return RECORD


def _hello_sync(request: pb.GetLatestObservationRequest,
                context: grpc.ServicerContext) -> pb.Observation:
    return RECORD


def _hello_handler(behaviour: object) -> grpc.GenericRpcHandler:
    method = grpc.unary_unary_rpc_method_handler(
        behaviour, request_deserializer=pb.GetLatestObservationRequest.FromString,
        response_serializer=pb.Observation.SerializeToString)
    return grpc.method_handlers_generic_handler("fourcast.bench.v1.Hello",
                                                {"GetObservation": method})


async def _serve_aio(port: int, offload_all: bool) -> None:
    settings = Settings.from_env()
    server = create_server(build_service(settings), f"127.0.0.1:{port}",
                           inline_point_reads=not offload_all)
    server.server.add_generic_rpc_handlers((_hello_handler(_hello),))
    await server.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await server.stop(0)


def _serve_sync(port: int) -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=OPTIONS)
    server.add_generic_rpc_handlers((_hello_handler(_hello_sync),))
    server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    signal.sigwait({signal.SIGTERM})
    server.stop(0)


def _framed(message: bytes) -> bytes:
    """One gRPC length-prefixed message (uncompressed)."""
    return struct.pack(">BI", 0, len(message)) + message


def _wait_ready(port: int) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        grpc.channel_ready_future(channel).result(timeout=30)
        call = channel.unary_unary(HELLO, request_serializer=lambda b: b,
                                   response_deserializer=pb.Observation.FromString)
        assert call(REQUEST.SerializeToString(), timeout=10) == RECORD


def _check_real_call(port: int) -> None:
    """h2load sees HTTP statuses only, and a failed gRPC call is an HTTP 200 whose trailers
    carry the error: so the real call is made once with grpc first, and must succeed."""
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(REAL, request_serializer=lambda b: b,
                                   response_deserializer=pb.Observation.FromString)
        assert call(REQUEST.SerializeToString(), timeout=10).name.startswith("stations/KJFK/")


def _h2load(port: int, path: str, body: Path, seconds: int, clients: int) -> float:
    """Calls per second h2load reports for ``path`` (and check every call succeeded)."""
    out = subprocess.run(
        ["h2load", "-D", str(seconds), "--warm-up-time=1", "-c", str(clients), "-m", "1",
         "-d", str(body), "-H", "content-type: application/grpc", "-H", "te: trailers",
         f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
    rate = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", out)
    status = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", out)
    requests = re.search(r"requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded", out)
    assert rate and status and requests, out
    assert requests.group(1) == requests.group(2) == status.group(1), out
    return float(rate.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", choices=("aio", "sync"), default="aio")
    parser.add_argument("--offload-all", action="store_true",
                        help="run the point reads through asyncio.to_thread too")
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=50551)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        if args.server == "sync":
            _serve_sync(args.port)
        else:
            asyncio.run(_serve_aio(args.port, args.offload_all))
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOURCAST_DB=str(Path(tmp) / "bench.sqlite3"))
        command = [sys.executable, __file__, "--serve", "--server", args.server,
                   "--port", str(args.port)] + (["--offload-all"] if args.offload_all else [])
        child = subprocess.Popen(command, env=env)
        try:
            _wait_ready(args.port)
            if args.server == "aio":
                _check_real_call(args.port)
            body = Path(tmp) / "request.bin"  # the same request bytes for both methods
            body.write_bytes(_framed(REQUEST.SerializeToString()))
            label = f"{args.server}{' offload-all' if args.offload_all else ''}"
            hellos, reals = [], []
            for round_ in range(1, args.rounds + 1):  # interleaved: a busy machine hits both
                hellos.append(_h2load(args.port, HELLO, body, args.seconds, args.clients))
                line = f"{label} round {round_}: hello-world {hellos[-1]:7.0f} calls/s"
                if args.server == "aio":
                    reals.append(_h2load(args.port, REAL, body, args.seconds,
                                         args.clients))
                    line += (f", GetLatestObservation {reals[-1]:7.0f} calls/s "
                             f"({reals[-1] / hellos[-1]:.0%})")
                print(line, flush=True)
            summary = f"{label} median: hello-world {statistics.median(hellos):7.0f} calls/s"
            if reals:
                ratio = statistics.median(r / h for r, h in zip(reals, hellos, strict=True))
                summary += (f", GetLatestObservation {statistics.median(reals):7.0f} calls/s, "
                            f"median ratio {ratio:.0%}")
            print(summary)
        finally:
            child.send_signal(signal.SIGTERM)
            child.wait(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
