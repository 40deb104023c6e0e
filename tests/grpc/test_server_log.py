"""The server's log stays quiet and useful (issue 13, item 23): a malformed HTTP/2 request,
which any client can send, leaves no grpc core line in it; the server still answers."""

from __future__ import annotations

from pathlib import Path

import httpx

from fourcast.weather.v1 import weather_pb2 as pb
from fourcast.weather.v1 import weather_pb2_grpc
from services.supervisor import ServerProcess
from tests.servers import HOST


def test_a_request_grpc_core_refuses_leaves_no_noise_in_the_log(
        grpc_server: ServerProcess, server_logs: Path,
        stub: weather_pb2_grpc.WeatherServiceStub) -> None:
    url = f"http://{HOST}:{grpc_server.port}/fourcast.weather.v1.WeatherService/GetStation"
    with httpx.Client(http1=False, http2=True, timeout=10) as http2:
        # grpc core answers it itself (INTERNAL, "Error parsing ':method' metadata"), before
        # any handler of ours, and used to log that line for each such request first
        refused = http2.options(url)
    assert ":method" in refused.headers["grpc-message"]
    assert stub.GetStation(pb.GetStationRequest(name="stations/KJFK"), timeout=10).name
    log = (server_logs / f"grpc-{grpc_server.port}.log").read_text(errors="replace")
    assert "Error parsing" not in log
    assert "hpack" not in log
