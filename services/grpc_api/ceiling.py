"""``fourcast.bench.v1.BenchService``: the gRPC ceiling and the server's own accounting.

``GetCeilingObservation`` is grpc.aio's hello-world for ``fourcast bench``: it takes the very
request of ``WeatherService/GetLatestObservation`` and answers a pb ``Observation`` of
:data:`~services.core.ceiling.CEILING_OBSERVATION` built once, with no store, no validation
and no conversion. ``create_server`` registers it on the same server as the weather service,
the same way (same interceptor, options, event loop and request deserializers), so the two
differ only in the work Fourcast does. ``GetProcessUsage`` answers
:func:`~services.core.ceiling.process_usage` of this process.

Both are served only when :func:`~services.core.ceiling.bench_endpoints_enabled`. Request
bytes that do not parse are ``INVALID_ARGUMENT`` here too, never grpc.aio's ``UNKNOWN``.
"""

from __future__ import annotations

from typing import Any

import grpc

from fourcast.bench.v1 import bench_pb2, bench_pb2_grpc
from fourcast.weather.v1 import weather_pb2 as pb
from services.core.ceiling import CEILING_OBSERVATION, process_usage
from services.grpc_api.errors import Undecodable, abort_with, undecodable_error
from services.grpc_api.messages import observation_message

BENCH_SERVICE = bench_pb2.DESCRIPTOR.services_by_name["BenchService"]


class BenchServicer(bench_pb2_grpc.BenchServiceServicer):
    def __init__(self) -> None:
        self._ceiling = observation_message(CEILING_OBSERVATION)  # built once, never per call

    async def GetCeilingObservation(self, request: pb.GetLatestObservationRequest | Any,
                                    context: grpc.aio.ServicerContext) -> pb.Observation:
        if isinstance(request, Undecodable):
            await abort_with(context, undecodable_error(request))
        return self._ceiling

    async def GetProcessUsage(self, request: bench_pb2.GetProcessUsageRequest | Any,
                              context: grpc.aio.ServicerContext) -> bench_pb2.ProcessUsage:
        if isinstance(request, Undecodable):
            await abort_with(context, undecodable_error(request))
        usage = process_usage(reset_peak=request.reset_peak)
        return bench_pb2.ProcessUsage(pid=usage.pid, cpu_seconds=usage.cpu_seconds,
                                      rss_bytes=usage.rss_bytes,
                                      peak_rss_bytes=usage.peak_rss_bytes)
