"""The streaming plumbing between grpc.aio and the synchronous core.

- :class:`OpenWatches` tracks every live watch, so cancellation and shutdown provably release
  them (tests wait on it instead of sleeping);
- :func:`in_batches` drains a core iterator a batch at a time off the event loop, so a stream
  of any length holds one batch in memory;
- :func:`read_import` reads a client's request stream whole on the event loop (bounded), so
  the core's ``import_observations`` runs in a worker thread only once every message is in;
- :func:`merged` runs producers concurrently and yields what they emit, for the bidi watch,
  with backpressure: a client that stops reading stops being read.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from itertools import islice
from typing import Any, TypeVar

from services.core.errors import ResourceExhausted
from services.core.watch import ObservationWatch

T = TypeVar("T")
BATCH = 500
MERGED_BACKLOG = 64  # responses a bidi stream holds for a client that is not reading
Emit = Callable[[Any], Awaitable[None]]


class OpenWatches:
    """The watches a server has open right now."""

    def __init__(self) -> None:
        self._watches: set[ObservationWatch] = set()
        self._changed = threading.Condition()

    def __len__(self) -> int:
        with self._changed:
            return len(self._watches)

    def current(self) -> list[ObservationWatch]:
        with self._changed:
            return list(self._watches)

    @contextlib.contextmanager
    def opened(self, watch: ObservationWatch) -> Iterator[ObservationWatch]:
        """Track ``watch`` for the block; it is closed when the block ends, however it ends
        (the client cancelled, the deadline passed, the server is stopping)."""
        with self._changed:
            self._watches.add(watch)
            self._changed.notify_all()
        try:
            yield watch
        finally:
            watch.close()
            with self._changed:
                self._watches.discard(watch)
                self._changed.notify_all()

    def wait_for(self, predicate: Callable[[int], bool], timeout: float) -> bool:
        """Block until ``predicate(number open)`` holds; False if it did not within timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: predicate(len(self._watches)), timeout)

    def close_all(self) -> None:
        """Stop every watch (at shutdown): their streams end instead of holding the grace."""
        with self._changed:
            for watch in self._watches:
                watch.close()


async def in_batches(items: Iterator[T], size: int = BATCH) -> AsyncIterator[T]:
    """Yield ``items`` in order, reading ``size`` at a time in a worker thread."""
    while True:
        batch = await asyncio.to_thread(lambda: list(islice(items, size)))
        for item in batch:
            yield item
        if len(batch) < size:
            return


async def read_import(requests: AsyncIterator[Any], max_bytes: int,
                      count: Callable[[Any], bool], check_count: Callable[[int], None],
                      ) -> list[Any]:
    """Every message of a client's request stream, read on the event loop: waiting for a slow
    (or stalled) client holds no thread. ``check_count`` (the core's size rule) sees the
    number of messages ``count`` selects as they arrive; more than ``max_bytes`` in all is
    ResourceExhausted, so a stream is refused as soon as it is too large.

    Note that grpc.aio ends a request stream the same way whether the client half-closed or
    cancelled, so an all-or-nothing consumer needs an explicit end marker in the messages."""
    received: list[Any] = []
    size = counted = 0
    async for message in requests:
        size += message.ByteSize()
        if size > max_bytes:
            raise ResourceExhausted(f"an import stream carries at most {max_bytes} bytes")
        if count(message):
            counted += 1
            check_count(counted)
        received.append(message)
    return received


async def merged(*producers: Callable[[Emit], Awaitable[None]]) -> AsyncIterator[Any]:
    """Run each ``producer(emit)`` concurrently and yield what they emit, in order of
    emission, until one of them fails (its error is raised here) or the consumer stops.
    A producer that finishes normally just stops emitting. ``await emit(item)`` waits while
    MERGED_BACKLOG items are not yet consumed, so nothing queues without bound."""
    queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue(MERGED_BACKLOG)

    async def emit(item: Any) -> None:
        await queue.put((True, item))

    async def run(producer: Callable[[Emit], Awaitable[None]]) -> None:
        try:
            await producer(emit)
        except Exception as error:  # handed to the consumer, which maps it
            await queue.put((False, error))

    tasks = [asyncio.create_task(run(p)) for p in producers]
    try:
        while True:
            ok, item = await queue.get()
            if not ok:
                raise item
            yield item
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
