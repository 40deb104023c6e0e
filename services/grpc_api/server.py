"""The gRPC server: ``grpc.aio`` with the weather servicer, health, reflection, one interceptor.

``create_server(service, address)`` builds it (tests bind ``127.0.0.1:0``); ``serve(settings)``
runs it until SIGTERM/SIGINT, then shuts down gracefully: health turns ``NOT_SERVING`` first
(so a balancer drains it), open watches end, in-flight calls get ``SHUTDOWN_GRACE`` seconds.

Why ``grpc.aio`` and not the thread-pool ``grpc.server``: measured with h2load (see
``fourcast bench latest`` and ``docs/grpc.md``), aio answers more unary calls per second on
one core, and a watch costs a coroutine rather than a pool thread for as long as it is open.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import ServiceDescriptor
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from fourcast.weather.v1 import weather_pb2
from services.config import Settings, build_service
from services.core.ceiling import bench_endpoints_enabled
from services.core.service import WeatherService
from services.grpc_api.auth import CredentialInterceptor
from services.grpc_api.budgets import Budgets
from services.grpc_api.ceiling import BENCH_SERVICE, BenchServicer
from services.grpc_api.errors import tolerant
from services.grpc_api.reflection import enable_reflection
from services.grpc_api.servicer import WeatherServicer

WEATHER_SERVICE = weather_pb2.DESCRIPTOR.services_by_name["WeatherService"]
SERVICE_NAME = WEATHER_SERVICE.full_name
SHUTDOWN_GRACE = 5.0
MAX_RECEIVE_BYTES = 1 * 1024 * 1024  # requests are small; an import streams one per message
MAX_SEND_BYTES = 4 * 1024 * 1024  # a full page of 500 observations is ~60 kB
OPTIONS = (
    ("grpc.max_receive_message_length", MAX_RECEIVE_BYTES),
    ("grpc.max_send_message_length", MAX_SEND_BYTES),
    ("grpc.so_reuseport", 0),  # a second server on the same port must fail, not share it
)


@dataclass
class GrpcServer:
    server: grpc.aio.Server
    servicer: WeatherServicer
    health: health.aio.HealthServicer
    port: int

    async def start(self) -> None:
        await self.server.start()
        for name in ("", SERVICE_NAME):
            await self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float = SHUTDOWN_GRACE) -> None:
        await self.health.enter_graceful_shutdown()
        self.servicer.watches.close_all()
        await self.server.stop(grace)


_KINDS = {(False, False): grpc.unary_unary_rpc_method_handler,
          (False, True): grpc.unary_stream_rpc_method_handler,
          (True, False): grpc.stream_unary_rpc_method_handler,
          (True, True): grpc.stream_stream_rpc_method_handler}


def _method_handlers(service: ServiceDescriptor, servicer: object
                     ) -> dict[str, grpc.RpcMethodHandler]:
    """The servicer's handlers, built from the service descriptor like generated
    ``add_*Servicer_to_server`` functions do, but with tolerant request deserializers
    (see :class:`~services.grpc_api.errors.Undecodable`)."""
    handlers = {}
    for method in service.methods:
        request_type = message_factory.GetMessageClass(method.input_type)
        response_type = message_factory.GetMessageClass(method.output_type)
        make = _KINDS[(method.client_streaming, method.server_streaming)]
        handlers[method.name] = make(
            getattr(servicer, method.name),
            request_deserializer=tolerant(request_type.FromString, method.input_type.name),
            response_serializer=response_type.SerializeToString)
    return handlers


def _register(server: grpc.aio.Server, service: ServiceDescriptor, servicer: object) -> str:
    """Serve ``servicer`` as ``service`` (generic and registered-method lookup, as generated
    code does); the service's full name."""
    handlers = _method_handlers(service, servicer)
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(service.full_name,
                                                                          handlers),))
    server.add_registered_method_handlers(service.full_name, handlers)
    return service.full_name


def create_server(service: WeatherService, address: str, *,
                  inline_point_reads: bool = True, budgets: Budgets | None = None) -> GrpcServer:
    """A server for ``service`` bound to ``address`` (``host:0`` picks a free port); call
    ``start()`` inside a running event loop. ``budgets`` default to the environment's."""
    server = grpc.aio.server(interceptors=[CredentialInterceptor()], options=OPTIONS)
    servicer = WeatherServicer(service, inline_point_reads=inline_point_reads, budgets=budgets)
    _register(server, WEATHER_SERVICE, servicer)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    # The bench service shares the server, its interceptor and its deserializers: the ceiling
    # differs from the real call only in the work Fourcast does.
    bench = ((_register(server, BENCH_SERVICE, BenchServicer()),)
             if bench_endpoints_enabled() else ())
    enable_reflection(server, (SERVICE_NAME, health.SERVICE_NAME, *bench))
    port = server.add_insecure_port(address)
    return GrpcServer(server, servicer, health_servicer, port)


async def _serve(settings: Settings) -> None:
    grpc_server = create_server(build_service(settings),
                                f"{settings.host}:{settings.port('grpc')}")
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    await grpc_server.start()
    await stopping.wait()
    await grpc_server.stop()


def serve(settings: Settings) -> None:
    """Run the production gRPC server until SIGTERM or SIGINT (the server contract)."""
    asyncio.run(_serve(settings))


def ready(host: str, port: int) -> bool:
    """One real health check: does the server answer SERVING?"""
    try:
        with grpc.insecure_channel(f"{host}:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=SERVICE_NAME), timeout=1.0)
    except grpc.RpcError:
        return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def describe(host: str, port: int) -> tuple[str, str]:
    contract = (f"grpc://{host}:{port} (server reflection; "
                "protos/fourcast/weather/v1/weather.proto)")
    example = (f"grpcurl -plaintext -d '{{\"name\": \"stations/KJFK\"}}' {host}:{port} "
               f"{SERVICE_NAME}/GetStation")
    return contract, example
