"""Live observations as Server-Sent Events.

``GET /stations/{id}/observations/live`` streams one station; ``GET /live?station=A&station=B``
several in one stream (one global order). Each event's ``id`` is the store's change sequence,
so a reconnecting client sends ``Last-Event-ID`` and resumes exactly after what it saw.

The stream goes to a client that asks for ``text/event-stream``; any other (HAL, JSON,
``*/*``) gets a short description of the feed instead, with its links. The watch is opened
(and the stations checked, so errors are still a plain 404/400) before the response starts;
the first bytes sent are a ``retry:`` line and an ``open`` comment, so a client that has read
them knows that everything recorded from then on will reach it. A comment is sent after
``heartbeat`` quiet seconds: writing is how a WSGI server notices a client that went away,
and closing the response ends the generator and closes the watch.

Open streams are bounded per server process and per client (``streams``): one over the budget
is refused before it opens, once its arguments are known to be good (so a bad request is still
a 400 or 404, whatever the budget).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence

from flask import Response, current_app, request

from services.core import validation
from services.core.errors import FourcastError, InvalidArgument, TooManyStreams
from services.core.watch import ObservationWatch
from services.rest_api import render, schemas
from services.rest_api.api import Reply, ResourceBlueprint
from services.rest_api.context import service
from services.rest_api.models import LiveQuery, UnitsQuery
from services.rest_api.problems import from_core
from services.rest_api.representation import (
    EVENT_STREAM,
    FEED_OFFERED,
    negotiate,
    represent,
    serialise,
)
from services.rest_api.streams import LiveBody, budget, stream_client

api = ResourceBlueprint("live", __name__,
                        "Observations as they are recorded, as Server-Sent Events.")
# The stream only to a client that asks for it (FEED_OFFERED puts it last): one that accepts
# anything (a generic client following links, */*) gets the finite description, and never
# waits on an endless answer.
STREAM = Reply("An endless text/event-stream of `observation` events or, to a client that "
               "does not ask for text/event-stream, a description of the feed",
               schemas.LiveFeed, streams=(EVENT_STREAM,))
RETRY_MS = 1000
OPEN_COMMENT = ": open"


def _after_sequence() -> int | None:
    """The change sequence to resume after. Event ids are sequences (0, 1, …), and an
    EventSource never sends an empty Last-Event-ID; an empty one is refused too, because
    that is how granian hands on a value that is not ASCII. The range is the core's rule
    (a sequence past 2**63-1 is no event id), judged here so it names the header."""
    raw = request.headers.get("Last-Event-ID")
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit():
        raise InvalidArgument.single("Last-Event-ID", "must be an event id we sent")
    try:
        sequence = int(raw)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        raise InvalidArgument.single("Last-Event-ID", "must be an event id we sent") from None
    return validation.check_sequence(sequence, "Last-Event-ID")


def events(watch: ObservationWatch, heartbeat: float) -> Iterator[bytes]:
    """The stream's bytes. Between events it waits on the watch (woken by the process's watch
    hub when something is recorded), never longer than the next keep-alive is due."""
    try:
        yield f"retry: {RETRY_MS}\n{OPEN_COMMENT} {watch.sequence}\n\n".encode()
        quiet_since = time.monotonic()
        while not watch.closed:
            try:
                batch = watch.poll()
            except FourcastError as error:  # e.g. the station was deleted meanwhile
                yield b"event: problem\ndata: " + from_core(error).get_data() + b"\n\n"
                return
            for recorded in batch:
                data = serialise(render.observation(recorded.observation))
                yield b"id: %d\nevent: observation\ndata: %s\n\n" % (recorded.sequence, data)
            now = time.monotonic()
            if batch:
                quiet_since = now
            elif now - quiet_since >= heartbeat:
                yield b": keep-alive\n\n"
                quiet_since = now
            else:
                watch.wait(heartbeat - (now - quiet_since))
    finally:
        watch.close()


def _stream(station_ids: Sequence[str], units: str | None) -> Response:
    media = negotiate(FEED_OFFERED)
    watch = service().watch(station_ids, units, _after_sequence())  # checks every argument
    if media != EVENT_STREAM:
        watch.close()
        return represent(render.live_feed(request.full_path.rstrip("?"), station_ids,
                                          watch.units.value), cache="station")
    try:
        lease = budget().acquire(stream_client())
    except TooManyStreams:
        watch.close()
        raise
    body = LiveBody(events(watch, current_app.config["SSE_HEARTBEAT"]), watch, lease)
    return Response(body, content_type=f"{EVENT_STREAM}; charset=utf-8", direct_passthrough=True,
                    headers={"Cache-Control": "no-cache", "Vary": "Accept",
                             "X-Accel-Buffering": "no"})


@api.operation("GET", "/stations/{station_id}/observations/live",
               summary="Observations of the station as they are recorded (SSE)",
               path_params={"station_id": "ICAO-style station id, e.g. KJFK"},
               query=UnitsQuery, request_headers=("Last-Event-ID",),
               replies={200: STREAM}, errors=(400, 404, 429, 503))
def watch_station(station_id: str, query: UnitsQuery) -> Response:
    """To a client that asks for `text/event-stream`: the station's observations as they are
    recorded, as Server-Sent Events whose ids are change sequences (send `Last-Event-ID` to
    resume after one). To any other client: a description of the feed. Open streams are limited
    per server and per client: over the limit, 429 or 503 with `Retry-After`."""
    return _stream([station_id], query.units)


@api.operation("GET", "/live", summary="Observations of several stations as they are "
                                       "recorded, in one stream (SSE)",
               query=LiveQuery, request_headers=("Last-Event-ID",),
               replies={200: STREAM}, errors=(400, 404, 429, 503))
def watch_stations(query: LiveQuery) -> Response:
    """Like a station's live feed, for several stations in one stream, in the order their
    observations were recorded."""
    return _stream(query.station, query.units)
