"""Server reflection, both versions, with every symbol a client may ask about.

grpcio-reflection serves only ``grpc.reflection.v1alpha``; grpcurl, Postman and newer tools ask
for ``grpc.reflection.v1`` first. The v1 protocol is v1alpha renamed (the same messages, field
for field, upstream's ``grpc/reflection/v1/reflection.proto``), so v1 is served by the same
servicer behind the v1 method path, and v1's file is added to the descriptor pool (built from
v1alpha's with the package renamed) so that reflection can describe it too.

``file_containing_symbol`` resolves through the descriptor pool, and the upb protobuf runtime's
pool finds no method (``pkg.Service.Method``) or enum value nested in its enum
(``pkg.Enum.VALUE``): ``grpcurl describe fourcast.weather.v1.WeatherService.GetStation`` said
"Symbol not found". :class:`ReflectionServicer` answers from an index of every symbol of the
served files and their dependencies, and falls back to the pool for anything else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf.descriptor import Descriptor, EnumDescriptor, FileDescriptor
from grpc_reflection.v1alpha import reflection
from grpc_reflection.v1alpha import reflection_pb2 as v1alpha_pb2
from grpc_reflection.v1alpha._base import _file_descriptor_response

V1_SERVICE_NAME = "grpc.reflection.v1.ServerReflection"
V1ALPHA_SERVICE_NAME = reflection.SERVICE_NAME
_V1_FILE = "grpc/reflection/v1/reflection.proto"


def _renamed(type_name: str) -> str:
    return type_name.replace(".grpc.reflection.v1alpha.", ".grpc.reflection.v1.")


def _rename_message(message: descriptor_pb2.DescriptorProto) -> None:
    for field in message.field:
        if field.HasField("type_name"):
            field.type_name = _renamed(field.type_name)
    for nested in message.nested_type:
        _rename_message(nested)


@functools.cache
def v1_file() -> FileDescriptor:
    """``grpc/reflection/v1/reflection.proto`` in the default pool (added on first use)."""
    pool = descriptor_pool.Default()
    try:
        return pool.FindFileByName(_V1_FILE)
    except KeyError:
        pass
    proto = descriptor_pb2.FileDescriptorProto()
    v1alpha_pb2.DESCRIPTOR.CopyToProto(proto)
    proto.name, proto.package = _V1_FILE, "grpc.reflection.v1"
    proto.options.Clear()
    proto.options.go_package = "google.golang.org/grpc/reflection/grpc_reflection_v1"
    proto.options.java_multiple_files = True
    proto.options.java_package = "io.grpc.reflection.v1"
    proto.options.java_outer_classname = "ServerReflectionProto"
    for message in proto.message_type:
        _rename_message(message)
    for service in proto.service:
        for method in service.method:
            method.input_type = _renamed(method.input_type)
            method.output_type = _renamed(method.output_type)
    return pool.AddSerializedFile(proto.SerializeToString())


def _enum_symbols(enum: EnumDescriptor) -> Iterable[str]:
    yield enum.full_name
    scope = enum.full_name.rpartition(".")[0]
    for value in enum.values:
        # protobuf scopes a value beside its enum (C++ rules); tools also write Enum.VALUE
        yield f"{scope}.{value.name}" if scope else value.name
        yield f"{enum.full_name}.{value.name}"


def _message_symbols(message: Descriptor) -> Iterable[str]:
    yield message.full_name
    for field in (*message.fields, *message.extensions):
        yield field.full_name
    for oneof in message.oneofs:
        yield oneof.full_name
    for enum in message.enum_types:
        yield from _enum_symbols(enum)
    for nested in message.nested_types:
        yield from _message_symbols(nested)


def _file_symbols(file: FileDescriptor) -> Iterable[str]:
    for service in file.services_by_name.values():
        yield service.full_name
        for method in service.methods:
            yield method.full_name
    for enum in file.enum_types_by_name.values():
        yield from _enum_symbols(enum)
    for message in file.message_types_by_name.values():
        yield from _message_symbols(message)
    for extension in file.extensions_by_name.values():
        yield extension.full_name


def symbol_index(files: Iterable[FileDescriptor]) -> dict[str, FileDescriptor]:
    """Every symbol of ``files`` and their dependencies → the file that defines it."""
    index: dict[str, FileDescriptor] = {}
    pending, seen = list(files), set()
    while pending:
        file = pending.pop()
        if file.name in seen:
            continue
        seen.add(file.name)
        index.update((symbol, file) for symbol in _file_symbols(file))
        pending.extend(file.dependencies)
    return index


class ReflectionServicer(reflection.aio.ReflectionServicer):  # type: ignore[misc]
    """grpcio-reflection's servicer, with symbols resolved from :func:`symbol_index`."""

    def __init__(self, service_names: Iterable[str]) -> None:
        names = tuple(service_names)
        super().__init__(names)
        self._symbols = symbol_index(
            self._pool.FindFileContainingSymbol(name) for name in names)

    def _file_containing_symbol(self, request: Any, fully_qualified_name: str) -> Any:
        file = self._symbols.get(fully_qualified_name)
        if file is None:
            return super()._file_containing_symbol(request, fully_qualified_name)
        return _file_descriptor_response(file, request)


def enable_reflection(server: grpc.aio.Server, service_names: Iterable[str]) -> None:
    """Serve reflection v1 and v1alpha for ``service_names`` (both versions listed)."""
    v1_file()
    servicer = ReflectionServicer((*service_names, V1_SERVICE_NAME, V1ALPHA_SERVICE_NAME))
    # Both versions share message layouts byte for byte, so v1alpha's classes carry v1 too.
    method = {"ServerReflectionInfo": grpc.stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=v1alpha_pb2.ServerReflectionRequest.FromString,
        response_serializer=v1alpha_pb2.ServerReflectionResponse.SerializeToString)}
    server.add_generic_rpc_handlers((
        grpc.method_handlers_generic_handler(V1_SERVICE_NAME, method),
        grpc.method_handlers_generic_handler(V1ALPHA_SERVICE_NAME, method)))
