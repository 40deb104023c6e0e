"""A served process's own accounting, read over its protocol's bench endpoint.

REST, GraphQL and SOAP serve ``GET /bench/usage`` (``POST`` resets the peak first); gRPC serves
``fourcast.bench.v1.BenchService/GetProcessUsage``. Each server runs one worker process, so the
figures are the whole server's.
"""

from __future__ import annotations

import grpc
import httpx

from fourcast.bench.v1 import bench_pb2, bench_pb2_grpc
from services.core.ceiling import ProcessUsage

TIMEOUT = 30.0


class UsageUnavailable(RuntimeError):
    """The server has no bench endpoints (FOURCAST_BENCH_ENDPOINTS=0, or another server)."""


def read_usage(protocol: str, host: str, port: int, reset_peak: bool = False) -> ProcessUsage:
    if protocol == "grpc":
        return _grpc_usage(host, port, reset_peak)
    url = f"http://{_authority(host, port)}/bench/usage"
    try:
        response = httpx.request("POST" if reset_peak else "GET", url, timeout=TIMEOUT)
    except httpx.HTTPError as error:
        raise UsageUnavailable(f"{url}: {error}") from error
    if response.status_code != 200:
        raise UsageUnavailable(f"{url} answered {response.status_code} (bench endpoints off?)")
    body = response.json()
    return ProcessUsage(int(body["pid"]), float(body["cpu_seconds"]), int(body["rss_bytes"]),
                        int(body["peak_rss_bytes"]))


def _grpc_usage(host: str, port: int, reset_peak: bool) -> ProcessUsage:
    with grpc.insecure_channel(_authority(host, port)) as channel:
        stub = bench_pb2_grpc.BenchServiceStub(channel)
        try:
            reply = stub.GetProcessUsage(bench_pb2.GetProcessUsageRequest(reset_peak=reset_peak),
                                         timeout=TIMEOUT)
        except grpc.RpcError as error:
            raise UsageUnavailable(f"gRPC GetProcessUsage at {host}:{port}: "
                                   f"{error.code()} {error.details()}") from error
    return ProcessUsage(reply.pid, reply.cpu_seconds, reply.rss_bytes, reply.peak_rss_bytes)


def _authority(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
