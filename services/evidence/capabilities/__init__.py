"""Push, field selection and a long read, measured on each server's wire (never declared).

Each measurement does what a user of the protocol would do — with the protocol's own client, or
by sending its natural request by hand — through the target's wire recorder, and reads the
outcome off the wire:

- **push**: a live watch on a station made for the occasion (deleted afterwards), then one
  observation recorded. The exchange that was open before the write and carried the
  observation after it is what pushed it. A client with no watch polls instead; its polls are
  counted.
- **field selection**: one station asked for with one field, ``name``, by the protocol's own
  means: a GraphQL selection set, a REST query parameter, a ``FieldMask`` in the gRPC request
  (looked up by server reflection), a field-choosing element in the SOAP WSDL.
- **a year of observations**: where the contract offers a server-streaming read (gRPC, seen by
  reflection) the year is streamed and the messages on the wire counted; otherwise it is paged
  with the largest page and the requests counted.

A cell holds only what is the same on every run: no timings, no generated ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from services.evidence.capabilities.common import (
    FIELDS,
    PUSH,
    YEAR,
    Capability,
    ServerCapabilities,
)
from services.evidence.capabilities.fields import measure_field_selection
from services.evidence.capabilities.push import measure_push
from services.evidence.capabilities.year import measure_year
from services.evidence.targets import Target

__all__ = ["FIELDS", "PUSH", "YEAR", "Capability", "ServerCapabilities", "measure",
           "measure_all", "measure_field_selection", "measure_push", "measure_year"]


def _guarded(name: str, measure: Callable[[Target], Capability], target: Target) -> Capability:
    try:
        return measure(target)
    except Exception as error:  # a client or server that breaks is a result to show
        return Capability(name, None, f"not measured: {type(error).__name__}",
                          [f"{type(error).__name__}: {error}"])


def measure(target: Target) -> ServerCapabilities:
    return ServerCapabilities(target.protocol, [
        _guarded(PUSH, measure_push, target),
        _guarded(FIELDS, measure_field_selection, target),
        _guarded(YEAR, measure_year, target)])


def measure_all(targets: Sequence[Target]) -> list[ServerCapabilities]:
    return [measure(t) for t in targets]
