"""Push: a live watch on a fresh station, then one observation recorded (or polling)."""

from __future__ import annotations

import contextlib
import json
import secrets
import string
import time

from clients.base import WeatherClient
from services.core.domain import Observation, Station
from services.core.errors import FourcastError, NotFound
from services.evidence.capabilities.common import (
    DELIVERY_TIMEOUT,
    MAX_POLLS,
    OBSERVED_AT,
    PUSH,
    Capability,
    Window,
    client_for,
    line,
)
from services.evidence.decode import Exchange, websocket_frames
from services.evidence.payload import length_prefixed, media_type
from services.evidence.targets import Target
from services.evidence.wire import WireRecorder


def _fresh_station(client: WeatherClient) -> Station:
    alphabet = string.ascii_uppercase + string.digits
    for _ in range(20):
        station_id = "Q" + "".join(secrets.choice(alphabet) for _ in range(3))
        try:
            client.get_station(station_id)
        except NotFound:
            return Station(station_id, "Fourcast capability probe", 0.5, 0.5, 1.0, "UTC")
    raise RuntimeError("found no free station id")


def _carrier(x: Exchange) -> str:
    if x.status == 101:
        return f"{x.header('upgrade')} `{x.header('sec-websocket-protocol')}`"
    kind = media_type(x.content_type)
    if kind == "text/event-stream":
        return f"`{kind}` (SSE) over {x.http_version}"
    return f"{x.http_version} response stream (`{kind}`)"


def _messages(x: Exchange) -> str:
    if x.status == 101:
        kinds = []
        for opcode, payload in websocket_frames(x.response_body):
            try:
                kinds.append(str(json.loads(payload).get("type")) if opcode == 1
                             else f"opcode {opcode}")
            except (ValueError, AttributeError):
                kinds.append("text")
        return f"websocket messages from the server: {', '.join(kinds) or 'none'}"
    kind = media_type(x.content_type)
    if kind == "text/event-stream":
        lines = x.response_body.decode("utf-8", "replace").splitlines()
        events = [line.partition(":")[2].strip() for line in lines if line.startswith("event:")]
        return f"events on the stream: {', '.join(events) or 'none'}"
    if kind.startswith("application/grpc"):
        return f"{len(length_prefixed(x.response_body))} message(s) on the stream"
    return f"{len(x.response_body)} B of response body"


def measure_push(target: Target) -> Capability:
    client = client_for(target, target.api_key)
    try:
        station = _fresh_station(client)
        client.put_station(station)
    except FourcastError as error:
        client.close()
        return Capability(PUSH, None, f"not measured: no station could be made ({error.code})",
                          [str(error)])
    try:
        return _watched(client, target.wire(), station.id)
    finally:
        with contextlib.suppress(Exception):  # cleaning up: the measurement stands anyway
            client.delete_station(station.id)
        client.close()


def _watched(client: WeatherClient, recorder: WireRecorder, station_id: str) -> Capability:
    window = Window(recorder)
    try:
        watcher = client.watch_observations([station_id])
    except NotImplementedError:
        return _polled(client, recorder, station_id)
    with watcher:
        written = time.perf_counter()
        client.put_observation(Observation(station_id, OBSERVED_AT, temperature=1.5))
        try:
            delivered = watcher.next(DELIVERY_TIMEOUT)
        except TimeoutError:
            delivered = None
        exchanges = window.exchanges()  # before closing: the watch is still open
    evidence = [line(x) for x in exchanges]
    if delivered is None or delivered.station_id != station_id:
        return Capability(PUSH, False, f"a watch opened, but nothing arrived within "
                                       f"{DELIVERY_TIMEOUT:g} s", evidence)
    carriers = [x for x in exchanges if x.started < written <= x.finished
                and station_id.encode() in x.response_body]
    if not carriers:
        return Capability(PUSH, None, "delivered, but no exchange open before the write "
                                      "carried it", evidence)
    carrier = carriers[-1]
    evidence.append(f"carried by {line(carrier)}, opened before the write: "
                    f"{_messages(carrier)}")
    return Capability(PUSH, True, f"server push: {_carrier(carrier)}", evidence)


def _polled(client: WeatherClient, recorder: WireRecorder, station_id: str) -> Capability:
    """No watch: poll ``observations_since`` once before the write and until it shows up."""
    before = Window(recorder)
    try:
        client.observations_since(0, [station_id])
    except NotImplementedError:
        return Capability(PUSH, False, "no push and no polling operation")
    polled_before = before.exchanges()
    client.put_observation(Observation(station_id, OBSERVED_AT, temperature=1.5))
    after = Window(recorder)
    found = []
    for _ in range(MAX_POLLS):  # each poll is a full round trip; no wait in between
        found = client.observations_since(0, [station_id])
        if found:
            break
    polled_after = after.exchanges()
    polls = polled_before + polled_after
    evidence = [line(x) for x in polls]
    evidence.append(f"{len(polled_before)} poll(s) before the write (nothing new), "
                    f"{len(polled_after)} after it")
    if not found:
        return Capability(PUSH, False, f"no push: {len(polls)} polls did not see the "
                                       f"observation", evidence)
    return Capability(PUSH, False, f"no push: polled with {len(polls)} request(s)", evidence)
