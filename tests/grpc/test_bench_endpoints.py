"""The bench service of the served gRPC process: the ceiling, the process's own accounting, and
its absence with ``FOURCAST_BENCH_ENDPOINTS=0`` (issue 10)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from clients.grpc_client import GrpcClient
from fourcast.bench.v1 import bench_pb2, bench_pb2_grpc
from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.core.ceiling import BENCH_ENDPOINTS_ENV, CEILING_OBSERVATION
from services.core.units import MEASUREMENTS
from services.grpc_api.messages import observation_message
from services.supervisor import ServerProcess
from tests.grpc.test_grpcurl import grpcurl
from tests.servers import HOST, served
from tests.year import YEAR_MAX_GROWTH

BENCH = "fourcast.bench.v1.BenchService"
REAL = "/fourcast.weather.v1.WeatherService/GetLatestObservation"
CEILING = f"/{BENCH}/GetCeilingObservation"
LATEST_KJFK = pb.GetLatestObservationRequest(parent="stations/KJFK").SerializeToString()


def _raw(channel: grpc.Channel, path: str) -> grpc.UnaryUnaryMultiCallable:
    return channel.unary_unary(path, request_serializer=lambda b: b,
                               response_deserializer=pb.Observation.FromString)


@pytest.fixture(scope="module")
def bench(channel: grpc.Channel) -> bench_pb2_grpc.BenchServiceStub:
    return bench_pb2_grpc.BenchServiceStub(channel)


def _usage(bench: bench_pb2_grpc.BenchServiceStub, reset: bool = False) -> bench_pb2.ProcessUsage:
    reply: bench_pb2.ProcessUsage = bench.GetProcessUsage(
        bench_pb2.GetProcessUsageRequest(reset_peak=reset), timeout=10)
    return reply


def test_the_ceiling_answers_the_record_to_the_real_calls_own_request_bytes(
        channel: grpc.Channel) -> None:
    ceiling = _raw(channel, CEILING)(LATEST_KJFK, timeout=10)
    real = _raw(channel, REAL)(LATEST_KJFK, timeout=10)
    assert ceiling == observation_message(CEILING_OBSERVATION)
    assert all(ceiling.HasField(field) for field in (*MEASUREMENTS, "observe_time"))
    assert ceiling.station == real.station == "stations/KJFK"
    assert ceiling.units == real.units == pb.UNITS_SI


def test_request_bytes_that_do_not_parse_are_invalid_argument_not_unknown(
        channel: grpc.Channel) -> None:
    for path in (CEILING, f"/{BENCH}/GetProcessUsage"):
        with pytest.raises(grpc.RpcError) as raised:
            _raw(channel, path)(b"\xff\xff\xff", timeout=10)
        assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "is not a valid" in (raised.value.details() or "")


def test_usage_is_the_server_process_own(grpc_server: ServerProcess,
                                         bench: bench_pb2_grpc.BenchServiceStub) -> None:
    usage = _usage(bench)
    assert grpc_server.process is not None and usage.pid == grpc_server.process.pid
    assert isinstance(usage.cpu_seconds, float) and usage.cpu_seconds > 0
    assert isinstance(usage.rss_bytes, int) and usage.rss_bytes > 0
    assert usage.peak_rss_bytes >= usage.rss_bytes


def test_usage_cpu_seconds_grow_as_the_server_answers(
        channel: grpc.Channel, bench: bench_pb2_grpc.BenchServiceStub) -> None:
    before = _usage(bench).cpu_seconds
    real = _raw(channel, REAL)
    for _ in range(300):
        real(LATEST_KJFK, timeout=10)
    assert _usage(bench).cpu_seconds > before


def test_resetting_the_peak_brings_it_down_to_no_more_than_before(
        bench: bench_pb2_grpc.BenchServiceStub) -> None:
    before = _usage(bench)
    after = _usage(bench, reset=True)
    assert after.peak_rss_bytes <= before.peak_rss_bytes
    assert after.peak_rss_bytes >= after.rss_bytes


def test_reflection_lists_the_bench_service(channel: grpc.Channel) -> None:
    assert BENCH in ProtoReflectionDescriptorDatabase(channel).get_services()


def test_grpcurl_calls_the_bench_service(grpc_server: ServerProcess) -> None:
    ceiling = json.loads(grpcurl(grpc_server, f"{BENCH}/GetCeilingObservation",
                                 request='{"parent": "stations/KJFK"}'))
    assert ceiling["name"] == "stations/KJFK/observations/2013-12-30T23:00:00Z"
    assert ceiling["visibility"] == CEILING_OBSERVATION.visibility
    usage = json.loads(grpcurl(grpc_server, f"{BENCH}/GetProcessUsage",
                               request='{"reset_peak": true}'))
    assert grpc_server.process is not None and int(usage["pid"]) == grpc_server.process.pid


def test_streaming_a_year_grows_the_server_by_less_than_20_mb(
        client: GrpcClient, bench: bench_pb2_grpc.BenchServiceStub) -> None:
    start, end = datetime(2013, 1, 1, tzinfo=UTC), datetime(2014, 1, 1, tzinfo=UTC)
    assert len(list(client.stream_observations("KJFK", start, start.replace(month=2)))) > 0
    before = _usage(bench, reset=True)  # the stream's code paths are warm: count only the year
    count = sum(1 for _ in client.stream_observations("KJFK", start, end))
    after = _usage(bench)
    assert count > 8000
    assert after.peak_rss_bytes - before.rss_bytes < YEAR_MAX_GROWTH


@pytest.fixture(scope="module")
def without_bench(seeded_db: Path, server_logs: Path) -> Iterator[grpc.Channel]:
    with served("grpc", seeded_db, server_logs, {BENCH_ENDPOINTS_ENV: "0"}) as server, \
            grpc.insecure_channel(f"{HOST}:{server.port}") as opened:
        yield opened


def test_without_bench_endpoints_the_bench_service_is_unimplemented_and_unlisted(
        without_bench: grpc.Channel) -> None:
    stub = bench_pb2_grpc.BenchServiceStub(without_bench)
    for call, request in ((stub.GetCeilingObservation, pb.GetLatestObservationRequest(
            parent="stations/KJFK")), (stub.GetProcessUsage, bench_pb2.GetProcessUsageRequest())):
        with pytest.raises(grpc.RpcError) as raised:
            call(request, timeout=10)
        assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert BENCH not in ProtoReflectionDescriptorDatabase(without_bench).get_services()


def test_without_bench_endpoints_the_real_api_answers_the_same(
        without_bench: grpc.Channel, channel: grpc.Channel) -> None:
    request = pb.GetLatestObservationRequest(parent="stations/KJFK", units=pb.UNITS_US)
    alone = weather_pb2_grpc.WeatherServiceStub(without_bench).GetLatestObservation(
        request, timeout=10)
    assert alone == weather_pb2_grpc.WeatherServiceStub(channel).GetLatestObservation(
        request, timeout=10)
