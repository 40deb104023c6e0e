"""Status codes and google.rpc rich details on the wire, as any gRPC client sees them."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from tests.grpc.conftest import READER, WAIT, WRITER

Stub = weather_pb2_grpc.WeatherServiceStub


def failure(call: Any) -> tuple[grpc.StatusCode, dict[str, Any]]:
    """The status code of a failing call and its rich details, decoded by grpcio-status."""
    with pytest.raises(grpc.RpcError) as caught:
        call()
    error: Any = caught.value
    status = rpc_status.from_call(error)
    details: dict[str, Any] = {}
    for packed in status.details if status else ():
        for kind in (error_details_pb2.ResourceInfo, error_details_pb2.BadRequest,
                     error_details_pb2.ErrorInfo, error_details_pb2.PreconditionFailure,
                     error_details_pb2.QuotaFailure):
            if packed.Is(kind.DESCRIPTOR):
                detail = kind()
                packed.Unpack(detail)
                details[kind.DESCRIPTOR.name] = detail
    assert "Traceback" not in (error.details() or "")
    return error.code(), details


def test_an_unknown_station_is_not_found_with_its_resource_info(stub: Stub) -> None:
    code, details = failure(lambda: stub.GetStation(pb.GetStationRequest(name="stations/KZZZ")))
    assert code is grpc.StatusCode.NOT_FOUND
    info = details["ResourceInfo"]
    assert (info.resource_type, info.resource_name) == ("station", "KZZZ")
    assert details["ErrorInfo"].reason == "NOT_FOUND"


def test_an_invalid_argument_lists_each_field_violation(stub: Stub) -> None:
    request = pb.PutObservationRequest(observation=pb.Observation(
        station="stations/KJFK", observe_time={"seconds": 1372680000},
        relative_humidity=120.0, wind_direction=361.0))
    code, details = failure(lambda: stub.PutObservation(request, metadata=WRITER))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    fields = {v.field for v in details["BadRequest"].field_violations}
    assert fields == {"relative_humidity", "wind_direction"}


@pytest.mark.parametrize("name", ["KJFK", "station/KJFK", "stations", ""])
def test_a_malformed_resource_name_is_an_invalid_argument(stub: Stub, name: str) -> None:
    code, details = failure(lambda: stub.GetStation(pb.GetStationRequest(name=name)))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details["BadRequest"].field_violations] == ["name"]


def test_an_unknown_units_number_is_refused_by_the_core_rule(stub: Stub) -> None:
    request = pb.GetLatestObservationRequest(parent="stations/KJFK", units=7)  # type: ignore[arg-type]
    code, details = failure(lambda: stub.GetLatestObservation(request))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details["BadRequest"].field_violations] == ["units"]


def test_a_stale_etag_is_a_failed_precondition(stub: Stub) -> None:
    station = pb.Station(name="stations/ZPE1", display_name="Etag", time_zone="UTC")
    etag = stub.PutStation(pb.PutStationRequest(station=station), metadata=WRITER).etag
    station.display_name = "Renamed"
    stub.PutStation(pb.PutStationRequest(station=station, etag=etag), metadata=WRITER)
    code, details = failure(lambda: stub.PutStation(
        pb.PutStationRequest(station=station, etag=etag), metadata=WRITER))
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert details["PreconditionFailure"].violations[0].type == "ETAG"


def test_writes_without_a_key_or_with_a_read_only_key_are_refused(stub: Stub) -> None:
    request = pb.DeleteStationRequest(name="stations/KJFK")
    code, details = failure(lambda: stub.DeleteStation(request))
    assert code is grpc.StatusCode.UNAUTHENTICATED
    assert details["ErrorInfo"].reason == "UNAUTHENTICATED"
    code, _ = failure(lambda: stub.DeleteStation(
        request, metadata=(("authorization", "Basic dGVzdA=="),)))
    assert code is grpc.StatusCode.UNAUTHENTICATED
    code, details = failure(lambda: stub.DeleteStation(request, metadata=READER))
    assert code is grpc.StatusCode.PERMISSION_DENIED
    assert details["ErrorInfo"].reason == "PERMISSION_DENIED"


def test_reads_need_no_key(stub: Stub) -> None:
    assert stub.GetStation(pb.GetStationRequest(name="stations/KJFK")).name == "stations/KJFK"


def test_a_too_large_import_is_resource_exhausted_with_a_quota_failure(stub: Stub) -> None:
    one = pb.ImportObservationsRequest(observation=pb.Observation(
        station="stations/KJFK", observe_time={"seconds": 1372680000}))
    code, details = failure(lambda: stub.ImportObservations(
        (one for _ in range(50_001)), metadata=WRITER))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert details["QuotaFailure"].violations


def test_a_message_over_the_size_limit_is_refused_and_the_server_stays_up(stub: Stub) -> None:
    huge = pb.PutStationRequest(station=pb.Station(name="stations/ZPE2",
                                                   display_name="x" * (2 * 1024 * 1024)))
    code, _ = failure(lambda: stub.PutStation(huge, metadata=WRITER))
    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert stub.GetStation(pb.GetStationRequest(name="stations/KJFK")).name


def test_bytes_that_are_not_a_request_are_an_invalid_argument_not_unknown(channel: grpc.Channel,
                                                              stub: Stub) -> None:
    raw = channel.unary_unary("/fourcast.weather.v1.WeatherService/GetStation",
                              request_serializer=lambda b: b, response_deserializer=lambda b: b)
    code, details = failure(lambda: raw(b"\xff\xff\xff\xff", timeout=WAIT))
    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert [v.field for v in details["BadRequest"].field_violations] == ["request"]
    assert stub.GetStation(pb.GetStationRequest(name="stations/KJFK")).name
