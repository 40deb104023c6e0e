"""The ``fourcast`` command: version, seed, and the ``serve`` supervisor end to end."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from services.protocols import PROTOCOLS
from tests.servers import free_port


def fourcast(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], capture_output=True,
                          text=True, timeout=120)


def test_version_is_printed() -> None:
    result = fourcast("--version")
    assert result.returncode == 0 and result.stdout.startswith("fourcast ")


def test_an_unknown_protocol_is_refused() -> None:
    result = fourcast("serve", "corba")
    assert result.returncode == 2 and "unknown protocol" in result.stderr


class Lines:
    """The lines a process prints, readable with a timeout."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        assert process.stdout is not None
        stream = process.stdout
        self.reader = threading.Thread(
            target=lambda: [*map(self.lines.put, stream), self.lines.put(None)], daemon=True)
        self.reader.start()

    def until(self, text: str, timeout: float = 90) -> list[str]:
        seen: list[str] = []
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"the process ended before printing {text!r}: {seen}")
            seen.append(line)
            if text in line:
                return seen


@contextmanager
def supervisor(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, dict[str, int]]]:
    ports = {name: free_port() for name in PROTOCOLS}
    args = [f"--{name}-port={port}" for name, port in ports.items()]
    env = {**os.environ, "FOURCAST_API_KEYS": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "serve", "--db", str(tmp_path / "db.sqlite3"),
         *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = Lines(process)
    try:
        yield process, lines, ports
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        # The pipe ends when every process holding it has exited: the supervisor and every
        # server it started (a leftover would keep the reader blocked, and closing the pipe
        # under a blocked reader deadlocks).
        lines.reader.join(timeout=30)
        assert not lines.reader.is_alive(), "a server outlived the supervisor"
        if process.stdout is not None:
            process.stdout.close()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_starts_every_server_and_stops_them_on_sigterm(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, ports):
        printed = "".join(lines.until("Ctrl-C stops every server."))
        assert "generated development key" in printed
        for name in PROTOCOLS:
            assert f"127.0.0.1:{ports[name]}" in printed, printed
        children = children_of(process.pid)
        assert len(children) == len(PROTOCOLS)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert all(not Path(f"/proc/{child}").exists() or
                   "Z" in Path(f"/proc/{child}/stat").read_text().split()[2]
                   for child in children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_exits_non_zero_when_a_server_dies(tmp_path: Path) -> None:
    with supervisor(tmp_path) as (process, lines, _):
        lines.until("Ctrl-C stops every server.")
        victim = children_of(process.pid)[0]
        os.kill(victim, signal.SIGKILL)
        assert process.wait(timeout=30) == 1
        assert "stopping the others" in "".join(lines.until("stopping the others"))
