"""The gRPC-Web proxy (``fourcast serve grpc-web``): Envoy in front of the gRPC server.

A browser page cannot speak gRPC (see the "gRPC-Web" section of ``docs/grpc.md``); gRPC-Web
is gRPC reshaped for ``fetch``, and Envoy's ``grpc_web`` filter is the implementation the
gRPC project names for translating it. This module runs Envoy as a child process with the
configuration of :mod:`services.grpc_web.config`, and follows the server contract of
:mod:`services.protocols`: SIGTERM or SIGINT stops Envoy and returns; Envoy stopping on its
own ends ``serve()`` with status 1 and Envoy's last words on one line.
"""

from __future__ import annotations

import http.client
import signal
from types import FrameType

from services.config import Settings
from services.grpc_web.config import envoy_config, upstream_address
from services.grpc_web.envoy import EnvoyProcess, unavailable_reason
from services.grpc_web.framing import frame, parse_frames, status_of

STOP_GRACE = 5.0
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
GRPC_WEB = "application/grpc-web+proto"
# GetStation of stations/KJFK in text mode (base64 of the frame), for a curl example
EXAMPLE_METHOD = "/fourcast.weather.v1.WeatherService/GetStation"
EXAMPLE_BODY = "AAAAAA8KDXN0YXRpb25zL0tKRks="


class _Stop(Exception):
    """SIGTERM or SIGINT arrived while waiting on Envoy."""


def unavailable() -> str | None:
    """Why Envoy cannot run on this machine (one line), or None."""
    return unavailable_reason()


def serve(settings: Settings) -> None:
    """Run Envoy on ``settings.host:settings.port('grpc-web')``, forwarding to the gRPC
    server, until SIGTERM or SIGINT (the server contract)."""
    reason = unavailable()
    if reason:
        raise SystemExit(f"fourcast: the gRPC-Web proxy cannot start: {reason}")
    config = envoy_config(settings)
    stopping = False
    waiting = False

    def on_signal(signum: int, stack_frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            if waiting:  # only a wait is interrupted, never Envoy's start or clean-up
                raise _Stop

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        with EnvoyProcess(config) as envoy:
            status = None
            try:
                waiting = True
                if not stopping:
                    status = envoy.wait()
            except _Stop:
                pass
            finally:
                waiting = False
            if stopping:
                envoy.stop(STOP_GRACE)
                return
            said = envoy.last_words() or "no output"
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    raise SystemExit(f"fourcast: Envoy (the gRPC-Web proxy) {_ended(status)}: {said}")


def _ended(status: int | None) -> str:
    if status is not None and status < 0:
        return f"was killed by {signal.Signals(-status).name}"
    return f"exited with status {status}"


def ready(host: str, port: int) -> bool:
    """One real gRPC-Web call (a health check with an empty request): True once Envoy
    answers it with a ``grpc-status``, whatever the status (the gRPC server behind it may
    still be starting; it has its own readiness check)."""
    connection = http.client.HTTPConnection(host, port, timeout=1.0)
    try:
        connection.request("POST", HEALTH_CHECK, body=frame(b""),
                           headers={"content-type": GRPC_WEB, "x-grpc-web": "1"})
        response = connection.getresponse()
        body = response.read()
        # an answer of Envoy's own (the gRPC server not up yet) is a 503 with grpc-status 14
        return status_of(dict(response.getheaders()), parse_frames(body)) is not None
    except (OSError, http.client.HTTPException, ValueError):
        return False
    finally:
        connection.close()


def describe(host: str, port: int, settings: Settings | None = None) -> tuple[str, str]:
    """Where the proxy forwards and the origins it lets call it, and a curl call in text mode
    (base64 both ways). Without ``settings`` (the caller knows only this server's address)
    the gRPC port and the origins are named by their settings, not guessed."""
    if settings is None:
        route = "gRPC at --grpc-port; CORS for the web app's origin or FOURCAST_CORS_ORIGINS"
    else:
        grpc_port = settings.port("grpc")
        route = (f"gRPC {upstream_address(settings.host, grpc_port)}:{grpc_port}; CORS for "
                 f"{', '.join(settings.web_origins())}")
    contract = f"http://{host}:{port} (Envoy: gRPC-Web -> {route})"
    example = (f"curl -s http://{host}:{port}{EXAMPLE_METHOD} "
               "-H 'content-type: application/grpc-web-text' "
               f"-H 'accept: application/grpc-web-text' -d {EXAMPLE_BODY} | base64 -d")
    return contract, example
