"""One LISTEN connection per process, fanned out to every caller of ``wait_for_change``.

Each write transaction sends ``NOTIFY fourcast_changes, '<its last sequence>'``; PostgreSQL
delivers it at commit, to every listening session of every replica. This thread keeps the
newest sequence heard and wakes the waiters. It starts on the first wait (a process that never
watches never opens it); after a lost connection it reconnects and reads the sequence again,
so a commit made while it was away is not missed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import psycopg

from services.store.postgres_schema import NOTIFY_CHANNEL

_WAKE_EVERY = 1.0  # how often the thread looks up from LISTEN to notice close()
_RETRY_AFTER = 1.0


class ChangeListener:
    def __init__(self, url: str, read_sequence: Callable[[], int]) -> None:
        self._url = url
        self._read_sequence = read_sequence
        self._changed = threading.Condition()
        self._latest = -1
        self._listening = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def wait(self, after: int, timeout: float) -> int:
        """The sequence once it passes ``after``, or after ``timeout`` seconds."""
        self._ensure_started(timeout)
        # Read after LISTEN is active: a commit from now on is heard, one before is read here.
        current = self._read_sequence()
        if current > after:
            return current
        with self._changed:
            self._changed.wait_for(lambda: self._latest > after, timeout)
            if self._latest > after:
                return self._latest
        return self._read_sequence()

    def close(self) -> None:
        self._stopping.set()
        with self._start_lock:  # a thread being started now is started before it is joined
            thread = self._thread
        if thread is not None:
            thread.join(timeout=10)

    def _ensure_started(self, timeout: float) -> None:
        with self._start_lock:
            if self._thread is None and not self._stopping.is_set():
                thread = threading.Thread(target=self._run, name="fourcast-pg-listen",
                                          daemon=True)
                thread.start()
                self._thread = thread
        self._listening.wait(timeout)

    def _publish(self, sequence: int) -> None:
        with self._changed:
            if sequence > self._latest:
                self._latest = sequence
                self._changed.notify_all()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self._publish(self._read_sequence())
                    self._listening.set()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=_WAKE_EVERY):
                            self._publish(int(note.payload))
            except psycopg.Error:
                self._listening.clear()
                self._stopping.wait(_RETRY_AFTER)
