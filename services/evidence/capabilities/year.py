"""A year of observations: streamed where the contract offers a stream, paged otherwise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from clients.base import WeatherClient
from services.core.validation import MAX_PAGE_SIZE
from services.evidence.capabilities.common import (
    STATION,
    YEAR,
    YEAR_RANGE,
    Capability,
    Window,
    client_for,
    line,
    reflect,
)
from services.evidence.payload import length_prefixed
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder


def _streaming_read(target: Target) -> tuple[str, list[str]] | None:
    """The contract's server-streaming read of a time range, where reflection shows one."""
    if target.protocol != "grpc":
        return None

    def streaming(service: Any) -> bool:
        method = service.methods_by_name.get("StreamObservations")
        return bool(method is not None and method.server_streaming
                    and not method.client_streaming)

    found, evidence = reflect(target, streaming)
    evidence.append(f"StreamObservations server-streaming (by reflection): {found}")
    return ("StreamObservations", evidence) if found else None


def measure_year(target: Target) -> Capability:
    stream = _streaming_read(target)
    client = client_for(target, None)
    try:
        client.get_station(STATION)  # the client's set-up (entry point, WSDL) is not counted
        stream_observations = getattr(client, "stream_observations", None)
        if stream is not None and stream_observations is not None:
            return _streamed(stream_observations, target.wire(), *stream)
        return _paged(client, target.wire())
    finally:
        client.close()


def _streamed(stream_observations: Callable[..., Any], recorder: WireRecorder, method: str,
              evidence: list[str]) -> Capability:
    window = Window(recorder)
    received = sum(1 for _ in stream_observations(STATION, *YEAR_RANGE))
    exchanges = window.exchanges()
    messages = sum(len(length_prefixed(x.response_body)) for x in exchanges)
    evidence = [*evidence, *(line(x) for x in exchanges),
                f"{messages:,} messages on the wire, {received:,} observations read"]
    return Capability(YEAR, len(exchanges) == 1,
                      f"one stream: {len(exchanges)} request, {messages:,} messages "
                      f"(server-streaming `{method}`)", evidence)


def _paged(client: WeatherClient, recorder: WireRecorder) -> Capability:
    window = Window(recorder)
    total, token = 0, None
    while True:
        page = client.list_observations(STATION, *YEAR_RANGE, page_size=MAX_PAGE_SIZE,
                                        page_token=token)
        total += len(page.items)
        token = page.next_page_token
        if not token:
            break
    exchanges = window.exchanges()
    evidence = [line(x) for x in exchanges[:1]]
    if len(exchanges) > 1:
        evidence += [f"… {len(exchanges) - 2} more …" if len(exchanges) > 2 else "",
                     line(exchanges[-1])]
    return Capability(YEAR, False, f"paged: {len(exchanges)} requests for {total:,} "
                                   f"observations ({MAX_PAGE_SIZE} a page)",
                      [e for e in evidence if e])
