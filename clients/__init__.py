"""Fourcast clients: one per protocol, all behind :class:`clients.base.WeatherClient`."""

from __future__ import annotations

import importlib

from clients.base import ObservationWatcher, WeatherClient

CLIENTS: dict[str, str] = {
    "rest": "clients.rest_client:RestClient",
    "graphql": "clients.graphql_client:GraphQLClient",
    "grpc": "clients.grpc_client:GrpcClient",
    "soap": "clients.soap_client:SoapClient",
}


def client_class(protocol: str) -> type[WeatherClient]:
    module, name = CLIENTS[protocol].split(":")
    cls: type[WeatherClient] = getattr(importlib.import_module(module), name)
    return cls


def connect(protocol: str, host: str, port: int, api_key: str | None = None) -> WeatherClient:
    """A client of ``protocol`` for the server at ``host:port``."""
    return client_class(protocol).connect(host, port, api_key)


__all__ = ["CLIENTS", "ObservationWatcher", "WeatherClient", "client_class", "connect"]
