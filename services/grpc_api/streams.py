"""The streaming plumbing between grpc.aio and the synchronous core.

- :class:`OpenWatches` tracks every live watch, so cancellation and shutdown provably release
  them (tests wait on it instead of sleeping);
- :func:`in_batches` drains a core iterator a batch at a time off the event loop, so a stream
  of any length holds one batch in memory;
- :func:`sync_items` lets the core's ``import_observations`` (which iterates a plain iterable in
  a worker thread) read the client's async request stream, a batch per thread hop;
- :func:`merged` runs producers concurrently and yields what they put, for the bidi watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from itertools import islice
from typing import Any, TypeVar

from services.core.watch import ObservationWatch

T = TypeVar("T")
BATCH = 500


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


async def _take(source: AsyncIterator[T], size: int) -> list[T]:
    batch: list[T] = []
    with contextlib.suppress(StopAsyncIteration):
        while len(batch) < size:
            batch.append(await source.__anext__())
    return batch


def sync_items(source: AsyncIterator[T], loop: asyncio.AbstractEventLoop,
               size: int = BATCH) -> Iterator[T]:
    """A blocking iterator over an async one, for a worker thread: each batch is read on
    ``loop`` (where the gRPC stream lives) while the thread waits.

    Note that grpc.aio ends a request stream the same way whether the client half-closed or
    cancelled, so an all-or-nothing consumer needs an explicit end marker in the messages."""
    while True:
        batch = asyncio.run_coroutine_threadsafe(_take(source, size), loop).result()
        yield from batch
        if len(batch) < size:
            return


async def merged(*producers: Callable[[Callable[[Any], None]], Awaitable[None]],
                 ) -> AsyncIterator[Any]:
    """Run each ``producer(emit)`` concurrently and yield what they emit, in order of
    emission, until one of them fails (its error is raised here) or the consumer stops.
    A producer that finishes normally just stops emitting."""
    queue: asyncio.Queue[tuple[bool, Any]] = asyncio.Queue()

    async def run(producer: Callable[[Callable[[Any], None]], Awaitable[None]]) -> None:
        try:
            await producer(lambda item: queue.put_nowait((True, item)))
        except Exception as error:  # handed to the consumer, which maps it
            queue.put_nowait((False, error))

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
