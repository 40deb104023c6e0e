"""Fixtures of the gRPC-Web tests: the gRPC server with Envoy in front, served as
``fourcast serve`` serves them, and gRPC-Web spoken by hand over httpx."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from google.protobuf.message import Message

from clients.grpc_client import GrpcClient
from services.grpc_web.framing import (
    Frame,
    decode_text,
    frame,
    parse_frames,
    status_of,
)
from services.supervisor import ServerProcess
from tests.servers import API_KEY, HOST, served_stack

WAIT = 10.0  # seconds: bounds a hang only (what it waits for takes milliseconds)
SERVICE = "/fourcast.weather.v1.WeatherService"
BINARY = "application/grpc-web+proto"
TEXT = "application/grpc-web-text"


@dataclass
class Stack:
    grpc: ServerProcess
    proxy: ServerProcess

    @property
    def url(self) -> str:
        return f"http://{self.proxy.address}"

    @property
    def origin(self) -> str:
        """The web app's origin: the one the proxy lets call it."""
        return self.proxy.settings.web_origins()[0]


@pytest.fixture(scope="package")
def stack(served_db: Path | str, server_logs: Path) -> Iterator[Stack]:
    with served_stack(["grpc", "grpc-web"], served_db, server_logs) as servers:
        yield Stack(servers["grpc"], servers["grpc-web"])


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=WAIT) as client:
        yield client


@pytest.fixture
def grpc_client(stack: Stack) -> Iterator[GrpcClient]:
    """A plain gRPC client of the server behind the proxy (for writes and fixtures)."""
    with GrpcClient.connect(HOST, stack.grpc.port, API_KEY) as client:
        yield client


@dataclass
class Answer:
    """A gRPC-Web answer taken apart: the HTTP response, its frames, the call's status."""

    response: httpx.Response
    frames: list[Frame]
    status: dict[str, str]

    @property
    def code(self) -> int:
        return int(self.status["grpc-status"])

    @property
    def messages(self) -> list[bytes]:
        return [f.payload for f in self.frames if not f.is_trailers]


def headers_for(content_type: str = BINARY, origin: str | None = None,
                **more: str) -> dict[str, str]:
    headers = {"content-type": content_type, "x-grpc-web": "1", **more}
    if content_type == TEXT:
        headers["accept"] = TEXT
    if origin is not None:
        headers["origin"] = origin
    return headers


def call(http: httpx.Client, stack: Stack, method: str, request: Message, *,
         text: bool = False, origin: str | None = None, **headers: str) -> Answer:
    """One unary gRPC-Web call of ``WeatherService/method``, framed by hand."""
    body = frame(request.SerializeToString())
    content_type = TEXT if text else BINARY
    response = http.post(f"{stack.url}{SERVICE}/{method}",
                         content=base64.b64encode(body) if text else body,
                         headers=headers_for(content_type, origin, **headers))
    raw = decode_text(response.content) if text else response.content
    frames = parse_frames(raw)
    status = status_of(response.headers, frames)
    assert status is not None, f"no grpc-status in {response.headers} / {raw!r}"
    return Answer(response, frames, status)

