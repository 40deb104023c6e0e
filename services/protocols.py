"""The four protocol servers as the supervisor and the test fixtures see them.

Each adapter package provides ``server.py`` with two functions:

- ``serve(settings: Settings) -> None``: run the production server for this protocol on
  ``settings.host`` and ``settings.port(<protocol>)`` over ``build_service(settings)``; block
  until SIGTERM or SIGINT, then shut down gracefully and return;
- ``ready(host: str, port: int) -> bool``: make one real, quick request (an HTTP GET, a gRPC
  health check) and say whether the server answers;
- ``describe(host: str, port: int) -> tuple[str, str]``: where the contract document is, and a
  one-line example call with a standard tool (curl, grpcurl, zeep), for ``fourcast serve``.

Two more servers run beside the four APIs (:data:`SERVERS`): the gRPC-Web proxy (Envoy in front
of the gRPC server, for browser pages) and the web app (the page that calls the four APIs). They
follow the same interface; a server that cannot run on this machine may also provide
``unavailable() -> str | None``, the one-line reason, so that ``fourcast serve`` with no names
leaves it out and says why.

The adapter is imported only when it is needed, so that ``fourcast serve grpc`` never imports
Spyne (and its compatibility shim) or Flask.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True, slots=True)
class Protocol:
    name: str
    title: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


PROTOCOLS: dict[str, Protocol] = {
    "rest": Protocol("rest", "REST", "services.rest_api.server"),
    "graphql": Protocol("graphql", "GraphQL", "services.graphql_api.server"),
    "grpc": Protocol("grpc", "gRPC", "services.grpc_api.server"),
    "soap": Protocol("soap", "SOAP", "services.soap_api.server"),
}

SERVERS: dict[str, Protocol] = {
    **PROTOCOLS,
    "grpc-web": Protocol("grpc-web", "gRPC-Web", "services.grpc_web.server"),
    "web": Protocol("web", "web app", "services.web.server"),
}
"""Every server ``fourcast serve`` runs: the four APIs, the gRPC-Web proxy and the web app."""
